"""A window onto a list's rows, drawn a line at a time (Textual's Line API).

An F4 filter keystroke replaces the rows: an OptionList (a scrolling
widget) then cleared its options and added the new ones, which changed its
virtual size twice and showed and hid its scroll bar, and the whole screen
was laid out again for each key.  This window has a fixed size and no
scrolling of Textual's: it keeps the first line it shows itself, draws each
line it shows from its rows, and repaints only the lines whose drawing
changed.  Nothing about it is laid out again when its rows change.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

#: A row: its key, and its lines of plain text (already made visible).
Row = tuple[str, Sequence[str]]


class RowWindow(Widget):
    """Rows of one or more lines, one of them highlighted, the highlighted
    one always in view.  A click on a row posts `Picked` with its key."""

    COMPONENT_CLASSES = {"row-window--highlighted"}
    DEFAULT_CSS = """
    RowWindow { height: 10; }
    RowWindow > .row-window--highlighted { text-style: reverse; }
    """

    class Picked(Message):
        """A row was clicked."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[Row] = []
        self.highlighted: int | None = None
        #: Each line of the rows: (its row, its text), and each row's first line.
        self._lines: list[tuple[int, str]] = []
        self._starts: list[int] = []
        #: The first line in view, and each line of the window as last drawn.
        self._top = 0
        self._drawn: dict[int, Strip] = {}
        #: The rows' style and the highlighted row's, worked out once (they
        #: walk the widget's ancestors) until the styles change.
        self._styles: tuple[Style, Style] | None = None

    @property
    def keys(self) -> list[str]:
        return [key for key, _ in self.rows]

    def show(self, rows: Sequence[Row], highlighted: int | None = None) -> None:
        """These rows instead, `highlighted` (else none) highlighted, from the top."""
        self.rows, self._lines, self._starts, self._top = [], [], [], 0
        self.highlighted = None
        self._append(rows)
        self.highlight(highlighted)

    def add(self, rows: Sequence[Row]) -> None:
        """These rows after the others."""
        self._append(rows)
        self._repaint()

    def _append(self, rows: Sequence[Row]) -> None:
        for key, lines in rows:
            self._starts.append(len(self._lines))
            self._lines += [(len(self.rows), line) for line in lines]
            self.rows.append((key, lines))

    def highlight(self, index: int | None) -> None:
        """Highlight row `index` (kept within the rows; None: none) and bring it into view."""
        self.highlighted = None if index is None or not self.rows else max(0, min(len(self.rows) - 1, index))
        if self.highlighted is not None:
            first = self._starts[self.highlighted]
            last = (self._starts[self.highlighted + 1] if self.highlighted + 1 < len(self.rows)
                    else len(self._lines)) - 1
            height = max(1, self.size.height)
            self._top = min(self._top, first)
            self._top = max(self._top, last - height + 1)
        self._repaint()

    def render_line(self, y: int) -> Strip:
        strip = self._strip(y, self.size.width)
        self._drawn[y] = strip
        return strip

    def _strip(self, y: int, width: int) -> Strip:
        """Line `y` of the window, `width` cells wide (the widget's size is
        worked out anew each time it is asked for: once a repaint, not a line)."""
        if self._styles is None:
            self._styles = self.rich_style, self.get_component_rich_style("row-window--highlighted")
        plain, highlighted = self._styles
        number = self._top + y
        if number >= len(self._lines):
            return Strip([Segment(" " * width, plain)], width)
        row, text = self._lines[number]
        return Strip([Segment(set_cell_size(text, width), highlighted if row == self.highlighted else plain)], width)

    def notify_style_update(self) -> None:
        self._styles = None
        super().notify_style_update()

    def _repaint(self) -> None:
        """Repaint the lines whose drawing differs from what was drawn last."""
        if not self.is_mounted:
            return
        width, height = self.size
        changed = [Region(0, y, width, 1) for y in range(height) if self._drawn.get(y) != self._strip(y, width)]
        if changed:
            self.refresh(*changed)

    def on_resize(self, event: events.Resize) -> None:
        self._drawn.clear()  # all of it is drawn again at the new size
        self.highlight(self.highlighted)

    def on_click(self, event: events.Click) -> None:
        number = self._top + event.y
        if 0 <= event.y < self.size.height and number < len(self._lines):
            self.post_message(self.Picked(self.rows[self._lines[number][0]][0]))
