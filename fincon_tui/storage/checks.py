"""Quick checks of a database file before the full-screen app starts, so the
common mistakes get a one-line message without a flash of the UI (the full
open, with migrations, happens right after the first paint)."""

from __future__ import annotations

import os
from pathlib import Path

from fincon_tui.storage.errors import StorageError

SQLITE_HEADER = b"SQLite format 3\x00"


def check_database_file(path: Path) -> None:
    """Raise StorageError if `path` cannot possibly be our database."""
    if not path.parent.is_dir():
        raise StorageError(f"the folder {path.parent} does not exist")
    if path.is_dir():
        raise StorageError(f"{path} is a folder, not a database file")
    if path.exists() and path.stat().st_size:
        with path.open("rb") as file:
            if file.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                raise StorageError(f"cannot use {path} as a database: file is not a database")
    if path.exists() and not os.access(path, os.W_OK):
        raise StorageError(f"{path} is read-only for you: fincon-tui saves to it (get write access or use --db)")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise StorageError(
            f"cannot write in the folder {path.parent}: fincon-tui keeps the database "
            "and its -wal and -shm files there (get write access or use --db)"
        )
