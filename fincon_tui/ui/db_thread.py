"""Database and keyring work off the event loop.

SQLite connections belong to one thread, so all of it runs in one worker
thread, in order; the screen keeps painting and F1, Esc and Ctrl+Q keep
answering meanwhile.  Screens start the work as Textual workers (see
`work`); a newer filter keystroke's look-up supersedes an older one.
`busy` counts the work in flight, and `holding` the part of it that typed
keys wait for: the typeahead holds keys back until `holding` is zero, so a
key typed while a record loads lands in the form that loads, not in the
screen before it.  A preview of what is typed (the user form's Login
used line) holds no key: the echo comes first, the preview follows.

The thread runs plain functions on plain data (a service's method, the
form's values as a dict): never a widget's or screen's method, nor a
closure over one (`refuse_widgets`), which would run screen code where
nobody reading the screen expects it.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import Callable, Coroutine
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen
    from textual.worker import Worker

    from fincon_tui.storage.waiting import Waiting

T = TypeVar("T")
#: A call for the thread: the loop and future its result goes to, and the call.
Job = tuple[asyncio.AbstractEventLoop, asyncio.Future[Any], Callable[[], object]]
#: Seconds quitting waits for a database call in progress to finish.
WAIT_AT_CLOSE = 2.0


class WorkerNode(Protocol):
    """A screen or widget that runs database work as its workers (and whose
    screen may have closed once the work ends)."""

    @property
    def is_attached(self) -> bool: ...
    @property
    def screen(self) -> Screen[Any]: ...
    @property
    def app(self) -> App[Any]: ...
    def run_worker(self, work: Coroutine[Any, Any, None], name: str | None = "",
                   group: str = "default") -> Worker[None]: ...


class WritesThatWait(Protocol):
    """A screen whose work may wait for another admin's save or for the
    keyring: while it does, `waiting` is set, and its Esc gives the wait up."""

    waiting: Waiting | None


class DatabaseThread:
    """The one thread that talks to the database (and the keyring)."""

    def __init__(self, on_busy: Callable[[], None] = lambda: None,
                 on_keyring_wait: Callable[[float | None], None] = lambda seconds: None) -> None:
        """`on_busy` is called on the event loop each time work that keys
        wait for begins after none was in flight; `on_keyring_wait(seconds)` about once a
        second while work that nobody else follows waits for the keyring
        (`keyring_wait` is then set: setting its `abandoned` stops the
        wait), and with None once that work has ended."""
        self.on_busy = on_busy
        self.on_keyring_wait = on_keyring_wait
        self.keyring_wait: Waiting | None = None
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        # A daemon thread: a call stuck in a keyring never keeps the process alive.
        self._thread = threading.Thread(target=self._serve, name="fincon-db", daemon=True)
        self._thread.start()
        #: Work in flight (`idle` is set when there is none), and the part
        #: of it that typed keys wait for (`keys_free` is set when none).
        self.busy = 0
        self.holding = 0
        self._generations: dict[str | None, int] = {}
        self._watchers: set[asyncio.Task[None]] = set()
        self.idle = asyncio.Event()
        self.idle.set()
        self.keys_free = asyncio.Event()
        self.keys_free.set()
        #: Set while a write waits for another admin's save (keys then pass).
        self.waiting: Waiting | None = None

    async def run(self, call: Callable[..., T], *args: Any, waiting: Waiting | None = None,
                  keyring: Waiting | None = None) -> T:
        """`call(*args)` in the database thread; with `waiting`, a write in
        it reports and can abandon its wait for the lock; a keyring call in
        it that is slow to answer reports to `keyring`, else to `on_keyring_wait`."""
        from fincon_tui.storage.waiting import Waiting

        refuse_widgets(call, *args)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        if keyring is None:

            def reported(seconds: float) -> None:
                if not future.done():
                    self.keyring_wait = keyring
                    self.on_keyring_wait(seconds)

            keyring = Waiting(report=lambda seconds: loop.call_soon_threadsafe(reported, seconds), holder="the keyring")
        self._jobs.put((loop, future, partial(_with_waiting, waiting, keyring, call, *args)))
        try:
            return await future
        except asyncio.CancelledError:
            for wait in (waiting, keyring):  # nobody follows the wait any more: give it up
                if wait is not None:
                    wait.abandoned.set()
            raise
        finally:
            if self.keyring_wait is keyring:
                self.keyring_wait = None
                self.on_keyring_wait(None)

    async def run_write(self, owner: WritesThatWait, call: Callable[..., T], *args: Any,
                        doing: str, stop: str, report: Callable[[str], None]) -> T:
        """`call(*args)`, a write that may wait for another admin's save, or
        any call that may wait for the keyring (opening a record opens its
        password).  While it runs, `owner.waiting` and `self.waiting` are set
        (Esc gives either wait up, and keys pass), and while it waits
        `report` is told so, `doing`, what it waits for and the key that
        stops it (`stop`) named, on the event loop, never once the call has
        ended (a report late from the thread is dropped: its screen may be
        closing)."""
        from fincon_tui.storage.waiting import Waiting

        loop = asyncio.get_running_loop()

        def reported(seconds: float, holder: str) -> None:
            if owner.waiting is waiting:
                report(f"{doing}… waiting for {holder} ({seconds:.0f} s) – {stop} to stop waiting")

        waiting = Waiting(report=lambda seconds: loop.call_soon_threadsafe(reported, seconds, waiting.holder))
        keyring = Waiting(report=lambda seconds: loop.call_soon_threadsafe(reported, seconds, keyring.holder),
                          abandoned=waiting.abandoned, holder="the keyring")  # Esc stops either wait
        owner.waiting = self.waiting = waiting
        try:
            return await self.run(call, *args, waiting=waiting, keyring=keyring)
        finally:
            owner.waiting = self.waiting = None

    def _serve(self) -> None:
        while (job := self._jobs.get()) is not None:
            loop, future, call = job
            outcome: Callable[[], None]
            try:
                outcome = partial(future.set_result, call())
            except BaseException as error:  # handed to the awaiting screen
                outcome = partial(future.set_exception, error)
            try:
                loop.call_soon_threadsafe(_settle, future, outcome)
            except RuntimeError:
                pass  # the app's loop has closed: nobody waits any more

    def work(
        self, node: WorkerNode, job: Coroutine[object, object, object], *, group: str | None = None,
        holds_keys: bool = True,
    ) -> Worker[None]:
        """Run `job` (which awaits `run`) as a worker of `node`.  With `group`,
        only the newest job of the group matters: an older one that has not
        started yet is dropped (a filter keystroke replacing the previous one).
        Typed keys wait for it unless `holds_keys` is False (a preview that
        follows the keys: it must check, once its result is in, that it is
        still the newest)."""
        self._enter(holds_keys)
        generation = self._generations[group] = self._generations.get(group, 0) + 1

        async def tracked() -> None:
            if group is not None and self._generations[group] != generation:
                return  # superseded before it began
            try:
                await job
            except Exception:
                if _still_shown(node):
                    raise
                # The screen closed meanwhile (Esc during a look-up, or during a
                # wait for another admin's save): its result has no place to go.

        worker = node.run_worker(tracked(), group=group or "db")
        watcher = asyncio.get_running_loop().create_task(self._leave_after(worker, job, holds_keys))
        self._watchers.add(watcher)
        watcher.add_done_callback(self._watchers.discard)
        return worker

    async def _leave_after(self, worker: Worker[None], job: Coroutine[object, object, object],
                           holds_keys: bool) -> None:
        """Count the job done however its worker ends, even cancelled before
        it started (a screen closed meanwhile)."""
        from textual.worker import WorkerCancelled, WorkerFailed

        try:
            await worker.wait()
        except (WorkerCancelled, WorkerFailed):
            pass  # a failure was reported by the worker itself
        finally:
            job.close()  # no-op once it ran; quiets a job that never started
            self._leave(holds_keys)

    def _enter(self, holds_keys: bool) -> None:
        self.busy += 1
        self.idle.clear()
        if holds_keys:
            self.holding += 1
            self.keys_free.clear()
            if self.holding == 1:
                self.on_busy()

    def _leave(self, holds_keys: bool) -> None:
        self.busy -= 1
        if not self.busy:
            self.idle.set()
        if holds_keys:
            self.holding -= 1
            if not self.holding:
                self.keys_free.set()

    def close(self, stuck: Callable[[], bool] = lambda: False) -> None:
        """Give up any wait for the write lock and stop after the call in
        progress, letting that call finish (a save ends as a whole) for at
        most WAIT_AT_CLOSE seconds, unless or until `stuck()` says it waits on
        something that may never answer (a keyring): then the thread, a
        daemon, is left behind."""
        if self.waiting is not None:
            self.waiting.abandoned.set()
        if not self._thread.is_alive():
            return
        self._jobs.put(None)
        deadline = time.monotonic() + WAIT_AT_CLOSE
        while self._thread.is_alive() and not stuck() and time.monotonic() < deadline:
            self._thread.join(0.02)


def refuse_widgets(call: Callable[..., object], *args: object) -> None:
    """Raise TypeError if `call` or `args` hold a widget or screen: a bound
    method, a partial or a closure over one, or one passed as an argument."""
    from textual.widget import Widget

    parts: list[object] = [call, *args]
    while isinstance(call, partial):
        parts += [call.func, *call.args, *call.keywords.values()]
        call = call.func
    for cell in getattr(call, "__closure__", None) or ():
        try:
            parts.append(cell.cell_contents)
        except ValueError:  # a cell not filled yet
            continue
    for part in parts:
        owner = getattr(part, "__self__", part)
        if isinstance(owner, Widget) or isinstance(part, Widget):
            raise TypeError(f"the database thread runs plain functions on plain data, not {part!r}")


def _with_waiting(waiting: Waiting | None, keyring: Waiting, call: Callable[..., T], *args: Any) -> T:
    from fincon_tui.keystore.following import KEYRING_WAIT
    from fincon_tui.storage.waiting import WAITING

    token, keyring_token = WAITING.set(waiting), KEYRING_WAIT.set(keyring)
    try:
        return call(*args)
    finally:
        WAITING.reset(token)
        KEYRING_WAIT.reset(keyring_token)


def _settle(future: asyncio.Future[Any], outcome: Callable[[], None]) -> None:
    """`outcome` (the future's result or exception), unless the worker that
    awaited `future` was cancelled."""
    if not future.done():
        outcome()


def _still_shown(node: WorkerNode) -> bool:
    """Whether `node`'s screen is still on the stack: a dismissed screen is
    taken off at once but stays attached, its widgets going, until removed."""
    if not node.is_attached:
        return False
    try:
        return node.screen in node.app.screen_stack
    except Exception:  # no screen or app any more: closing
        return False
