"""The bare twins of bench/baseline.py, driven by the keys and the idle wait
the benches time them with (bench/ratios.py), so that neither rots: each
screen opens on its key and shows what its figure's twin needs; and that
idle wait waits for all the work (a database job, the messages it starts)
without sending any of its own.  No time is asserted (speed is bench/'s)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from functools import partial
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.message import Message
from textual.widgets import Button, Input, Label, OptionList

from fincon_tui.ui.db_thread import DatabaseThread

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from baseline import FIELDS, LIST_ROWS, REPEAT_ROWS, BareApp, InputsScreen, ListScreen, QuestionModal, RepeatScreen
from ratios import settle, timed_key, timed_keys


async def test_each_bare_twin_opens_on_its_key_and_takes_what_is_typed() -> None:
    app = BareApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await timed_key(pilot, "f5")
        assert isinstance(app.screen, InputsScreen)
        assert len(app.screen.query(Input)) == FIELDS
        assert f"Field {FIELDS:02d}" in {str(label.render()).split(" .")[0] for label in app.screen.query(Label)}
        await timed_keys(pilot, list("ab"))
        assert app.screen.query_one("#field-1", Input).value == "ab"
        await timed_key(pilot, "escape")

        await timed_key(pilot, "f6")
        assert isinstance(app.screen, QuestionModal)
        assert len(app.screen.query(Button)) == 2
        await timed_key(pilot, "escape")

        await timed_key(pilot, "f4")
        assert isinstance(app.screen, ListScreen)
        assert app.screen.query_one(OptionList).option_count == LIST_ROWS
        await timed_key(pilot, "7")
        assert app.screen.query_one("#filter", Input).value == "7"
        await timed_key(pilot, "escape")

        await timed_key(pilot, "f7")
        assert isinstance(app.screen, RepeatScreen)
        rows = app.screen.query_one(OptionList)
        assert rows.option_count == REPEAT_ROWS
        await timed_keys(pilot, ["down"] * 3 + ["5"])
        assert rows.highlighted == 3
        assert str(app.screen.query_one("#typed", Label).render()) == "5"


class Hop(Message, bubble=False):
    """One step of a chain of messages from widget to widget."""

    def __init__(self, left: int) -> None:
        super().__init__()
        self.left = left


class Hopper(Label):
    """Passes a Hop on to the next Hopper, each step another way that work
    goes on after a message: posted at once, after the next refresh, after a
    handler's wait, and through callbacks on the event loop alone."""

    async def on_hop(self, message: Hop) -> None:
        self.app.hops.append(message.left)  # type: ignore[attr-defined]
        if not message.left:
            return
        hoppers = list(self.screen.query(Hopper))
        after = hoppers[(hoppers.index(self) + 1) % len(hoppers)]
        hop = partial(after.post_message, Hop(message.left - 1))
        step = message.left % 5
        if step == 0:
            hop()
        elif step in (1, 2):  # after the update that this one asks for (twice in a row)
            after.update(f"{message.left}")
            after.call_after_refresh(hop)
        elif step == 3:
            await asyncio.sleep(0.05)  # the pump is busy, nothing is ready on the loop
            hop()
        else:  # every pump waits while the relay goes on
            loop = asyncio.get_running_loop()

            def relay(left: int) -> None:
                if left:
                    loop.call_soon(relay, left - 1)
                else:
                    hop()

            relay(20)


class ChainApp(App[None]):
    """Three widgets that pass a message on, and fincon-tui's database thread."""

    def __init__(self) -> None:
        super().__init__()
        self.hops: list[int] = []
        self.database = DatabaseThread()

    def compose(self) -> ComposeResult:
        for name in "abc":
            yield Hopper(name, id=name)


async def test_settle_waits_for_a_database_job_and_the_chain_of_messages_it_starts() -> None:
    app = ChainApp()
    release = threading.Event()

    async def job() -> None:
        await app.database.run(release.wait, 5)
        app.query_one("#a", Hopper).post_message(Hop(9))

    async with app.run_test() as pilot:
        await settle(pilot)
        app.database.work(app.screen, job())
        await asyncio.sleep(0.02)  # the job waits in the database thread, nothing else to do
        threading.Timer(0.1, release.set).start()
        await settle(pilot)
        assert app.hops == list(range(9, -1, -1))
    app.database.close()


async def test_settle_sends_no_message_to_the_widgets_it_waits_for() -> None:
    """It watches the message pumps instead of posting each a callback, so
    that a key's figure does not grow with the number of widgets."""
    app = BareApp()
    handled: list[Message] = []
    async with app.run_test(size=(80, 24), message_hook=handled.append) as pilot:
        await timed_key(pilot, "f5")
        assert len(app.screen.query(Input)) == FIELDS
        for field in app.screen.query(Input):  # no blink's timer firing in the wait below
            field.cursor_blink = False
        await settle(pilot)
        handled.clear()
        await settle(pilot)
        assert handled == []


@pytest.mark.slow
def test_the_echo_bench_types_into_both_programs_in_a_pty() -> None:
    """bench/echo.py end to end, one short run: both programs reach their
    form and echo every letter (a marker that changed would time it out)."""
    done = subprocess.run([sys.executable, str(Path(__file__).resolve().parent.parent / "bench" / "echo.py"), "1", "3"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    for figure in ("echo of a typed character, median", "echo, 99th percentile", "bytes per typed character"):
        assert figure in done.stdout and "n/a" not in done.stdout.split(figure)[1].splitlines()[0]
