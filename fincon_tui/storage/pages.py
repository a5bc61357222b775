"""One screenful of a keyed table at a time, in key order: each page is
one query from a key along the primary key's index, so a long list never
loads whole.  The order is the key column's collation: SMTP Names ignoring
(ASCII) case, user codes as stored (upper case)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from fincon_tui.storage.records import Keyed, Page, SqliteValue, Stored

R = TypeVar("R", bound=Keyed)


class Repository(Protocol[R]):
    """What a page is read from (versioned_table.Repository)."""

    key_column: str

    def normalize_key(self, key: str) -> str: ...

    def where(self, where: str, args: Sequence[SqliteValue], order_by: str, limit: int) -> list[Stored[R]]: ...

    def exists(self, where: str, args: Sequence[SqliteValue]) -> bool: ...


def _keys(
    repo: Repository[R], where: str, args: Sequence[SqliteValue], size: int, descending: bool = False
) -> list[Stored[R]]:
    return repo.where(where, args, f"{repo.key_column}{' DESC' if descending else ''}", size)


def page_from(repo: Repository[R], start: str, size: int, *, past: bool = False) -> Page[R]:
    """The first `size` records whose key is `start` or after it (`past`:
    after it); `start` past the last key gives the last page (Position to "ZZZ")."""
    column, start = repo.key_column, repo.normalize_key(start)
    rows = _keys(repo, f"{column} {'>' if past else '>='} ?", [start], size + 1)
    if not rows and start:
        return page_before(repo, None, size)
    before = bool(rows) and repo.exists(f"{column} < ?", [rows[0].key])
    return Page(rows[:size], before, len(rows) > size)


def page_before(repo: Repository[R], first: str | None, size: int) -> Page[R]:
    """The `size` records before the key `first` (None: the end); the first
    page when fewer are left."""
    column = repo.key_column
    where, args = (f"{column} < ?", [repo.normalize_key(first)]) if first is not None else ("", [])
    rows = _keys(repo, where, args, size + 1, descending=True)
    if len(rows) <= size:
        return page_from(repo, "", size)
    rows = list(reversed(rows[:size]))
    return Page(rows, True, repo.exists(f"{column} > ?", [rows[-1].key]))
