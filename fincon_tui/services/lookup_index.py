"""An F4 look-up list's records in memory: read once when the list opens,
then each filter keystroke is a search of a string, not a database query.

A record matches as in the database (records.searched_for): the fold of one
of its searched values contains what was typed, folded.  The folded values
are one string, each value ended by NUL (which no typed text holds), so
that a search is `str.find` from match to match, and a page of 20 rows of
10,000 is found as soon as its 21st row is.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

from fincon_tui.storage.records import fold, searched_for

#: A row of the list: its key, and its value in each column, as text.
Row = tuple[str, tuple[str, ...]]
_END = "\0"


def as_text(value: object) -> str:
    """A stored value as a list shows it (NULL: nothing)."""
    return "" if value is None else str(value)


class LookupIndex:
    """The rows of a look-up list, in order, and the values searched in each."""

    def __init__(self, rows: Sequence[Row], searched: Sequence[Sequence[object]]) -> None:
        self.rows = rows
        folded = ["".join(str(fold(as_text(value))).replace(_END, "") + _END for value in values)
                  for values in searched]
        #: Where each row's values start in the string.
        self.starts = [0] * len(folded)
        at = 0
        for index, text in enumerate(folded):
            self.starts[index] = at
            at += len(text)
        self.text = "".join(folded)

    @classmethod
    def of(cls, listed: Sequence[tuple[Any, ...]], columns: int) -> LookupIndex:
        """From Records.listing's rows: the key and the rest of `columns`
        shown, the values after them searched."""
        return cls([(as_text(row[0]), tuple(as_text(value) for value in row[:columns])) for row in listed],
                   [row[columns:] for row in listed])

    def find(self, text: str, skip: int, count: int) -> list[Row]:
        """The rows that match `text`, in order, the first `skip` of them
        skipped, at most `count`."""
        needle = searched_for(text)
        if _END in needle:
            return []
        if not needle:
            return list(self.rows[skip:skip + count])
        found: list[Row] = []
        at, last = self.text.find(needle), -1
        while at >= 0 and len(found) < count:
            row = bisect_right(self.starts, at) - 1
            if row != last:
                last = row
                if skip:
                    skip -= 1
                else:
                    found.append(self.rows[row])
            following = self.starts[row + 1] if row + 1 < len(self.starts) else len(self.text)
            at = self.text.find(needle, following)
        return found
