"""Opening the database: connection settings, schema check and migrations."""

from __future__ import annotations

import sqlite3
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


def _refuse_newer_schema(db: Database) -> None:
    ours = {m.name for m in migrations._migrations}  # noqa: SLF001 (no public list)
    unknown = [m.name for m in migrations.applied(db) if m.name not in ours]
    if unknown:
        raise SchemaTooNew(
            "the database was written by a newer fincon-tui "
            f"(unknown schema step {unknown[-1]}); upgrade fincon-tui"
        )
