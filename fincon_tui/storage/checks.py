"""Quick checks of a database file before the full-screen app starts, so the
common mistakes get a one-line message without a flash of the UI (the full
open, with migrations, happens right after the first paint)."""

from __future__ import annotations

import os
from pathlib import Path

from fincon_tui._exceptions import StorageError

SQLITE_HEADER = b"SQLite format 3\x00"
#: Same as storage.migrations.APPLICATION_ID (that module loads sqlite-utils).
APPLICATION_ID = 0x46434E54


def check_database_file(path: Path, *, writable: bool = True, adopt: bool = False) -> None:
    """Raise StorageError if `path` cannot possibly be our database (or,
    when `writable`, cannot be saved to)."""
    if not path.parent.is_dir():
        raise StorageError(f"the folder {path.parent} does not exist")
    if path.is_dir():
        raise StorageError(f"{path} is a folder, not a database file")
    header = b""
    if path.exists() and path.stat().st_size:
        with path.open("rb") as file:
            header = file.read(100)
        if not header.startswith(SQLITE_HEADER):
            raise StorageError(f"cannot use {path} as a database: file is not a database")
    if writable:
        _check_writable(path)
    # Ours by its header (no sqlite3 import before the first paint), else look inside.
    if header and not adopt and int.from_bytes(header[68:72], "big") != APPLICATION_ID:
        _refuse_other_programs(path)


def _check_writable(path: Path) -> None:
    if path.exists() and not os.access(path, os.W_OK):
        raise StorageError(f"{path} is read-only for you: fincon-tui saves to it (get write access or use --db)")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise StorageError(
            f"cannot write in the folder {path.parent}: fincon-tui keeps the database "
            "and its -wal and -shm files there (get write access or use --db)"
        )


def _refuse_other_programs(path: Path) -> None:
    """A non-empty SQLite file without fincon-tui's migrations table belongs
    to another program: refused before anything is created or changed."""
    import sqlite3

    from fincon_tui.storage.translate import said

    try:
        # immutable: no lock, no -wal or -shm file created beside it
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        conn.text_factory = text_or_replacement
        try:
            tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.Error as error:
        raise StorageError(f"cannot use {path} as a database (damaged?): {said(error)}") from None
    refuse_if_foreign(path, tables)


def refuse_if_foreign(path: Path, tables: set[str]) -> None:
    """Tables without fincon-tui's migrations table are another program's."""
    if tables and "_sqlite_migrations" not in tables:
        raise StorageError(
            f"{path} is another program's SQLite database ({len(tables)} tables): fincon-tui leaves it "
            "alone. Use another --db, or run 'fincon-tui --db PATH init' to add fincon-tui's tables to it"
        )


def text_or_replacement(data: bytes) -> str:
    """Text columns as str; bytes that are not UTF-8 (damage, or another
    tool) show as U+FFFD instead of stopping every read with an error."""
    return data.decode("utf-8", "replace")
