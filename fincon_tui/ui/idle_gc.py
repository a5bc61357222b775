"""Full garbage collections while nobody types.

CPython's full (generation 2) collection walks every object the app has
made and took 35-80 ms in the keystroke benchmark: a stutter under a typing
operator.  While the app runs, the start-up objects are frozen (never
scanned again), automatic full collections are put off, and one runs
when no key has come for a moment.  Young generations still collect as
usual (about 2 ms).

Putting full collections off uses the collector's third threshold, which
only a generational collector that counts generation-1 collections honours
(CPython up to 3.13).  The incremental collector of 3.14 scans the old
objects a slice at a time instead and ignores it, and so does the
free-threaded build's.  Where the setting would not take effect, the
thresholds are left alone and no full collection is added at idle: the
runtime spreads that work itself.
"""

from __future__ import annotations

import gc
import time

#: A full collection runs once no key has come for this long (seconds).
QUIET_FOR = 1.0
#: Generation-1 collections between full ones that CPython would do itself:
#: high enough that it never happens while typing.
PUT_OFF = 1_000_000


def full_collections_can_be_put_off() -> bool:
    """Whether this runtime counts generation-1 collections towards the
    third threshold (then a high threshold puts full collections off).

    Asks the collector itself: a generation-1 collection adds one to the
    count that the third threshold is compared with.  Cheap after
    `gc.freeze()`: the young generations are then nearly empty.
    """
    before = gc.get_count()[2]
    gc.collect(1)
    return gc.get_count()[2] == before + 1


class IdleCollector:
    """Owns the collector's settings while the app runs; restores them after."""

    def __init__(self) -> None:
        self.last_key = time.monotonic()
        self.pending = False
        #: Whether full collections are put off until idle (known after start()).
        self.puts_off = False
        self._saved: tuple[int, int, int] | None = None

    def start(self) -> None:
        self._saved = gc.get_threshold()
        gc.freeze()
        self.puts_off = full_collections_can_be_put_off()
        if self.puts_off:
            gc.set_threshold(self._saved[0], self._saved[1], PUT_OFF)

    def stop(self) -> None:
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            gc.unfreeze()
            self._saved = None
            self.puts_off = False

    def key_pressed(self) -> None:
        self.last_key = time.monotonic()
        self.pending = True

    def collect_if_quiet(self, busy: bool) -> None:
        """Called on a timer: collect once after typing has stopped."""
        if not self.puts_off:
            return
        if self.pending and not busy and time.monotonic() - self.last_key >= QUIET_FOR:
            gc.collect()
            self.pending = False
