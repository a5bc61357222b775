"""The store's SQLite connection: plain sqlite3 for opening and reading,
sqlite-utils' Database over the same connection made on first use (a
write, a migration).  sqlite-utils imports click, pluggy, dateutil and csv
whatever is used (about 70 modules and 5 MiB), so that a start on an
existing database and the screens that only read load none of it
(issue 26); the first save loads it, in the database thread."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.db import Table


#: The statements that begin or end a transaction themselves (sqlite-utils'
#: _TRANSACTION_CONTROL_KEYWORDS): execute() leaves what they do alone.
TRANSACTION_CONTROL = frozenset({"BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"})


def _first_keyword(sql: str) -> str:
    """The statement's first word, upper case (fincon-tui's SQL starts with
    no comment)."""
    words = sql.lstrip(" \t\r\n;\ufeff").split(None, 1)
    return words[0].rstrip(";").upper() if words else ""


class Connection:
    """One sqlite3 connection as storage uses it: `execute` and `conn`, as
    on sqlite-utils' Database, and `utils`, that Database, for the rest."""

    def __init__(self, conn: sqlite3.Connection, file: str | None = None) -> None:
        self.conn = conn
        #: The file opened (damage names it), None in memory.
        self.file = file
        # What sqlite-utils' Database sets on the connection it is given,
        # set here once: every path sees the same triggers whether or not it
        # was made yet (`utils` does not set it again).
        conn.execute("PRAGMA recursive_triggers = on")

    def execute(self, sql: str, parameters: Sequence[Any] | Mapping[str, Any] = ()) -> sqlite3.Cursor:
        """conn.execute as sqlite-utils' Database.execute does it: a write
        outside a transaction is committed at once, and one that fails
        rolled back, instead of leaving the transaction that sqlite3 began
        for it open (test_storage compares the two)."""
        was_in_transaction = self.conn.in_transaction
        try:
            cursor = self.conn.execute(sql, parameters)
        except Exception:
            if not was_in_transaction and self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        if (not was_in_transaction and self.conn.in_transaction and cursor.description is None
                and _first_keyword(sql) not in TRANSACTION_CONTROL):
            self.conn.execute("COMMIT")
        return cursor

    @functools.cached_property
    def utils(self) -> Database:
        """sqlite-utils' Database over this connection, made on first use."""
        from sqlite_utils import Database

        # No plugin look-up: fincon-tui uses none, and looking reads every
        # installed package's entry points (15 ms and 1.1 MiB, issue 26).
        return Database(self.conn, recursive_triggers=False, execute_plugins=False)

    def table(self, name: str) -> Table:
        """sqlite-utils' table `name` (its writes: insert, update, delete)."""
        return self.utils.table(name)

    def table_names(self) -> list[str]:
        """The tables, as sqlite-utils' Database.table_names() lists them."""
        return [row[0] for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]

    @property
    def journal_mode(self) -> str:
        return str(self.conn.execute("PRAGMA journal_mode").fetchone()[0])

    def close(self) -> None:
        self.conn.close()
