"""F4 look-up list over 10,000 SMTP definitions: open and filter times.

Run: .venv/bin/python bench/lookup.py [DEFINITIONS] [RUNS]
Prints the median and worst time from pressing F4 until the list is filled,
and from a filter keystroke until the list shows the matches (headless Pilot).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.screen import Screen


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


async def measure(path: Path, runs: int) -> dict[str, list[float]]:
    import keyring
    from keyring.backends import null
    from textual import events
    from textual.widgets import OptionList

    from fincon_tui.keystore.vault import PasswordVault
    from fincon_tui.storage.store import open_store
    from fincon_tui.ui.app import FinconApp
    from fincon_tui.ui.screens.lookup import LookupScreen

    def filled(screen: Screen[object]) -> bool:
        if not isinstance(screen, LookupScreen):
            return False
        return any(options.option_count > 0 for options in screen.query("#lookup-list").results(OptionList))

    keyring.set_keyring(null.Keyring())  # never touch the real keyring
    app = FinconApp(open_store(path), PasswordVault(), cursor_blink=False)
    times: dict[str, list[float]] = {"open F4 list": [], "filter keystroke": []}
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1", "1", "1")
        for _ in range(runs):
            start = time.perf_counter()
            app.post_message(events.Key("f4", None))  # as the terminal does
            while not filled(app.screen):
                await asyncio.sleep(0)
            times["open F4 list"].append(time.perf_counter() - start)
            lookup = app.screen
            assert isinstance(lookup, LookupScreen)
            for text in ("7", "77", "777", "branch1"):
                # The search runs in the database thread: time until the list shows it.
                start = time.perf_counter()
                lookup.refresh_list(text)
                await app.database.idle.wait()
                times["filter keystroke"].append(time.perf_counter() - start)
            await pilot.press("escape")
    return times


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_DATA_HOME"] = tmp
        path = Path(tmp) / "bench.db"
        seed(path, count)
        times = asyncio.run(measure(path, runs))
    print(f"F4 look-up with {count} definitions ({runs} runs)")
    print(f"{'step':<18} {'median ms':>10} {'worst ms':>9} {'target ms':>10}")
    for step, values in times.items():
        print(f"{step:<18} {statistics.median(values) * 1000:>10.1f} {max(values) * 1000:>9.1f} {100:>10}")


if __name__ == "__main__":
    main()
