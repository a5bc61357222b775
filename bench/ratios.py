"""What the ratio benches share: starting fincon-tui headless through its
public entry points, timing a key until the app is idle again, and the table
of figures against the bare twins of bench/baseline.py.

A key is timed as the terminal would send it (posted to the app, so that
fincon-tui's typeahead holds it as it holds a typed key) until the app is
idle again: every message the key caused handled, the screen and focus
still, fincon-tui's typeahead empty and its database thread idle, and the
screen's update composited.  Both the wall clock and this process's CPU
(time.process_time: every thread, the database thread's included).

When BENCH_FIGURES names a file, each bench adds its figures to it as JSON
lines (bench/compare.py reads them).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App
from textual.pilot import Pilot

#: (wall seconds, CPU seconds)
Sample = tuple[float, float]


def fincon_app(db_path: Path) -> App[Any]:
    """fincon-tui's app over a new database at `db_path`, the null keyring,
    the cursor not blinking.  Falls back to older releases' names, so that
    today's benches run against an older checkout (bench/compare.py)."""
    import keyring
    from keyring.backends import null

    keyring.set_keyring(null.Keyring())  # never the real keyring
    from fincon_tui.ui.app import FinconApp

    try:
        from fincon_tui.keystore.vault import PasswordVault
    except ImportError:  # before the key store was its own package
        from fincon_tui.secrets.vault import PasswordVault  # type: ignore[import-untyped, no-redef]  # an older release's
    try:
        from fincon_tui.storage.store import open_store as opener
    except ImportError:  # before the store served two engines
        from fincon_tui.storage.database import open_database as opener  # type: ignore[assignment]  # an older release's
    return FinconApp(opener(db_path), PasswordVault(), cursor_blink=False)


def _state(app: App[Any]) -> tuple[int, int, int]:
    return len(app.screen_stack), id(app.screen), id(app.focused)


def _busy(app: App[Any]) -> bool:
    """fincon-tui's own work still due: keys held, or the database thread's."""
    queue = getattr(app, "typeahead", None)
    if queue is not None and (queue.pending or (queue.task is not None and not queue.task.done())):
        return True
    database = getattr(app, "database", None)
    return database is not None and not database.idle.is_set()


async def settle(pilot: Pilot[Any]) -> None:
    """Until the app is idle again (see the module's note)."""
    app = pilot.app
    while True:
        before = _state(app)
        await pilot._wait_for_screen()  # noqa: SLF001 (Pilot's own wait, without its sleep)
        if _busy(app):
            database = getattr(app, "database", None)
            if database is not None and not database.idle.is_set():
                await database.idle.wait()
            else:
                await asyncio.sleep(0)
            continue
        if _state(app) == before and all(pump.message_queue_size == 0 for pump in (app, app.screen)):
            break
    app.screen._on_timer_update()  # noqa: SLF001 (the screen's update composited now, as Pilot does)
    await pilot._wait_for_screen()  # noqa: SLF001


def post_key(app: App[Any], key: str) -> None:
    """`key` as the terminal sends it."""
    app.post_message(events.Key(key, key if len(key) == 1 else None))


async def timed_keys(pilot: Pilot[Any], keys: Sequence[str]) -> Sample:
    """Post `keys` at once and time until the app is idle again."""
    wall, cpu = time.perf_counter(), time.process_time()
    for key in keys:
        post_key(pilot.app, key)
    await settle(pilot)
    return time.perf_counter() - wall, time.process_time() - cpu


async def timed_key(pilot: Pilot[Any], key: str) -> Sample:
    return await timed_keys(pilot, [key])


def median_sample(samples: Sequence[Sample]) -> Sample:
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


@dataclass
class Figure:
    """One figure: fincon-tui's and its bare twin's samples (one per round),
    and the goal for the ratio (issue 26)."""

    name: str
    goal: float | None
    unit: str = "ms"  # or "MiB" (then a sample's CPU part is unused)
    fincon: list[Sample] = field(default_factory=list)
    bare: list[Sample] = field(default_factory=list)

    def medians(self) -> tuple[Sample, Sample]:
        return median_sample(self.fincon), median_sample(self.bare)


def run_rounds(rounds: int, fincon: Callable[[], dict[str, Sample]], bare: Callable[[], dict[str, Sample]],
               figures: dict[str, Figure]) -> None:
    """A B A B: each round measures fincon-tui, then the bare app, so that a
    busy moment of the machine falls on both alike."""
    for _ in range(rounds):
        for side, measure in (("fincon", fincon), ("bare", bare)):
            for name, sample in measure().items():
                getattr(figures[name], side).append(sample)


def report(title: str, figures: Sequence[Figure]) -> None:
    """The table, and the figures for bench/compare.py if it asked."""
    print(title)
    print(f"{'figure':<40} {'fincon':>15} {'bare':>15} {'ratio':>11} {'goal':>6}")
    print(f"{'':<40} {'wall/CPU':>15} {'wall/CPU':>15} {'wall/CPU':>11}")
    lines = []
    for figure in figures:
        if not figure.fincon or not figure.bare:
            print(f"{figure.name:<40} {'n/a':>15}")
            continue
        (f_wall, f_cpu), (b_wall, b_cpu) = figure.medians()
        ratio = f_wall / b_wall if b_wall else float("inf")
        cpu_ratio = f_cpu / b_cpu if b_cpu else float("inf")
        goal = f"{figure.goal:.1f}x" if figure.goal else ""
        mark = ("✓" if ratio <= figure.goal else "✗") if figure.goal else ""
        if figure.unit == "MiB":
            values = f"{f_wall:>15.1f} {b_wall:>15.1f} {ratio:>11.2f}"
        else:
            values = (f"{f_wall * 1000:>7.1f}/{f_cpu * 1000:<7.1f} {b_wall * 1000:>7.1f}/{b_cpu * 1000:<7.1f} "
                      f"{ratio:>5.2f}/{cpu_ratio:<5.2f}")
        print(f"{figure.name + ' (' + figure.unit + ')':<40} {values} {goal:>6} {mark}")
        lines.append({"figure": figure.name, "unit": figure.unit, "goal": figure.goal,
                      "fincon": [f_wall, f_cpu], "bare": [b_wall, b_cpu]})
    target = os.environ.get("BENCH_FIGURES")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            for line in lines:
                out.write(json.dumps(line) + "\n")
