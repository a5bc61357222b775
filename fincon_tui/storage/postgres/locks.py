"""The write lock on PostgreSQL: one transaction-scoped advisory lock per
database, which every write transaction and every schema step takes first,
as SQLite's BEGIN IMMEDIATE takes its write lock.  Writers queue instead
of deadlocking, a save's lost-update check and its write see one state,
and the wait is polled, so that it is reported and abandonable like
SQLite's (storage/transactions.py, storage/waiting.py)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from fincon_tui._exceptions import LockWaitAbandoned, StorageError
from fincon_tui.storage.transactions import POLL_SECONDS
from fincon_tui.storage.waiting import Waiting

if TYPE_CHECKING:
    from psycopg import Connection

#: The advisory lock's key: "FCNT" (SQLite's application_id) and 1, the write lock.
WRITE_LOCK = (0x46434E54 << 8) | 1


def take_write_lock(conn: Connection, waiting: Waiting) -> None:
    """Take the write lock in the transaction open on `conn`, waiting for
    another's as `waiting` says (LockWaitAbandoned, or StorageError past its limit)."""
    started, reported = time.monotonic(), -1
    while not _tried(conn):
        waited = time.monotonic() - started
        if waiting.abandoned.is_set():
            raise LockWaitAbandoned(f"stopped waiting for {waiting.holder}: nothing was written")
        if waited >= waiting.limit:
            raise StorageError(f"{waiting.holder} held the database for {waiting.limit:g} s: "
                               "nothing was written; try again")
        if int(waited) != reported:  # once a second is enough for a person
            reported = int(waited)
            waiting.report(waited)
        waiting.abandoned.wait(POLL_SECONDS / 5)


def _tried(conn: Connection) -> bool:
    row = conn.execute("SELECT pg_try_advisory_xact_lock(%s)", [WRITE_LOCK]).fetchone()
    return bool(row and row[0])
