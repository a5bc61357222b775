"""An F4 look-up list's records in memory: read once when the list opens,
then each filter keystroke is a search of a string, not a database query.

A record matches as in the database (records.searched_for): the fold of one
of its searched values contains what was typed, folded.  The searched values
are one folded string, the values of a row apart by SOH and the rows by
newlines (which typed text never holds), made in one pass: 100,000 records
take a fold of one string, not one a value.  A search is `str.find` from
match to match, so a page of 20 rows is found as soon as its 21st row is;
a row's shown values are made text only when it is found.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fincon_tui.storage.records import fold, searched_for

#: A row of the list: its key, and its value in each column, as text.
Row = tuple[str, tuple[str, ...]]
_VALUES, _ROWS = "\x01", "\n"


def as_text(value: object) -> str:
    """A stored value as a list shows it (NULL: nothing)."""
    return "" if value is None else str(value)


class LookupIndex:
    """The rows of a look-up list, in order, and the values searched in each."""

    def __init__(self, listed: Sequence[tuple[Any, ...]], shown: int, key: int = 0) -> None:
        """`listed`: each row's `shown` values (its key the `key`-th), then
        the values searched, as text (Records.listing's rows)."""
        self.listed = listed
        self.shown = shown
        self.key = key
        self.text = str(fold(_ROWS.join([_VALUES.join(row[shown:]).replace(_ROWS, _VALUES) for row in listed])))

    def find(self, text: str, skip: int, count: int) -> list[Row]:
        """The rows that match `text`, in order, the first `skip` of them
        skipped, at most `count`."""
        needle = searched_for(text)
        if _ROWS in needle or _VALUES in needle:
            return []
        if not needle:
            return [self._row(row) for row in self.listed[skip:skip + count]]
        found: list[Row] = []
        row, counted = 0, 0
        at = self.text.find(needle)
        while at >= 0 and len(found) < count:
            row += self.text.count(_ROWS, counted, at)
            counted = at
            if skip:
                skip -= 1
            else:
                found.append(self._row(self.listed[row]))
            following = self.text.find(_ROWS, at)
            at = self.text.find(needle, following + 1) if following >= 0 else -1
        return found

    def _row(self, listed: tuple[Any, ...]) -> Row:
        return as_text(listed[self.key]), tuple(as_text(value) for value in listed[:self.shown])
