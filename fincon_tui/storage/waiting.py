"""How a front end follows a write that waits for another admin's save:
the same on every engine (imports no engine, so the UI loads it before the
database opens)."""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

#: How long a write waits for another session's lock before it gives up.
WAIT_LIMIT_SECONDS = 10.0


@dataclass
class Waiting:
    """How a front end follows a write that waits for another admin's save:
    `report(seconds)` is called while waiting, setting `abandoned` gives up
    (nothing is written) and `limit` bounds the wait.  `holder` names who
    is waited for, in the messages."""

    report: Callable[[float], object] = lambda seconds: None
    abandoned: threading.Event = field(default_factory=threading.Event)
    limit: float = field(default_factory=lambda: WAIT_LIMIT_SECONDS)
    holder: str = "another admin's save"


#: The Waiting of the write running in this thread, if a front end follows it.
WAITING: contextvars.ContextVar[Waiting | None] = contextvars.ContextVar("WAITING", default=None)
