"""Quick checks of a database file before the full-screen app starts, so the
common mistakes get a one-line message without a flash of the UI (the full
open, with migrations, happens right after the first paint)."""

from __future__ import annotations

import os
import stat
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
    header = _header(path)
    if header and not header.startswith(SQLITE_HEADER):
        raise StorageError(f"cannot use {path} as a database: file is not a database")
    if writable and (why := cannot_write(path)):
        raise StorageError(why)
    # Ours by its header (no sqlite3 import before the first paint), else look inside.
    if header and not adopt and int.from_bytes(header[68:72], "big") != APPLICATION_ID:
        _refuse_other_programs(path)


#: What a path that is not a regular file is, by its st_mode.
_NOT_FILES = ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
              (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"))


def _header(path: Path) -> bytes:
    """The first 100 bytes of the file at `path` (none if it is missing or
    empty); StorageError if it is not a regular file or cannot be read."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return b""
    except OSError as error:
        raise StorageError(f"cannot use {path} as a database: {error.strerror}") from None
    if not stat.S_ISREG(mode):
        what = next((name for test, name in _NOT_FILES if test(mode)), "not a regular file")
        raise StorageError(f"{path} is {what}, not a database file")
    try:
        with path.open("rb") as file:
            return file.read(100)
    except PermissionError:
        raise StorageError(f"{path} is not readable for you (get read access or use --db)") from None
    except OSError as error:
        raise StorageError(f"cannot read {path}: {error.strerror}") from None


def cannot_write(path: Path, *, reading: bool = False) -> str | None:
    """Why this account cannot write what the database at `path` needs, or
    None: saving writes the file and its -wal and -shm files beside it;
    reading needs the -shm file only (SQLite could not open it).  One
    wording for both, whatever SQLite said (a read-only mount, say)."""
    file_read_only = path.exists() and not os.access(path, os.W_OK)
    folder_read_only = not os.access(path.parent, os.W_OK | os.X_OK)
    if reading and folder_read_only:
        if file_read_only:
            return (f"{path} is read-only for you, and so is its folder: reading it needs its -shm file "
                    "there (get write access or use --db)")
        return (f"cannot write in the folder {path.parent}: reading {path.name} needs its -shm file there "
                "(get write access or use --db)")
    if reading:
        return None
    if file_read_only:
        return f"{path} is read-only for you: fincon-tui saves to it (get write access or use --db)"
    if folder_read_only:
        return (f"cannot write in the folder {path.parent}: fincon-tui keeps the database "
                "and its -wal and -shm files there (get write access or use --db)")
    return None


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
