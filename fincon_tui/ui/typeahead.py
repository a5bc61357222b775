"""Typeahead: keys typed faster than the screen changes are applied in order.

Textual hands each key to whatever has focus *when the app reads it*.  When
an operator types "1 1 1 OFFICE Enter Y ..." in one burst, the later keys
would be handed to a screen that is about to be replaced, or to a field that
is about to lose focus, and be lost.  The app therefore queues keys (and
pasted text, which must not overtake them) from the terminal and releases
the next one only when the previous one has settled: every message it
caused has been handled and the screen and focus no longer change.

An arrow key held down in a list is the exception (`cursor_keys`): a run of
keys that the screen in front binds to cursor moves (bindings.CURSOR_MOVES,
actions that move the cursor at once, from wherever it is, and do nothing
else) is released together and settles once after the run.  Each of them is
a priority binding of the screen itself, so each acts in the app's turn, in
order, from where the one before left the cursor, whichever field has the
focus; the key after the run waits until the run has settled.  Settling
after each of them (rounds over every message pump, and a repaint between
two keys) was most of what a held key cost (docs/development.md, key repeat).

Keys typed while the app starts, before Textual has put the terminal in
raw mode, pass the terminal's line discipline, which turns Enter (CR) into
a newline (ICRNL): Textual reads Ctrl+J.  The queue takes Ctrl+J as the
Enter it is (as a shell does), so an Enter typed ahead at launch is not lost.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

from textual import events

if TYPE_CHECKING:
    from textual.app import App
    from textual.dom import DOMNode
    from textual.message_pump import MessagePump

#: Settling stops after this many rounds (a key that starts endless work).
MAX_ROUNDS = 50
#: A round waits at most this long for a busy handler (seconds).
ROUND_TIMEOUT = 2.0


#: What the queue holds: keys and pastes, in the order the terminal sent them.
Typed = events.Key | events.Paste


def as_typed(event: Typed) -> Typed:
    """The key as the operator pressed it: a newline (Ctrl+J) is Enter."""
    if isinstance(event, events.Key) and event.key == "ctrl+j":
        return events.Key("enter", "\r")
    return event


class KeyQueue:
    """Holds keys read from the terminal and feeds them to the app one by one."""

    def __init__(self, app: App[Any], cursor_keys: Callable[[str], Collection[str]] = lambda key: ()) -> None:
        """`cursor_keys(key)` gives the keys that move the cursor on the
        screen in front now (see the module's note), or nothing when `key`
        is not one of them."""
        self.app = app
        self.cursor_keys = cursor_keys
        self.pending: deque[Typed] = deque()
        self.released: set[Typed] = set()
        self.task: asyncio.Task[None] | None = None
        #: Set once the app can act on keys (its database is open).
        self.ready = asyncio.Event()

    def hold(self, event: Typed) -> None:
        """Queue a key from the terminal; start feeding if idle."""
        self.pending.append(as_typed(event))
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._feed())

    def take_release(self, event: Typed) -> bool:
        """True if `event` is one this queue released (let it through)."""
        if event in self.released:
            self.released.discard(event)
            return True
        return False

    def let_through(self, now: Callable[[Typed], bool]) -> None:
        """Release at once, ahead of the others, the queued keys for which
        `now(key)` holds."""
        for event in [event for event in self.pending if now(event)]:
            self.pending.remove(event)
            self.released.add(event)
            self.app.post_message(event)

    def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()

    async def _feed(self) -> None:
        await self.ready.wait()
        while self.pending:
            for event in self._next_run():
                self.released.add(event)
                if not self.app.post_message(event):
                    self.pending.clear()
                    return
            await self._settle()

    def _next_run(self) -> list[Typed]:
        """The next key or paste; with the keys right after it if they and
        it all move the cursor (decided before any of them is released)."""
        run = [self.pending.popleft()]
        first = run[0]
        if not (isinstance(first, events.Key) and self.pending and isinstance(self.pending[0], events.Key)):
            return run
        moves = self.cursor_keys(first.key)
        if first.key not in moves:
            return run
        while self.pending and isinstance(self.pending[0], events.Key) and self.pending[0].key in moves:
            run.append(self.pending.popleft())
        return run

    def _state(self) -> tuple[int | None, ...]:
        try:
            screen = self.app.screen
        except Exception:  # no screen while starting or closing
            return (None,)
        return (len(self.app.screen_stack), id(screen), id(self.app.focused))

    def _pumps(self) -> list[MessagePump]:
        """What decides where the next key goes: the app, every screen on the
        stack, and the focused widget with its ancestors (messages a key
        causes bubble up that chain)."""
        pumps: list[MessagePump] = [self.app, *self.app.screen_stack]
        node: DOMNode | None = self.app.focused
        while node is not None and node not in pumps:
            pumps.append(node)
            node = node.parent
        return pumps

    async def _round(self) -> None:
        """Wait until every message pump has handled what it held at the start.

        One future, which the last pump's callback completes: a task and an
        event a pump made 18 tasks for every character typed in a form."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        count = 0

        def handled() -> None:
            nonlocal count
            count -= 1
            if not count and not done.done():
                done.set_result(None)

        for pump in self._pumps():
            if pump.call_later(handled):
                count += 1
        if count:
            await asyncio.wait_for(done, ROUND_TIMEOUT)  # TimeoutError: the round goes again

    async def _settle(self) -> None:
        """Until the key's messages are handled, the screen and focus are
        still, and the database work it started that keys wait for (if any)
        is done (a preview of what was typed follows the keys instead)."""
        database = getattr(self.app, "database", None)
        for _ in range(MAX_ROUNDS):
            await self._settle_messages()
            if database is None or database.keys_free.is_set():
                return
            await database.keys_free.wait()

    async def _settle_messages(self) -> None:
        for _ in range(MAX_ROUNDS):
            before = self._state()
            try:
                await self._round()
            except TimeoutError:
                continue
            quiet = all(pump.message_queue_size == 0 for pump in self._pumps())
            if quiet and self._state() == before:
                return
