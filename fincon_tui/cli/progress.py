"""How far a long command has got, on stderr when it is a terminal: one
line redrawn in place ('copied 1,200 of 5,000 records and audit entries,
about 4 s left'), at most ten times a second, and wiped at the end so that
what the command prints next starts on a clean line.  Piped or
redirected, stderr gets nothing: a script's log holds no carriage returns.
`db copy`, `import` and `check` use it."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

#: The least time between two redraws (seconds).
REDRAW_EVERY = 0.1
#: Erase from the cursor to the end of the line.
ERASE = "\x1b[K"


class Progress:
    """`with Progress(total, 'copied', 'records and audit entries') as step:`
    then `step(n)` after each n more are done."""

    def __init__(self, total: int, done_word: str, things: str, stream: TextIO | None = None,
                 clock: Callable[[], float] = time.monotonic, estimate: bool = True) -> None:
        self.total, self.done_word, self.things = total, done_word, things
        #: Whether the line says the time left (not for `check`, whose servers each take their own time).
        self.estimate = estimate
        self.stream = stream if stream is not None else sys.stderr
        self.shown = self.stream is not None and self.stream.isatty()
        self.clock = clock
        self.done = 0
        self.started = clock()
        self.drawn_at: float | None = None
        self.on_screen = False
        #: Said after the count ('waiting on OFFICE'), when not empty.
        self.detail = ""

    def __enter__(self) -> Progress:
        return self

    def __call__(self, more: int) -> None:
        self.done += more
        if not self.shown:
            return
        now = self.clock()
        if self.drawn_at is None or now - self.drawn_at >= REDRAW_EVERY or self.done >= self.total:
            self.drawn_at = now
            self.on_screen = True
            self.stream.write(f"\r{self.line(now)}{ERASE}")
            self.stream.flush()

    def wipe(self) -> None:
        """Take the line away before the command prints a line of its own
        (`import`'s, one a record); the next step draws it again below, at
        most ten times a second."""
        if self.on_screen:
            self.on_screen = False
            self.stream.write(f"\r{ERASE}")
            self.stream.flush()

    def line(self, now: float) -> str:
        """'copied 1,200 of 5,000 records and audit entries, about 4 s left'."""
        text = f"{self.done_word} {self.done:,} of {self.total:,} {self.things}"
        left = self.total - self.done
        if self.estimate and self.done and left > 0:
            seconds = (now - self.started) / self.done * left
            text += f", about {max(1, round(seconds)):,} s left"
        return f"{text}, {self.detail}" if self.detail else text

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.wipe()
