"""Write transactions on SQLite: the write lock taken up front, the wait
for it bounded, reported and abandonable (storage/waiting.py)."""

from __future__ import annotations

import contextlib
import sqlite3
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from fincon_tui.storage.translate import database_error
from fincon_tui.storage.waiting import WAITING, Waiting

if TYPE_CHECKING:
    from fincon_tui.storage.connection import Connection


#: How long one attempt at the write lock blocks before the wait is reported.
POLL_SECONDS = 0.25
#: The file each open database was opened from: (path, device, inode).
_OPENED: weakref.WeakKeyDictionary[Connection, tuple[Path, int, int]] = weakref.WeakKeyDictionary()


def remember_file(db: Connection, path: Path) -> None:
    """Note which file was opened, so a save can check it is still there."""
    info = path.stat()
    _OPENED[db] = (path, info.st_dev, info.st_ino)


@contextlib.contextmanager
def write_transaction(db: Connection) -> Iterator[Connection]:
    """BEGIN IMMEDIATE ... COMMIT: take the write lock up front so that
    concurrent sessions queue instead of deadlocking.  The wait for the lock
    is bounded, reported and abandonable (see Waiting)."""
    try:
        _begin(db, WAITING.get() or Waiting())
    except sqlite3.Error as error:
        raise database_error(error, db.file) from error
    try:
        _check_same_file(db)
        yield db
        db.conn.commit()
    except BaseException as error:
        db.conn.rollback()
        if isinstance(error, sqlite3.Error):
            raise database_error(error, db.file) from error
        raise


def _begin(db: Connection, waiting: Waiting) -> None:
    until_unlocked(db, waiting, lambda: db.execute("BEGIN IMMEDIATE"))


def until_unlocked(db: Connection, waiting: Waiting, take: Callable[[], object]) -> None:
    """`take()`, which takes a lock on the database, tried again while
    another connection holds it: bounded, reported and abandonable (see
    Waiting).  Some locks SQLite refuses at once instead of waiting for
    (changing the journal mode): those are tried again after a pause."""
    from fincon_tui._exceptions import LockWaitAbandoned, StorageError

    started, reported = time.monotonic(), -1
    (previous,) = db.execute("PRAGMA busy_timeout").fetchone()
    db.execute(f"PRAGMA busy_timeout = {int(POLL_SECONDS * 1000)}")
    try:
        while True:
            tried = time.monotonic()
            try:
                take()
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error):
                    raise
            if time.monotonic() - tried < POLL_SECONDS / 2:  # refused at once: pause
                waiting.abandoned.wait(POLL_SECONDS / 10)
            waited = time.monotonic() - started
            if waiting.abandoned.is_set():
                raise LockWaitAbandoned(f"stopped waiting for {waiting.holder}: nothing was written")
            if waited >= waiting.limit:
                raise StorageError(
                    f"{waiting.holder} held the database for {waiting.limit:g} s: "
                    "nothing was written; try again"
                )
            if int(waited) != reported:  # once a second is enough for a person
                reported = int(waited)
                waiting.report(waited)
    finally:
        db.execute(f"PRAGMA busy_timeout = {previous}")


def _check_same_file(db: Connection) -> None:
    """Refuse to write when the file at the database's path was replaced
    (a restore from backup) since it was opened: the save would go to the
    old, unlinked file and be lost."""
    import os

    from fincon_tui._exceptions import FileReplaced

    opened = _OPENED.get(db)
    if opened is None:
        return
    path, device, inode = opened
    try:
        now = os.stat(path)
    except FileNotFoundError:
        now = None
    if now is None or (now.st_dev, now.st_ino) != (device, inode):
        raise FileReplaced(
            f"the database file {path} was replaced or removed since fincon-tui opened it "
            "(restored from a backup?): nothing was saved; start fincon-tui again to use the file there now"
        )
