"""Following a keyring call that is slow to answer: a front end sees the
wait (`report`, about once a second) and can stop it (`abandoned`), as it
does a write's wait for another admin's save."""

from __future__ import annotations

import contextvars
import threading
import time
from typing import Protocol


class Follower(Protocol):
    """Who follows a keyring call (storage.transactions.Waiting is one):
    `report(seconds)` while it waits; setting `abandoned` stops the wait."""

    abandoned: threading.Event

    def report(self, seconds: float) -> object: ...


#: Who follows the keyring calls made in this thread, if anyone.
KEYRING_WAIT: contextvars.ContextVar[Follower | None] = contextvars.ContextVar("KEYRING_WAIT", default=None)
#: How often a followed call looks whether it answered or was given up.
STEP_SECONDS = 0.1


def followed(worker: threading.Thread, limit: float, follower: Follower | None) -> bool:
    """Wait for `worker` (the thread making the call) at most `limit`
    seconds, reporting to `follower` once a second; True if the follower
    stopped the wait."""
    if follower is None:
        worker.join(limit)
        return False
    started, reported = time.monotonic(), -1
    while (waited := time.monotonic() - started) < limit:
        worker.join(min(STEP_SECONDS, limit - waited))
        if not worker.is_alive():
            return False
        if follower.abandoned.is_set():
            return True
        if int(waited) != reported:  # once a second is enough for a person
            reported = int(waited)
            follower.report(time.monotonic() - started)
    return False
