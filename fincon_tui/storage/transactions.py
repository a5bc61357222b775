"""Write transactions (kept apart from database.py so that importing them
does not import sqlite-utils: the UI loads before the database opens)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database


@contextlib.contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """BEGIN IMMEDIATE ... COMMIT: take the write lock up front so that
    concurrent sessions queue on the busy timeout instead of deadlocking."""
    db.execute("BEGIN IMMEDIATE")
    try:
        _check_same_file(db)
        yield db
        db.conn.commit()
    except BaseException:
        db.conn.rollback()
        raise


def _check_same_file(db: Database) -> None:
    """Refuse to write when the file at the database's path was replaced
    (a restore from backup) since it was opened: the save would go to the
    old, unlinked file and be lost."""
    import os

    from fincon_tui.storage.errors import FileReplaced

    opened = getattr(db, "fincon_file", None)
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
