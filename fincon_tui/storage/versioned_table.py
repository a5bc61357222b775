"""A table of keyed records with a `version` column: optimistic concurrency."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from fincon_tui._exceptions import RecordExists, StorageError
from fincon_tui.storage import records
from fincon_tui.storage.records import (
    Keyed,
    Page,
    PageQuery,
    SqliteValue,
    Stored,
    flagged_select,
    fold,
    like_containing,
    listing_select,
    new_row_id,
    searched_for,
    still_loaded,
    stored_reader,
    utc_now,
)
from fincon_tui.storage.translate import translate_methods

if TYPE_CHECKING:
    from fincon_tui.storage.connection import Connection

R = TypeVar("R", bound=Keyed)
#: How many keys one query of `many` or `breaking_rules` names.
_CHUNK = 500
__all__ = ["Repository", "SqliteValue", "Stored", "fold", "utc_now"]


class Repository(Generic[R]):
    """Reads and writes one table; the caller owns the transaction.

    Subclasses name the table, its key column and a human name for messages,
    and map records to columns and back.
    """

    table: str
    key_column: str
    kind: str
    search_columns: tuple[str, ...]
    #: The column that holds the key as records.fold folds it, uniquely indexed (m016), if any.
    folded_column: str | None = None

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        translate_methods(cls)

    def __init__(self, db: Connection) -> None:
        self.db = db
        db.conn.create_function("fincon_fold", 1, fold, deterministic=True)

    def to_columns(self, record: R) -> dict[str, object]:
        raise NotImplementedError

    def from_columns(self, row: Mapping[str, Any]) -> R:
        raise NotImplementedError

    def normalize_key(self, key: str) -> str:
        return key.strip()

    def _stored(self, row: Mapping[str, Any]) -> Stored[R]:
        return Stored(self.from_columns(row), row["created_at"], row["updated_at"], row["version"], row.get("row_id"),
                      same_name_as=self._same_name(row))

    def record_reader(self, columns: Sequence[str]) -> Callable[[Sequence[Any]], R] | None:
        """from_columns for rows given as tuples of `columns`, or None (then
        each row goes through a mapping)."""
        return None

    def _maker(self, columns: Sequence[str]) -> Callable[[Sequence[Any]], Stored[R]]:
        """_stored for rows given as tuples of `columns` (a query's), without a mapping a row."""
        folded = columns.index(self.folded_column) if self.folded_column in columns else None

        def same_name(row: Sequence[Any]) -> str | None:
            if folded is None or row[folded] is not None:
                return None
            return self._same_name(dict(zip(columns, row, strict=True)))  # see _same_name

        return stored_reader(columns, self.record_reader(columns), self._stored, same_name)

    def _records(self, where: str | None, args: Sequence[SqliteValue], order_by: str | None = None,
                 limit: int | None = None, offset: int = 0) -> list[Stored[R]]:
        """The records matching an SQL condition (one query)."""
        cursor = self._select(where, args, order_by, limit, offset)
        stored = self._maker([described[0] for described in cursor.description])
        return [stored(row) for row in cursor]

    def _select(self, where: str | None, args: Sequence[SqliteValue], order_by: str | None,
                limit: int | None, offset: int = 0) -> sqlite3.Cursor:
        sql = f"SELECT * FROM {self.table}" + (f" WHERE {where}" if where else "")
        sql += (f" ORDER BY {order_by}" if order_by else "") + (f" LIMIT {int(limit)}" if limit is not None else "")
        sql += f" OFFSET {int(offset)}" if offset and limit is not None else ""
        return self.db.execute(sql, list(args))

    def _same_name(self, row: Mapping[str, Any]) -> str | None:
        """Another row's key that folds like `row`'s, for a row without its
        fold (m016 left it out for a duplicate); None otherwise."""
        column, key = self.key_column, row.get(self.key_column)
        if not self.folded_column or row.get(self.folded_column, "") is not None or not isinstance(key, str):
            return None
        other = self._first(f"{self.folded_column} = ?", [fold(key)]) or self._first(
            f"{self.folded_column} IS NULL AND {column} <> ? AND fincon_fold({column}) = fincon_fold(?)", [key, key])
        return str(other[column]) if other else None

    def _written(self, record: R) -> dict[str, object]:
        """The columns written for `record`, with its folded key where kept."""
        columns = self.to_columns(record)
        if self.folded_column:
            columns[self.folded_column] = fold(record.key)
        return columns

    def _found(self, key: str) -> Mapping[str, Any] | None:
        """The row whose key folds like `key` (normalized), or None: the
        key as typed (NOCASE folds ASCII only), then the folded key's index,
        then the rows without one (another tool's, or a duplicate kept by
        m016) folded here."""
        column, folded = self.key_column, self.folded_column
        if not folded:
            return self._first(f"{column} = ?", [key]) or self._first(f"fincon_fold({column}) = fincon_fold(?)", [key])
        return (self._first(f"{column} = ?", [key]) or self._first(f"{folded} = ?", [fold(key)])
                or self._first(f"{folded} IS NULL AND fincon_fold({column}) = fincon_fold(?)", [key]))

    def _first(self, where: str, args: Sequence[SqliteValue]) -> Mapping[str, Any] | None:
        return next(iter(self._rows(where, args, limit=1)), None)

    def _rows(self, where: str | None, args: Sequence[SqliteValue], order_by: str | None = None,
              limit: int | None = None) -> list[dict[str, Any]]:
        """The rows matching an SQL condition, as dicts: one query (sqlite-utils'
        rows_where first asks sqlite_master for the table, three queries more)."""
        cursor = self._select(where, args, order_by, limit)
        columns = [described[0] for described in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor]

    def get(self, key: str) -> Stored[R] | None:
        """The record with this key, ignoring case in any script, or None."""
        row = self._found(self.normalize_key(key))
        return self._stored(row) if row else None

    def insert(self, record: R) -> Stored[R]:
        """Add a new record; RecordExists if the key is taken (also when
        the database's unique index finds it)."""
        key = record.key
        if self.get(key) is not None:
            raise RecordExists(f"{self.kind} {key} already exists")
        now = utc_now()
        row = {**self._written(record), "created_at": now, "updated_at": now, "version": 1,
               "row_id": new_row_id()}
        with self._unique(key):
            self.db.table(self.table).insert(row)
        return self._stored(row)

    @contextlib.contextmanager
    def _unique(self, key: str) -> Iterator[None]:
        """RecordExists where a unique index refuses `key`."""
        try:
            yield
        except sqlite3.IntegrityError as error:
            if "UNIQUE" not in str(error):
                raise
            raise RecordExists(f"{self.kind} {key} already exists") from None

    def current(self, key: str, expected: int | Stored[R]) -> Stored[R]:
        """The record as stored, if it is still the one loaded: `expected` is
        the loaded record (same row and version) or just its version.
        RecordChanged if another session saved, deleted or re-created it."""
        return still_loaded(key, expected, self.get(key), self.by_row_id)

    def update(self, record: R, current: Stored[R]) -> Stored[R]:
        """Replace `current` (from current()) with `record`; the stored key spelling stays."""
        try:
            return self._next_version(current, self._written(replace(record, **{self.key_column: current.key})))
        except sqlite3.IntegrityError as error:
            if "UNIQUE" not in str(error):
                raise
            raise StorageError(f"{self.kind} {current.key} has the name of another ignoring case: rename it "
                               "first") from None

    def by_row_id(self, row_id: str) -> Stored[R] | None:
        found = self.where("row_id = ?", [row_id], "row_id", 1)
        return found[0] if found else None

    def where(self, where: str, args: Sequence[SqliteValue], order_by: str, limit: int) -> list[Stored[R]]:
        """Records matching an SQL condition (empty: all), in `order_by` order."""
        return self._records(where or None, args, order_by, limit)

    def flagged(self, where: str, args: Sequence[SqliteValue], order_by: str, limit: int,
                flag: str, flag_args: Sequence[SqliteValue]) -> tuple[list[Stored[R]], bool]:
        """where()'s records and whether any record matches the condition
        `flag` (a page's: any on its other side), in one query; False when
        no record is found."""
        cursor = self.db.execute(flagged_select(self.table, where, order_by, limit, flag), [*flag_args, *args])
        stored = self._maker([described[0] for described in cursor.description][:-1])
        rows = cursor.fetchall()
        return [stored(row[:-1]) for row in rows], bool(rows) and bool(rows[0][-1])

    def many(self, keys: Sequence[str]) -> dict[object, Stored[R]]:
        """The records of `keys` by folded key, in one query a chunk (a key
        that folds like a stored one but is spelled otherwise: one get)."""
        found: dict[object, Stored[R]] = {}
        spelled_as_stored: set[str] = set()  # found as given: folded already
        wanted = list(dict.fromkeys(self.normalize_key(key) for key in keys))
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start:start + _CHUNK]
            where = f"{self.key_column} IN ({', '.join('?' for _ in chunk)})"
            for stored in self._records(where, chunk):
                found[fold(stored.key)] = stored
                spelled_as_stored.add(stored.key)
        for key in wanted:
            if (key not in spelled_as_stored and (folded := fold(key)) not in found
                    and (spelled := self.get(key)) is not None):
                found[folded] = spelled
        return found

    def breaking_rules(self, keys: Sequence[str]) -> set[str]:
        """The keys among `keys` whose row breaks a declared field rule: of
        the rows noted as stored before a rule (m019), those SQLite finds
        breaking one now, in one query whatever the number of keys."""
        from fincon_tui.storage.constraints import rules_broken
        from fincon_tui.storage.field_rules import OWNER_KINDS

        rows = self.db.execute(
            f"SELECT r.{self.key_column} FROM {self.table} AS r JOIN rows_before_rules AS b "
            f"ON b.owner_kind = '{OWNER_KINDS[self.table]}' AND b.row_id = r.row_id "
            f"WHERE {rules_broken(self.table, 'r')}")
        return {row[0] for row in rows} & set(keys)

    def rename(self, current: Stored[R], new_key: str) -> Stored[R]:
        """Give `current` (from current()) the key `new_key`: the same row
        (created_at, row_id) in a new version.  RecordExists if another
        record has that key; the caller moves what refers to the old key."""
        self.db.execute("PRAGMA defer_foreign_keys = ON")  # the caller re-points what refers to it
        taken = self.get(new_key)
        if taken is not None and fold(taken.key) != fold(current.key):
            raise RecordExists(f"{self.kind} {taken.key} already exists")
        record = replace(current.record, **{self.key_column: new_key})
        with self._unique(new_key):
            renamed = self._next_version(current, self._written(record))
            if self.folded_column:  # m016's trigger clears a fold that a rename leaves as it was
                self.db.execute(f"UPDATE {self.table} SET {self.folded_column} = ? WHERE {self.key_column} = ?",
                                [fold(new_key), new_key])
        return renamed

    def _next_version(self, current: Stored[R], columns: Mapping[str, object]) -> Stored[R]:
        """Write `columns` over `current` as its next version, the same row."""
        row = {
            **columns,
            "created_at": current.created_at,
            "updated_at": utc_now(),
            "version": current.version + 1,
            "row_id": current.row_id,
        }
        self.db.table(self.table).update(current.key, row)
        return self._stored(row)

    def delete(self, current: Stored[R]) -> None:
        """Remove `current` (from current())."""
        self.db.table(self.table).delete(current.key)

    def page(self, query: PageQuery) -> Page[R]:
        """One page in key order (see PageQuery)."""
        from fincon_tui.storage import pages

        if query.direction == "before":
            return pages.page_before(self, query.key, query.size)
        return pages.page_from(self, query.key or "", query.size, past=query.direction == "after")

    def chunks(self, size: int = 0) -> Generator[list[Stored[R]], None, None]:
        """Every record in search('')'s order, `size` (else records.LIST_CHUNK) at a time, from one query."""
        size = size or records.LIST_CHUNK
        cursor = self.db.execute(f"SELECT * FROM {self.table} ORDER BY {self.key_column} COLLATE NOCASE")
        stored = self._maker([described[0] for described in cursor.description])
        while rows := cursor.fetchmany(size):
            yield [stored(row) for row in rows]

    def search(self, text: str, limit: int, offset: int = 0) -> list[Stored[R]]:
        """Records whose search columns contain `text` (any case), in key
        order, from the `offset`-th on (records.searched_for).  The pattern is
        folded here, once: as fincon_fold(?) SQLite called Python for it on
        every row it scanned (16 ms instead of 3 over 10,000 rows, for a rare text)."""
        needle = searched_for(text)
        pattern = like_containing(needle)
        column_of = "{}" if needle.isascii() else "fincon_fold({})"  # LIKE ignores ASCII case itself
        where = " OR ".join(f"{column_of.format(column)} LIKE ? ESCAPE '\\'" for column in self.search_columns)
        args: list[SqliteValue] = [pattern] * len(self.search_columns)
        if self.folded_column:  # 'STRASSE' finds 'Straße'
            where += f" OR {self.folded_column} LIKE ? ESCAPE '\\'"
            args.append(pattern)
        return self._records(where, args, f"{self.key_column} COLLATE NOCASE", limit, offset)

    def listing(self, columns: Sequence[str], limit: int | None = None) -> list[tuple[Any, ...]]:
        """Every record's `columns`, then its searched values, in search('')'s order."""
        sql = (f"SELECT {listing_select(columns, self.search_columns)} FROM {self.table} "
               f"ORDER BY {self.key_column} COLLATE NOCASE")
        return self.db.execute(sql + (f" LIMIT {int(limit)}" if limit is not None else "")).fetchall()



translate_methods(Repository)
