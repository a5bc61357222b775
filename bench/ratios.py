"""What the ratio benches share: starting fincon-tui headless through its
public entry points, timing a key until the app is idle again, and the table
of figures against the bare twins of bench/baseline.py.

A key is timed as the terminal would send it (posted to the app, so that
fincon-tui's typeahead holds it as it holds a typed key) until the app is
idle again: nothing ready to run on the event loop, every message pump
(the app, every screen and widget) waiting for its next message with none
queued, fincon-tui's typeahead empty and its database thread idle, and the
screen's update composited.  The wait watches the app and sends it
nothing (tests/test_bench_runs.py checks that it waits for a database job
and the chain of messages it starts).  Work that waits on a timer, or on a
thread other than the database's, is not waited for.  Both the wall clock
and this process's CPU (time.process_time: every thread, the database
thread's included).

When BENCH_FIGURES names a file, each bench adds its figures to it as JSON
lines (bench/compare.py reads them).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App
from textual.message_pump import MessagePump
from textual.pilot import Pilot
from textual.screen import Screen
from textual.walk import walk_depth_first

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


def _busy(app: App[Any]) -> bool:
    """fincon-tui's own work still due: keys held, or the database thread's."""
    queue = getattr(app, "typeahead", None)
    if queue is not None and (queue.pending or (queue.task is not None and not queue.task.done())):
        return True
    database = getattr(app, "database", None)
    return database is not None and not database.idle.is_set()


def _waiting_for_messages(pump: MessagePump) -> bool:
    """Whether `pump` has handled all it was sent and waits for the next:
    its queue empty, nothing peeked or due next, and its task in get()."""
    if pump._closed or pump._task is None or pump._task.done():  # noqa: SLF001
        return True
    queue: Any = pump._message_queue  # noqa: SLF001 (Textual's own Queue: get() waits on its ready_event)
    return (queue.empty() and pump._pending_message is None and not pump._next_callbacks  # noqa: SLF001
            and any(not waiter.done() for waiter in queue.ready_event._waiters))  # noqa: SLF001


def _pumps(app: App[Any]) -> Iterator[MessagePump]:
    """The app, then every screen and widget, the front screen's first,
    walked as they are asked for: `_idle` stops at the first one still busy."""
    yield app
    for screen in reversed(app.screen_stack):
        yield from walk_depth_first(screen, with_root=True)


def _idle(app: App[Any]) -> bool:
    """Nothing left to do but wait for a timer or the terminal: no callback
    ready to run on the event loop, the app's own work done (`_busy`), and
    the app and every screen and widget waiting for their next message.

    The wait's own work is counted in a figure: it looks at the pumps one
    by one, the front screen's first, and stops at the first still busy,
    rather than listing every widget of every screen on the stack each
    time (until 2026-12-08), which made an F4 filter keystroke over the
    SMTP form about 1 ms of CPU dearer than its bare twin's, whose stack
    holds a sixth as many widgets, the key's work aside."""
    if getattr(asyncio.get_running_loop(), "_ready", ()) or _busy(app):
        return False
    return all(_waiting_for_messages(pump) for pump in _pumps(app))


async def _until_idle(app: App[Any], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not _idle(app):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the app was not idle after {timeout:.0f} s")
        database = getattr(app, "database", None)
        if database is not None and not database.idle.is_set():
            await database.idle.wait()
        elif getattr(asyncio.get_running_loop(), "_ready", True):
            await asyncio.sleep(0)
        else:  # a handler awaits a timer or a thread: do not spin meanwhile
            await asyncio.sleep(0.0005)


def _to_composite(screen: Screen[Any]) -> bool:
    """Whether `screen` has an update to composite, or callbacks that wait
    for it (call_after_refresh), which its update timer would do next."""
    return bool(screen._layout_required or screen._scroll_required or screen._repaint_required  # noqa: SLF001
                or screen._recompose_required or screen._dirty_widgets or screen._callbacks)  # noqa: SLF001


async def settle(pilot: Pilot[Any]) -> None:
    """Until the app is idle again (see the module's note), the screen's
    update composited now rather than at its timer, as Pilot does.

    It watches the app rather than asking it: no message is sent to any
    widget, so that the figure is the key's work alone, not a round of
    callbacks over every widget of the screen (Pilot's _wait_for_screen,
    which the benches used before, made a key on a screen of 67 widgets
    handle 268 messages of the bench's own for the key's 18).  Every
    bench, both sides and every commit compared, waits the same way."""
    app = pilot.app
    await _until_idle(app)
    while _to_composite(app.screen):
        app.screen._on_timer_update()  # noqa: SLF001
        await _until_idle(app)


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
    unit: str = "ms"  # or a quantity ("MiB", "bytes"): then a sample's CPU part is unused
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
        if figure.unit != "ms":
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
