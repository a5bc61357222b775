"""Key repeat: Down held in Work with SMTP Definitions over 500 records,
simulated as 300 Down keys in one burst, then "5" typed: the time until the
"5" is in its option field and the app is idle again, against the bare twin
of bench/baseline.py (a 500-row list that Down walks and that shows a typed
"5"), headless, A B A B, median of the rounds.

Run: .venv/bin/python bench/keyrepeat.py [ROUNDS]
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

from textual.widgets import OptionList

sys.path.insert(0, str(Path(__file__).resolve().parent))

from baseline import BareApp
from lookup import seed
from ratios import Figure, Sample, fincon_app, report, run_rounds, settle, timed_key, timed_keys

RECORDS = 500
BURST = ["down"] * 300 + ["5"]
FIGURE = "300 Down, then 5: until it shows"


async def fincon_repeat(path: Path) -> dict[str, Sample]:
    app = fincon_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.typeahead.ready.wait()  # type: ignore[attr-defined]
        for key in "113":  # System, Mail Settings, Work with SMTP Definitions
            await timed_key(pilot, key)
        if "Work with" not in str(app.screen.title) + type(app.screen).__name__:
            raise SystemExit(f"no Work with SMTP Definitions at menu 1 1 3 (found {type(app.screen).__name__})")
        sample = await timed_keys(pilot, BURST)
        typed = getattr(app.focused, "value", None)
        if typed != "5":
            raise SystemExit(f"the 5 typed after the burst is not in the focused field (it holds {typed!r})")
    return {FIGURE: sample}


async def bare_repeat() -> dict[str, Sample]:
    app = BareApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await timed_key(pilot, "f7")
        sample = await timed_keys(pilot, BURST)
        shown = (app.screen.query_one("#rows", OptionList).highlighted, str(app.screen.query_one("#typed").render()))
        if shown != (300, "5"):
            raise SystemExit(f"the bare list is not on row 300 with the 5 shown: {shown}")
    return {FIGURE: sample}


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    figures = {FIGURE: Figure(FIGURE, 2.0)}
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_DATA_HOME"] = tmp
        path = Path(tmp) / "bench.db"
        seed(path, RECORDS)
        run_rounds(rounds, lambda: asyncio.run(fincon_repeat(path)), lambda: asyncio.run(bare_repeat()), figures)
    report(f"Key repeat in a list of {RECORDS}, median of {rounds} rounds A B A B", list(figures.values()))


if __name__ == "__main__":
    main()
