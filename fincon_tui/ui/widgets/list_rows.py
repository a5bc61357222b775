"""The rows of a 'Work with' list: an option field in front of a line of
columns, in as many views as the width needs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from rich.cells import cell_len
from textual import events
from textual.containers import HorizontalGroup, Vertical
from textual.widgets import Input, Static

from fincon_tui.domain.fields import DIGITS
from fincon_tui.ui.plain import plain
from fincon_tui.ui.widgets.columns import Column
from fincon_tui.ui.widgets.inputs import FieldInput
from fincon_tui.ui.widgets.text_update import update_text


def fitted_widths(columns: Sequence[Column], rows: Sequence[Sequence[str]], room: int) -> list[int]:
    """Widths for `rows` in `room` cells: each column as wide as its longest
    value (up to its most), the widest narrowed first until all fit (their
    values then wrap, `wrapped_row`), none below its heading's width."""
    widths = [column.width([row[index] for row in rows]) for index, column in enumerate(columns)]
    least = [cell_len(column.title) for column in columns]
    while sum(widths) + len(widths) - 1 > room:
        narrower = [index for index in range(len(widths)) if widths[index] > least[index]]
        if not narrower:
            break
        widths[max(narrower, key=lambda index: widths[index])] -= 1
    return widths


def wrapped_row(columns: Sequence[Column], widths: Sequence[int], cells: Sequence[str]) -> str:
    """A row with each value wrapped in its column: its lines, one a line.
    A line that goes on in a later column starts with no-break spaces (a
    widget wrapping text drops the spaces a line starts with)."""
    parts = [column.wrapped(cell, width) for column, width, cell in zip(columns, widths, cells, strict=True)]
    lines = []
    for number in range(max(len(part) for part in parts)):
        line = " ".join(part[number] if number < len(part) else " " * width
                        for part, width in zip(parts, widths, strict=True)).rstrip()
        lines.append("\u00a0" * (len(line) - len(line.lstrip(" "))) + line.lstrip(" "))
    return "\n".join(lines)


#: A view: the indexes of the columns it shows.
View = tuple[int, ...]


def views(widths: Sequence[int], room: int) -> list[View]:
    """The columns (of these widths) each view of a list shows in `room`
    cells: the first column (the key) in every view, then the others in
    order, as many as fit, and the rest in the next views, as a 5250 list's
    second view.  One view when all fit."""
    found: list[View] = []
    view, used = [0], widths[0]
    for index, width in enumerate(widths[1:], 1):
        if len(view) > 1 and used + 1 + width > room:
            found.append(tuple(view))
            view, used = [0], widths[0]
        view.append(index)
        used += 1 + width
    return [*found, tuple(view)]


class ListViews:
    """A list's columns, as wide as the page's values need, in the views
    the room needs, and the view shown."""

    def __init__(self, columns: Sequence[Column], room: int) -> None:
        self.columns = columns
        self.room = room
        self.widths = [len(column.title) for column in columns]
        self.views = views(self.widths, room)
        self.shown = 0

    def fit(self, *, room: int | None = None, rows: Sequence[Sequence[str]] | None = None) -> bool:
        """The views for a new room, or for the rows of a new page; True
        if the columns or views changed (the view shown stays, if it still is one)."""
        self.room = self.room if room is None else room
        widths = self.widths if rows is None else [
            column.width([row[index] for row in rows]) for index, column in enumerate(self.columns)]
        fitting = views(widths, self.room)
        if (widths, fitting) == (self.widths, self.views):
            return False
        self.widths, self.views = widths, fitting
        self.shown = self.shown if self.shown < len(fitting) else 0
        return True

    def turn(self) -> None:
        self.shown = self.following

    @property
    def following(self) -> int:
        """The view the view key shows next."""
        return (self.shown + 1) % len(self.views)

    def line(self, cells: Sequence[str]) -> str:
        """One row as the view shown shows it."""
        return " ".join(self.columns[index].cell(cells[index], self.widths[index]) for index in self.views[self.shown])

    def heading(self) -> str:
        return "Opt " + self.line([column.title for column in self.columns])


def options_line(options: dict[str, str], width: int) -> str:
    """'2=Change  3=Copy …' in `width` (with its indent of 2), wrapped
    between options, not inside one."""
    lines = [""]
    for option in (f"{number}={name}" for number, name in options.items()):
        if lines[-1] and len(lines[-1]) + 2 + len(option) > width - 2:
            lines.append("")
        lines[-1] += f"  {option}" if lines[-1] else option
    return "\n".join(lines)


#: Cells in front of a row's line: the option field and the space after it (styles/lists.tcss).
OPTION_CELLS = 4


class ListRows(Vertical):
    """Where a list's rows go: as many rows as its height holds, at the width
    it has.  `fitted(rows, width)` is called as its size changes, with the
    width its lines have."""

    def __init__(self, fitted: Callable[[int, int], Awaitable[None]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fitted = fitted

    async def on_resize(self, event: events.Resize) -> None:
        await self.fitted(event.size.height, event.size.width - OPTION_CELLS)


class OptionInput(FieldInput):
    """The option column of one row: one digit."""

    def __init__(self, index: int, hint: str) -> None:
        super().__init__(id=f"opt-{index}", max_length=1, hint=hint, restrict=DIGITS, classes="option", fit=False)
        self.index = index


class ListRow(HorizontalGroup):
    """One row of the list: its option field and its line."""

    def __init__(self, index: int, hint: str) -> None:
        self.option = OptionInput(index, hint)
        self.line = Static("", classes="line", markup=False)
        super().__init__(self.option, self.line, classes="work-row")

    def show(self, text: str, option: str, attention: bool) -> None:
        self.display = True
        with self.option.prevent(Input.Changed):
            self.option.value = option
        update_text(self.line, plain(text))
        self.line.set_class(attention, "-attention")
