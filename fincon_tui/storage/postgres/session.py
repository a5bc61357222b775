"""The PostgreSQL store's one connection, shared by its repositories: made
again by the next action after it was lost (a server restarted, a network
that dropped), never in the middle of a transaction, whose work is then
gone and reported as such."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from fincon_tui.storage.postgres.connect import connect

if TYPE_CHECKING:
    from psycopg import Connection

    from fincon_tui.storage.location import Location


#: Names for server-side cursors, unique in the process.
_CURSORS = itertools.count()


class Session:
    """The connection to one database, as its store's parts use it."""

    def __init__(self, location: Location, conn: Connection | None = None) -> None:
        self.location = location
        self._conn = conn if conn is not None else connect(location)
        #: A transaction (or read snapshot) of the store is open: set by the store.
        self.in_transaction = False

    @property
    def conn(self) -> Connection:
        """The connection, made again if it was lost outside a transaction."""
        if self._conn.broken or self._conn.closed:
            if self.in_transaction:
                return self._conn  # the error comes from the driver, translated above
            self._conn = connect(self.location)
        return self._conn

    def rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Every row of a query, as dicts by column name."""
        from psycopg.rows import dict_row

        with self.conn.cursor(row_factory=dict_row) as cursor:
            return cursor.execute(sql, args).fetchall()

    def chunks(self, sql: str, size: int) -> Iterator[tuple[list[str], list[tuple[Any, ...]]]]:
        """The rows of a query as tuples, `size` at a time, each chunk with
        the query's column names: inside a transaction through a
        server-side cursor (the rest stays on the server), else fetched at
        once and handed out in chunks."""
        if not self.in_transaction:  # a server-side cursor lives in a transaction
            cursor = self.conn.execute(sql)
            columns = [column.name for column in cursor.description or ()]
            rows = cursor.fetchall()
            for start in range(0, len(rows), size):
                yield columns, rows[start:start + size]
            return
        with self.conn.cursor(f"fincon_chunks_{next(_CURSORS)}") as named:
            named.execute(sql)
            columns = [column.name for column in named.description or ()]
            while rows := named.fetchmany(size):
                yield columns, rows

    def row(self, sql: str, args: Sequence[Any] = ()) -> dict[str, Any] | None:
        found = self.rows(sql, args)
        return found[0] if found else None

    def value(self, sql: str, args: Sequence[Any] = ()) -> Any:
        """The first column of the first row (None without one)."""
        found = self.conn.execute(sql, args).fetchone()
        return found[0] if found else None

    def run(self, sql: str, args: Sequence[Any] = ()) -> int:
        """A statement that writes; how many rows it touched."""
        return self.conn.execute(sql, args).rowcount

    def close(self) -> None:
        self._conn.close()
