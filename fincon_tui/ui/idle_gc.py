"""Full garbage collections while nobody types.

CPython's full (generation 2) collection walks every object the app has
made and took 35-80 ms in the keystroke benchmark: a stutter under a typing
operator.  While the app runs, the start-up objects are frozen (never
scanned again), automatic full collections are put off, and one runs
when no key has come for a moment.  Young generations still collect as
usual (about 2 ms).
"""

from __future__ import annotations

import gc
import time

#: A full collection runs once no key has come for this long (seconds).
QUIET_FOR = 1.0
#: Generation-1 collections between full ones that CPython would do itself:
#: high enough that it never happens while typing.
PUT_OFF = 1_000_000


class IdleCollector:
    """Owns the collector's settings while the app runs; restores them after."""

    def __init__(self) -> None:
        self.last_key = time.monotonic()
        self.pending = False
        self._saved: tuple[int, int, int] | None = None

    def start(self) -> None:
        self._saved = gc.get_threshold()
        gc.freeze()
        gc.set_threshold(self._saved[0], self._saved[1], PUT_OFF)

    def stop(self) -> None:
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            gc.unfreeze()
            self._saved = None

    def key_pressed(self) -> None:
        self.last_key = time.monotonic()
        self.pending = True

    def collect_if_quiet(self, busy: bool) -> None:
        """Called on a timer: collect once after typing has stopped."""
        if self.pending and not busy and time.monotonic() - self.last_key >= QUIET_FOR:
            gc.collect()
            self.pending = False
