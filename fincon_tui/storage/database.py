"""Opening the database: connection settings, checks, migrations, and
making sure a save goes to the file at the path that was opened."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

from fincon_tui._exceptions import NoDatabase, SchemaTooNew, StorageError
from fincon_tui.storage import intact
from fincon_tui.storage.checks import (
    cannot_write,
    check_database_file,
    refuse_if_foreign,
    text_or_replacement,
)
from fincon_tui.storage.connection import Connection
from fincon_tui.storage.migrations import migrations
from fincon_tui.storage.transactions import remember_file, until_unlocked, write_transaction
from fincon_tui.storage.translate import damaged, database_error, is_damage, said
from fincon_tui.storage.waiting import WAITING, Waiting

#: How long a writer waits for another session's transaction (milliseconds).
BUSY_TIMEOUT_MS = 10_000
#: How long a start waits for another that is creating or upgrading the schema.
UPGRADE_WAIT_SECONDS = 60.0


def open_database(
    path: Path, *, writable: bool = True, adopt: bool = False, waiting: Waiting | None = None,
    any_schema: bool = False,
) -> Connection:
    """Open the database at `path`; raises StorageError with a one-line reason.

    `writable` creates a missing or empty file and brings the schema up to
    date; read-only use (`smtp list`, `key status` ...) changes nothing and
    refuses a database that would need either (NoDatabase).  A non-empty SQLite file of
    another program is refused unless `adopt` (`fincon-tui init`).  When
    another process is creating or upgrading the schema, the open waits
    for it, reported through `waiting` (else the thread's, see WAITING).
    `any_schema` (read-only) opens an older schema as it is, to be described.
    """
    check_database_file(path, writable=writable, adopt=adopt)
    if not writable and not path.exists():
        raise NoDatabase(f"there is no database at {path} yet", empty=True)
    if writable:
        _create_private(path)
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        conn.text_factory = text_or_replacement
        db = Connection(conn, str(path))
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys = ON")
        _check_intact(db, path)
        _refuse_other_programs(db, path, adopt)
        _refuse_newer_schema(db)
        if not writable:
            _refuse_pending(db, path, any_schema)
        else:
            _bring_up_to_date(db, waiting or WAITING.get() or Waiting())
    except sqlite3.DatabaseError as error:
        if is_damage(error):
            raise database_error(error, path) from None
        refused = isinstance(error, sqlite3.OperationalError) and _refused_file(error)
        why = cannot_write(path, reading=not writable) if refused else None
        raise StorageError(why or f"cannot use {path} as a database: {said(error)}") from None
    except UnicodeDecodeError:  # sqlite3 decoding SQLite's error, which quotes the file's damaged schema
        raise damaged(path, "SQLite's report of it is not UTF-8 text") from None
    remember_file(db, path)
    return db


def empty_database() -> Connection:
    """A new database as a first start creates it, in memory: what an
    `import --dry-run` checks against when there is none at the path yet."""
    db = Connection(sqlite3.connect(":memory:"))
    db.execute("PRAGMA foreign_keys = ON")
    migrations.apply(db.utils)
    return db


def _refuse_pending(db: Connection, path: Path, any_schema: bool = False) -> None:
    """A read-only open needs the schema as this version writes it (or,
    `any_schema`, any of its steps but none)."""
    if not migrations.pending(db):
        return
    if not migrations.applied(db):
        raise NoDatabase(f"{path} holds no fincon-tui database yet", empty=True)
    if not any_schema:
        raise NoDatabase(f"{path} was written by an older fincon-tui", empty=False)


def _bring_up_to_date(db: Connection, waiting: Waiting) -> None:
    """WAL mode, and the schema's pending steps in one write transaction:
    of fincon-tuis starting at once on a new or older database, one
    migrates and the others wait for it (reported like a wait for a save),
    then find nothing left to do."""
    schema_lock = Waiting(report=waiting.report, abandoned=waiting.abandoned, limit=UPGRADE_WAIT_SECONDS,
                          holder="another fincon-tui creating or upgrading the database")
    if db.journal_mode != "wal":
        until_unlocked(db, schema_lock, lambda: db.utils.enable_wal())
    if not migrations.pending(db):
        return
    token = WAITING.set(schema_lock)
    try:
        with write_transaction(db):
            _refuse_newer_schema(db)  # a newer version may have been first
            migrations.apply(db.utils)
    finally:
        WAITING.reset(token)


def _refused_file(error: sqlite3.OperationalError) -> bool:
    """SQLite could not open or write the file or one beside it (the -shm
    file of a read, in a folder this account cannot write)."""
    return any(words in str(error) for words in ("readonly", "unable to open"))


def _check_intact(db: Connection, path: Path) -> None:
    """PRAGMA quick_check, once per state of the file (storage/intact.py):
    it reads the whole file.  Damage that a check did not see (written
    since, with the file's times set back) is named by the read that meets
    it, in the same words (translate.damaged)."""
    before = intact.state(path)
    if before is not None and intact.known_intact(path, before):
        return
    result = [row[0] for row in db.execute("PRAGMA quick_check(3)").fetchall()]
    if result != ["ok"]:
        lines = [line for row in result for line in row.splitlines() if not line.startswith("***")]
        raise damaged(path, "; ".join(lines)[:200])
    if before is not None and intact.state(path) == before:  # nobody wrote while it was read
        intact.remember_intact(path, before)


def _refuse_other_programs(db: Connection, path: Path, adopt: bool) -> None:
    """Again, now with the -wal file read too (the quick check skips it)."""
    if not adopt:
        refuse_if_foreign(path, set(db.table_names()))


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


def _refuse_newer_schema(db: Connection) -> None:
    ours = set(migrations.names)
    unknown = [name for name in migrations.applied(db) if name not in ours]
    if unknown:
        raise SchemaTooNew(
            "the database was written by a newer fincon-tui "
            f"(unknown schema step {unknown[-1]}); upgrade fincon-tui"
        )
