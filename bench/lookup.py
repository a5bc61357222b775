"""F4 look-up list over 10,000 SMTP definitions: opening it and a filter
keystroke, as ratios against the bare twin of bench/baseline.py (a key that
pushes a 20-row list; a key typed in its filter field), headless, A B A B,
median of the rounds.

Run: .venv/bin/python bench/lookup.py [DEFINITIONS] [ROUNDS]
Each key is timed until the app is idle again (bench/ratios.py): for
fincon-tui that includes the search in the database thread and the list
showing its result.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

sys.path.insert(0, str(Path(__file__).resolve().parent))

from baseline import BareApp
from ratios import Figure, Sample, fincon_app, median_sample, report, run_rounds, settle, timed_key

FILTER = "777"
OPENS = 3


def seed(path: Path, count: int) -> None:
    from fincon_tui.storage.database import open_database
    from fincon_tui.storage.records import utc_now

    db = open_database(path)
    now = utc_now()
    db.table("smtp_settings").insert_all(
        {
            "name": f"DEF{n:05d}",
            "mail_server": f"smtp{n}.branch{n % 97}.example",
            "authenticate": "Y",
            "username": None,
            "port": 587,
            "use_tls": "Y",
            "timeout_seconds": 30,
            "bcc": None,
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        for n in range(count)
    )
    db.close()


async def opened_and_typed(pilot: Pilot[Any]) -> dict[str, Sample]:
    """F4 and the filter typed, OPENS times: the medians (the first open of
    an app, which styles the list's widgets, is one of them)."""
    opened, typed = [], []
    for _ in range(OPENS):
        opened.append(await timed_key(pilot, "f4"))
        typed += [await timed_key(pilot, key) for key in FILTER]
        await timed_key(pilot, "escape")
    return {"open the F4 list": median_sample(opened), "a filter keystroke": median_sample(typed)}


async def fincon_lookup(path: Path) -> dict[str, Sample]:
    app = fincon_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.typeahead.ready.wait()  # type: ignore[attr-defined]
        for key in "111":
            await timed_key(pilot, key)
        return await opened_and_typed(pilot)


async def bare_lookup() -> dict[str, Sample]:
    app = BareApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        return await opened_and_typed(pilot)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    figures = {"open the F4 list": Figure("open the F4 list", 2.0),
               "a filter keystroke": Figure("a filter keystroke", 1.5)}
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_DATA_HOME"] = tmp
        path = Path(tmp) / "bench.db"
        seed(path, count)
        run_rounds(rounds, lambda: asyncio.run(fincon_lookup(path)), lambda: asyncio.run(bare_lookup()), figures)
    report(f"F4 look-up over {count} definitions against a bare 20-row list, median of {rounds} rounds A B A B",
           list(figures.values()))


if __name__ == "__main__":
    main()
