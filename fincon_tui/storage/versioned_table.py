"""A table of keyed records with a `version` column: optimistic concurrency."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from fincon_tui._exceptions import RecordExists
from fincon_tui.storage.records import Keyed, Page, PageQuery, SqliteValue, Stored, fold, still_loaded, utc_now
from fincon_tui.storage.translate import translate_methods

if TYPE_CHECKING:
    from sqlite_utils import Database

R = TypeVar("R", bound=Keyed)
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

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        translate_methods(cls)

    def __init__(self, db: Database) -> None:
        self.db = db
        db.conn.create_function("fincon_fold", 1, fold, deterministic=True)

    def to_columns(self, record: R) -> dict[str, object]:
        raise NotImplementedError

    def from_columns(self, row: Mapping[str, Any]) -> R:
        raise NotImplementedError

    def normalize_key(self, key: str) -> str:
        return key.strip()

    def _stored(self, row: Mapping[str, Any]) -> Stored[R]:
        return Stored(self.from_columns(row), row["created_at"], row["updated_at"], row["version"], row.get("row_id"))

    def get(self, key: str) -> Stored[R] | None:
        """The record with this key, ignoring case in any script, or None."""
        key = self.normalize_key(key)
        row = next(iter(self.db[self.table].rows_where(f"{self.key_column} = ?", [key], limit=1)), None)
        if row is None:  # NOCASE folds ASCII only
            row = next(
                iter(self.db[self.table].rows_where(
                    f"fincon_fold({self.key_column}) = fincon_fold(?)", [key], limit=1)),
                None,
            )
        return self._stored(row) if row else None

    def insert(self, record: R) -> Stored[R]:
        """Add a new record; RecordExists if the key is taken."""
        key = record.key
        if self.get(key) is not None:
            raise RecordExists(f"{self.kind} {key} already exists")
        now = utc_now()
        row = {**self.to_columns(record), "created_at": now, "updated_at": now, "version": 1,
               "row_id": secrets.token_hex(8)}
        self.db.table(self.table).insert(row)
        return self._stored(row)

    def current(self, key: str, expected: int | Stored[R]) -> Stored[R]:
        """The record as stored, if it is still the one loaded: `expected` is
        the loaded record (same row and version) or just its version.
        RecordChanged if another session saved, deleted or re-created it."""
        return still_loaded(key, expected, self.get(key), self.by_row_id)

    def update(self, record: R, current: Stored[R]) -> Stored[R]:
        """Replace `current` (from current()) with `record`; the stored key spelling stays."""
        return self._next_version(current, {**self.to_columns(record), self.key_column: current.key})

    def by_row_id(self, row_id: str) -> Stored[R] | None:
        found = self.where("row_id = ?", [row_id], "row_id", 1)
        return found[0] if found else None

    def where(self, where: str, args: Sequence[SqliteValue], order_by: str, limit: int) -> list[Stored[R]]:
        """Records matching an SQL condition (empty: all), in `order_by` order."""
        rows = self.db[self.table].rows_where(where or None, args, order_by=order_by, limit=limit)
        return [self._stored(row) for row in rows]

    def rename(self, current: Stored[R], new_key: str) -> Stored[R]:
        """Give `current` (from current()) the key `new_key`: the same row
        (created_at, row_id) in a new version.  RecordExists if another
        record has that key; the caller moves what refers to the old key."""
        self.db.execute("PRAGMA defer_foreign_keys = ON")  # the caller re-points what refers to it
        taken = self.get(new_key)
        if taken is not None and fold(taken.key) != fold(current.key):
            raise RecordExists(f"{self.kind} {taken.key} already exists")
        record = replace(current.record, **{self.key_column: new_key})
        return self._next_version(current, self.to_columns(record))

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

    def search(self, text: str, limit: int) -> list[Stored[R]]:
        """Records whose search columns contain `text` (any case), in key order."""
        pattern = "%" + text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        like = "LIKE fincon_fold(?) ESCAPE '\\'" if not text.isascii() else "LIKE ? ESCAPE '\\'"
        fold = "fincon_fold({})" if not text.isascii() else "{}"
        where = " OR ".join(f"{fold.format(column)} {like}" for column in self.search_columns)
        rows = self.db[self.table].rows_where(
            where,
            [pattern] * len(self.search_columns),
            order_by=f"{self.key_column} COLLATE NOCASE",
            limit=limit,
        )
        return [self._stored(row) for row in rows]



translate_methods(Repository)
