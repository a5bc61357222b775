"""The record tables on PostgreSQL (storage.store.Records): the same
semantics as versioned_table.py on SQLite, in PostgreSQL's words.

Keys are compared by the app's fold (records.fold), never a collation:
an SMTP definition's `name_folded` is written with every name and is
uniquely indexed; user codes are upper case by their own rule.  Lists are
in the order SQLite gives: SMTP Names ignoring case (the folded name,
byte order), user codes as stored.  The caller owns the transaction."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from fincon_tui._exceptions import RecordExists
from fincon_tui.domain.smtp import DECLARED, SmtpDefinition
from fincon_tui.storage import records
from fincon_tui.storage.postgres.errors import translate_methods
from fincon_tui.storage.records import (
    PAGE_FLAG,
    Keyed,
    Page,
    PageQuery,
    Stored,
    flagged_select,
    fold,
    like_containing,
    listing_select,
    new_row_id,
    other_side,
    searched_for,
    still_loaded,
    stored_reader,
    utc_now,
)

if TYPE_CHECKING:
    from fincon_tui.storage.postgres.session import Session

R = TypeVar("R", bound=Keyed)


class Table(Generic[R]):
    """One table of versioned, keyed records."""

    table: str
    key_column: str
    kind: str
    #: The column that orders and finds keys (the fold, for names).
    order_column: str
    search_columns: tuple[str, ...]
    columns_of: Callable[[R], dict[str, Any]]
    record_of: Callable[[dict[str, Any]], R]
    #: record_of for rows given as tuples of a query's columns (None: it cannot).
    reader_of: Callable[[Sequence[str]], Callable[[Sequence[Any]], R] | None]

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        translate_methods(cls)

    def __init__(self, session: Session) -> None:
        self.session = session

    def normalize_key(self, key: str) -> str:
        return key.strip()

    def ordered(self, key: str) -> str:
        """`key` as order_column holds it."""
        return self.normalize_key(key)

    def to_columns(self, record: R) -> dict[str, Any]:
        return type(self).columns_of(record)

    def _written(self, record: R) -> dict[str, Any]:
        """The columns written for `record` (and the folded name, where kept)."""
        return self.to_columns(record)

    def _stored(self, row: dict[str, Any]) -> Stored[R]:
        return Stored(type(self).record_of(row), row["created_at"], row["updated_at"], row["version"],
                      row.get("row_id"))

    def _select(self, where: str, args: list[Any], order: str = "", limit: int | None = None,
                offset: int = 0) -> list[Stored[R]]:
        sql = f"SELECT * FROM {self.table}" + (f" WHERE {where}" if where else "")
        sql += f" ORDER BY {order}" if order else ""
        sql += f" LIMIT {int(limit)}" if limit is not None else ""
        sql += f" OFFSET {int(offset)}" if offset else ""
        return [self._stored(row) for row in self.session.rows(sql, args)]

    def get(self, key: str) -> Stored[R] | None:
        found = self._select(f"{self.order_column} = %s", [self.ordered(key)], limit=1)
        return found[0] if found else None

    def many(self, keys: Sequence[str]) -> dict[object, Stored[R]]:
        """The records of `keys` by folded key, in one query."""
        wanted = list(dict.fromkeys(self.ordered(key) for key in keys))
        if not wanted:
            return {}
        return {fold(stored.key): stored for stored in self._select(f"{self.order_column} = ANY(%s)", [wanted])}

    def breaking_rules(self, keys: Sequence[str]) -> set[str]:
        """The keys among `keys` whose row breaks a declared field rule: of
        the rows noted as stored before a rule (m019), those PostgreSQL
        finds breaking one now, in one query whatever the number of keys."""
        from fincon_tui.storage.field_rules import OWNER_KINDS
        from fincon_tui.storage.postgres.rules import rules_broken

        rows = self.session.rows(
            f"SELECT r.{self.key_column} AS key FROM {self.table} AS r JOIN rows_before_rules AS b "
            f"ON b.owner_kind = '{OWNER_KINDS[self.table]}' AND b.row_id = r.row_id "
            f"WHERE {rules_broken(self.table, 'r')}")
        return {row["key"] for row in rows} & set(keys)

    def by_row_id(self, row_id: str) -> Stored[R] | None:
        found = self._select("row_id = %s", [row_id], limit=1)
        return found[0] if found else None

    def current(self, key: str, expected: int | Stored[R]) -> Stored[R]:
        return still_loaded(key, expected, self.get(key), self.by_row_id)

    def insert(self, record: R) -> Stored[R]:
        if self.get(record.key) is not None:
            raise RecordExists(f"{self.kind} {record.key} already exists")
        now = utc_now()
        row = {**self._written(record), "created_at": now, "updated_at": now, "version": 1,
               "row_id": new_row_id()}
        names = ", ".join(row)
        marks = ", ".join("%s" for _ in row)
        with self._unique(record.key):
            self.session.run(f"INSERT INTO {self.table} ({names}) VALUES ({marks})", list(row.values()))
        return self._stored(row)

    @contextlib.contextmanager
    def _unique(self, key: str) -> Iterator[None]:
        """RecordExists where a unique index refuses `key` (another server's
        insert that the write lock did not order, such as another tool's)."""
        from psycopg import errors

        try:
            yield
        except errors.UniqueViolation:
            raise RecordExists(f"{self.kind} {key} already exists") from None

    def update(self, record: R, current: Stored[R]) -> Stored[R]:
        kept = replace(record, **{self.key_column: current.key})
        return self._next_version(current, self._written(kept))

    def rename(self, current: Stored[R], new_key: str) -> Stored[R]:
        taken = self.get(new_key)
        if taken is not None and fold(taken.key) != fold(current.key):
            raise RecordExists(f"{self.kind} {taken.key} already exists")
        record = replace(current.record, **{self.key_column: new_key})
        with self._unique(new_key):
            return self._next_version(current, self._written(record))

    def _next_version(self, current: Stored[R], columns: dict[str, Any]) -> Stored[R]:
        row = {**columns, "created_at": current.created_at, "updated_at": utc_now(),
               "version": current.version + 1, "row_id": current.row_id}
        sets = ", ".join(f"{name} = %s" for name in row)
        self.session.run(f"UPDATE {self.table} SET {sets} WHERE {self.key_column} = %s",
                         [*row.values(), current.key])
        return self._stored(row)

    def delete(self, current: Stored[R]) -> None:
        self.session.run(f"DELETE FROM {self.table} WHERE {self.key_column} = %s", [current.key])

    def search(self, text: str, limit: int, offset: int = 0) -> list[Stored[R]]:
        pattern = like_containing(searched_for(text))
        where = " OR ".join(f"lower({column}) LIKE %s" for column in self.search_columns)
        return self._select(f"{self.order_column} LIKE %s OR {where}", [pattern] * (len(self.search_columns) + 1),
                            f'{self.order_column} COLLATE "C"', limit, offset)

    def listing(self, columns: Sequence[str], limit: int | None = None) -> list[tuple[Any, ...]]:
        sql = (f"SELECT {listing_select(columns, self.search_columns)} FROM {self.table} "
               f'ORDER BY {self.order_column} COLLATE "C"')
        sql += f" LIMIT {int(limit)}" if limit is not None else ""
        return [row for _, rows in self.session.chunks(sql, records.LIST_CHUNK) for row in rows]

    def chunks(self, size: int = 0) -> Generator[list[Stored[R]], None, None]:
        """Every record in search('')'s order, `size` (else records.LIST_CHUNK) at a time, from one query."""
        size = size or records.LIST_CHUNK
        sql = f'SELECT * FROM {self.table} ORDER BY {self.order_column} COLLATE "C"'
        stored: Callable[[Sequence[Any]], Stored[R]] | None = None
        for columns, rows in self.session.chunks(sql, size):
            stored = stored or self._maker(columns)
            yield [stored(row) for row in rows]

    def _maker(self, columns: Sequence[str]) -> Callable[[Sequence[Any]], Stored[R]]:
        """_stored for rows given as tuples of `columns`, without a mapping a row."""
        return stored_reader(columns, type(self).reader_of(columns), self._stored)

    def page(self, query: PageQuery) -> Page[R]:
        if query.direction == "before":
            return self._page_before(query.key, query.size)
        return self._page_from(query.key or "", query.size, past=query.direction == "after")

    def _page_from(self, start: str, size: int, *, past: bool) -> Page[R]:
        """storage/pages.py's page_from: one query."""
        column, start = f'{self.order_column} COLLATE "C"', self.ordered(start)
        rows, before = self._flagged(f"{column} {'>' if past else '>='} %s", [start], column, size + 1,
                                     f"{column} {other_side('after' if past else 'from')} %s", [start])
        if not rows and start:
            return self._page_before(None, size)
        return Page(rows[:size], before, len(rows) > size)

    def _page_before(self, first: str | None, size: int) -> Page[R]:
        """storage/pages.py's page_before: one query."""
        column = f'{self.order_column} COLLATE "C"'
        where, args = (f"{column} < %s", [self.ordered(first)]) if first is not None else ("", [])
        flag, flag_args = (f"{column} {other_side('before')} %s", args) if first is not None else ("false", [])
        rows, after = self._flagged(where, args, f"{column} DESC", size + 1, flag, flag_args)
        if len(rows) <= size:
            return self._page_from("", size, past=False)
        return Page(list(reversed(rows[:size])), True, after)

    def _flagged(self, where: str, args: list[Any], order: str, limit: int, flag: str,
                 flag_args: list[Any]) -> tuple[list[Stored[R]], bool]:
        """_select's records and whether any record matches `flag`, in one query (False: none found)."""
        rows = self.session.rows(flagged_select(self.table, where, order, limit, flag), [*flag_args, *args])
        flags = [row.pop(PAGE_FLAG) for row in rows]
        return [self._stored(row) for row in rows], bool(flags) and flags[0] is True


translate_methods(Table)


class Definitions(Table[SmtpDefinition]):
    """storage.store.SmtpDefinitions: `smtp_settings`, by folded name."""

    table = "smtp_settings"
    key_column = "name"
    kind = "SMTP definition"
    order_column = "name_folded"
    search_columns = ("name", "mail_server")
    columns_of = staticmethod(DECLARED.to_columns)
    record_of = staticmethod(DECLARED.from_columns)
    reader_of = staticmethod(DECLARED.reader)

    def ordered(self, key: str) -> str:
        return str(fold(self.normalize_key(key)))

    def _written(self, record: SmtpDefinition) -> dict[str, Any]:
        return {**self.to_columns(record), "name_folded": fold(record.name)}
