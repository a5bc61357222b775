"""Opening the database: connection settings, schema check and migrations."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

from sqlite_utils import Database

from fincon_tui.storage.checks import check_database_file
from fincon_tui.storage.errors import SchemaTooNew, StorageError
from fincon_tui.storage.migrations import migrations

#: How long a writer waits for another session's transaction (milliseconds).
BUSY_TIMEOUT_MS = 10_000


def open_database(path: Path) -> Database:
    """Open (creating if needed) and migrate the database at `path`.

    Raises StorageError with a one-line reason when it cannot be used.
    """
    check_database_file(path)
    _create_private(path)
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
        db = Database(conn)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys = ON")
        _refuse_newer_schema(db)
        if db.journal_mode != "wal":
            db.enable_wal()
        migrations.apply(db)
    except sqlite3.DatabaseError as error:
        raise StorageError(f"cannot use {path} as a database: {error}") from None
    return db


def _create_private(path: Path) -> None:
    """A new database file is 0600, or 0660 in a folder set up for a group
    of admins (setgid and group-writable).  SQLite gives its -wal and -shm
    files the same mode."""
    try:
        folder = path.parent.stat().st_mode
        mode = 0o660 if folder & stat.S_ISGID and folder & stat.S_IWGRP else 0o600
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        return
    try:
        os.fchmod(fd, mode)  # whatever the umask
    finally:
        os.close(fd)


def _refuse_newer_schema(db: Database) -> None:
    ours = {m.name for m in migrations._migrations}  # noqa: SLF001 (no public list)
    unknown = [m.name for m in migrations.applied(db) if m.name not in ours]
    if unknown:
        raise SchemaTooNew(
            "the database was written by a newer fincon-tui "
            f"(unknown schema step {unknown[-1]}); upgrade fincon-tui"
        )
