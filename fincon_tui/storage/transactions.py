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
        yield db
        db.conn.commit()
    except BaseException:
        db.conn.rollback()
        raise
