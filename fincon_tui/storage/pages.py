"""One screenful of a keyed table at a time, in key order: each page is
one query from a key along the primary key's index, so a long list never
loads whole.  The order is the key column's collation: SMTP Names ignoring
(ASCII) case, user codes as stored (upper case)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from fincon_tui.storage.records import Keyed, Page, SqliteValue, Stored, other_side

R = TypeVar("R", bound=Keyed)


class Repository(Protocol[R]):
    """What a page is read from (versioned_table.Repository)."""

    key_column: str

    def normalize_key(self, key: str) -> str: ...

    def flagged(self, where: str, args: Sequence[SqliteValue], order_by: str, limit: int,
                flag: str, flag_args: Sequence[SqliteValue]) -> tuple[list[Stored[R]], bool]: ...


def page_from(repo: Repository[R], start: str, size: int, *, past: bool = False) -> Page[R]:
    """The first `size` records whose key is `start` or after it (`past`:
    after it); `start` past the last key gives the last page (Position to "ZZZ").
    One query: the rows, one more to know whether any follow, and whether
    any come before (records.other_side)."""
    column, start = repo.key_column, repo.normalize_key(start)
    rows, before = repo.flagged(f"{column} {'>' if past else '>='} ?", [start], column, size + 1,
                                f"{column} {other_side('after' if past else 'from')} ?", [start])
    if not rows and start:
        return page_before(repo, None, size)
    return Page(rows[:size], before, len(rows) > size)


def page_before(repo: Repository[R], first: str | None, size: int) -> Page[R]:
    """The `size` records before the key `first` (None: the end); the first
    page when fewer are left.  One query, as page_from's."""
    column = repo.key_column
    where, args = (f"{column} < ?", [repo.normalize_key(first)]) if first is not None else ("", [])
    # Nothing comes after the end; else what is at `first` or after it.
    flag, flag_args = (f"{column} {other_side('before')} ?", args) if first is not None else ("0", [])
    rows, after = repo.flagged(where, args, f"{column} DESC", size + 1, flag, flag_args)
    if len(rows) <= size:
        return page_from(repo, "", size)
    return Page(list(reversed(rows[:size])), True, after)
