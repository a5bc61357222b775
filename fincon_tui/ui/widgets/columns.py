"""A column of a list (the Work-with lists, F4's look-up), and fitting an
untrusted value into its cells.  Apart from list_rows.py, so that a form
that declares the columns of its F4 list loads no list's widgets until F4
opens it (issue 26: memory with a form open)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len, chop_cells, set_cell_size

from fincon_tui.domain.visible import visible


def fit(text: str, width: int) -> str:
    """Untrusted text in exactly `width` terminal cells, cut with '…'."""
    shown = visible(text)
    if cell_len(shown) > width:
        return set_cell_size(shown, width - 1) + "…"
    return set_cell_size(shown, width)


@dataclass(frozen=True)
class Column:
    """A column of a list: its heading and the most cells it takes; as wide
    as its longest value on the page shown, up to that (a longer value is
    cut with '…')."""

    title: str
    most: int
    right: bool = False  # a number, right-aligned
    keeps: str = ""  # a cut value keeps what follows its last `keeps` ('host…:587')

    def width(self, values: Sequence[str]) -> int:
        return min(self.most, max(cell_len(visible(value)) for value in [self.title, *values]))

    def cell(self, text: str, width: int) -> str:
        """`text` in `width` cells, cut with '…' if longer (before the end that
        `keeps` marks, where that leaves room)."""
        shown = visible(text)
        return self._cell(shown, cell_len(shown), width)

    def _cell(self, shown: str, cells: int, width: int) -> str:
        """`cell` of a value already made visible, `cells` wide (each worked
        out once: an F4 filter keystroke lays out 20 rows of 4 values)."""
        if cells <= width:
            return shown.rjust(width) if self.right else shown + " " * (width - cells)
        head, mark, tail = shown.rpartition(self.keeps) if self.keeps else ("", "", "")
        end = mark + tail
        if mark and cell_len(end) + 2 <= width:
            return set_cell_size(head, width - cell_len(end) - 1) + "…" + end
        return fit(shown, width)

    def wrapped(self, text: str, width: int) -> list[str]:
        """`text` on as many lines of `width` cells as it needs (never cut)."""
        shown = visible(text)
        if (cells := cell_len(shown)) <= width:
            return [self._cell(shown, cells, width)]  # on one line (most values)
        lines: list[str] = []
        for word in shown.split(" "):
            if lines and cell_len(lines[-1]) + 1 + cell_len(word) <= width:
                lines[-1] += " " + word
            else:
                lines += chop_cells(word, width) or [""]
        return [self.cell(line, width) for line in lines or [""]]
