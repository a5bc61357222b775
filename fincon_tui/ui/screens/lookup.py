"""F4 = Prompt: a modal list of existing records that filters as you type."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from textual import events, on
from textual.app import ComposeResult
from textual.widgets import Input, Label

from fincon_tui.ui.app_services import services_of
from fincon_tui.ui.bindings import bind
from fincon_tui.ui.screens.dialog import CANCEL, DialogScreen
from fincon_tui.ui.textual_internals import SteadyInput, paint_now
from fincon_tui.ui.widgets.form import unfocusable
from fincon_tui.ui.widgets.list_rows import Column, fitted_widths, wrapped_row
from fincon_tui.ui.widgets.row_window import Row, RowWindow
from fincon_tui.ui.widgets.text_update import update_text

#: Rows of the list where the terminal has them; on a short one, fewer, so
#: that the frame, the filter, the heading, the count and the legend still
#: show (11 rows).
LIST_ROWS = 10
#: Rows read at a time: two windows' worth.  A filter keystroke reads and
#: lays out these only (it read 200, and laying them out was most of its
#: cost); moving within a window of the last row read reads the next ones.
PAGE = 2 * LIST_ROWS

#: (text typed, rows to skip, rows wanted) -> (key, its value in each
#: column) of the records that match, in order.
Search = Callable[[str, int, int], Awaitable[list[tuple[str, tuple[str, ...]]]]]


class LookupScreen(DialogScreen[str | None]):
    """Type to filter, Up/Down to move, Enter to pick, Esc to close.
    `search(text, skip, count)` returns (key, cells) pairs in display order,
    a page at a time; it runs in the database thread, a newer keystroke's
    search replaces an older one not begun, and a result for an older
    filter never shows over a newer one's.  The echo of a typed character
    is painted before its search begins.
    The columns are as wide as their values, narrowed to the window's width
    by wrapping the widest values (never cut)."""

    TEXT_FIELDS = True  # a character key would be typed, not act
    NAME = "List"
    FIXED_KEYS = ((("enter",), "Select"),)
    BINDINGS = [
        CANCEL,
        bind("lookup.down", "move(1)", "Down", show=False),
        bind("lookup.up", "move(-1)", "Up", show=False),
        bind("lookup.page_down", "move(10)", "Page down", show=False),
        bind("lookup.page_up", "move(-10)", "Page up", show=False),
    ]
    HELP_TEXT = ("The records that exist, in order.  Type to narrow the list to those that contain what you "
            "typed; Enter puts the highlighted one into the field.",)

    def __init__(self, title: str, columns: Sequence[Column], search: Search) -> None:
        super().__init__(title)
        self.columns = columns
        self.search = search
        #: The rows read for the filter, and whether they are all that match.
        self.rows: list[tuple[str, tuple[str, ...]]] = []
        self.complete = True
        self.text = ""
        #: Counts the filters asked for: a result for an older one is dropped.
        self.generation = 0
        #: The generation whose next rows are being read, if any.
        self.reading_more: int | None = None
        self.room = 0
        self.widths: list[int] = []

    def compose_body(self) -> ComposeResult:
        yield SteadyInput(id="lookup-filter", placeholder="type to filter", compact=True)
        yield Label(id="lookup-heading", markup=False)
        yield unfocusable(RowWindow(id="lookup-list"))  # typing always filters
        yield Label("", id="lookup-count", classes="dialog-note")

    def on_mount(self) -> None:
        filter_input = self.query_one("#lookup-filter", Input)
        filter_input.cursor_blink = getattr(self.app, "cursor_blink", True)
        filter_input.focus()
        self.refresh_list("")

    @on(Input.Changed, "#lookup-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        paint_now(self, event.input)  # the echo first; the search's result follows
        self.refresh_list(event.value)

    def refresh_list(self, text: str) -> None:
        self.generation += 1
        self.text = text
        services_of(self).database.work(self, self._show(text, self.generation), group="lookup")

    async def _show(self, text: str, generation: int) -> None:
        rows = await self.search(text, 0, PAGE + 1)
        if generation != self.generation:
            return  # a newer filter's search follows: its result shows, never this one over it
        self.rows, self.complete = rows[:PAGE], len(rows) <= PAGE
        self.room = 0
        self._lay_out(highlighted=0)
        self._count()

    def _read_more(self) -> None:
        """The next rows of the filter, once the highlight comes within a
        window of the last row read."""
        near_the_end = (self.query_one(RowWindow).highlighted or 0) >= len(self.rows) - LIST_ROWS
        if self.complete or not near_the_end or self.reading_more == self.generation:
            return
        self.reading_more = self.generation
        services_of(self).database.work(self, self._more(self.text, len(self.rows), self.generation),
                                        group="lookup-more")

    async def _more(self, text: str, offset: int, generation: int) -> None:
        rows = await self.search(text, offset, PAGE + 1)
        if generation != self.generation:
            return  # the filter changed meanwhile: its own rows show
        self.reading_more = None
        known = {key for key, _ in self.rows}  # a record another admin added meanwhile may repeat one
        added = [row for row in rows[:PAGE] if row[0] not in known]
        self.rows += added
        self.complete = len(rows) <= PAGE
        if fitted_widths(self.columns, [cells for _, cells in self.rows], self.room) != self.widths:
            self.room = 0
            self._lay_out()  # wider values: every row in the new columns
        else:
            self.query_one(RowWindow).add([self._row(key, cells) for key, cells in added])
        self._count()
        self._read_more()

    def _count(self) -> None:
        count = f"{len(self.rows)} found" if self.complete else f"{len(self.rows)} or more; type to narrow"
        update_text(self.query_one("#lookup-count", Label), count if self.rows else "nothing matches")

    def on_resize(self, event: events.Resize) -> None:
        """Laid out again for the list's new width, once it has it."""
        self.query_one(RowWindow).styles.height = max(3, min(LIST_ROWS, self.app.size.height - 11))
        self.call_after_refresh(self._lay_out)

    def _lay_out(self, highlighted: int | None = None) -> None:
        """The heading and the rows in the columns the list's width holds
        (the highlighted row stays, unless `highlighted` says which)."""
        window = self.query_one(RowWindow)
        room = window.size.width or min(self.app.size.width, 78) - 4
        if room == self.room:
            return
        self.room = room
        highlighted = window.highlighted if highlighted is None else highlighted
        self.widths = fitted_widths(self.columns, [cells for _, cells in self.rows], room)
        update_text(self.query_one("#lookup-heading", Label),
                    wrapped_row(self.columns, self.widths, [column.title for column in self.columns]))
        window.show([self._row(key, cells) for key, cells in self.rows], highlighted)

    def _row(self, key: str, cells: tuple[str, ...]) -> Row:
        """A row: its values wrap in their columns, so it may take several lines."""
        return key, wrapped_row(self.columns, self.widths, cells).split("\n")

    def action_move(self, step: int) -> None:
        window = self.query_one(RowWindow)
        if window.rows:
            window.highlight((window.highlighted or 0) + step)
            self._read_more()

    @on(Input.Submitted, "#lookup-filter")
    def pick(self) -> None:
        window = self.query_one(RowWindow)
        if window.highlighted is None:
            self.app.bell()
            return
        self.dismiss(window.rows[window.highlighted][0])

    @on(RowWindow.Picked)
    def clicked(self, event: RowWindow.Picked) -> None:
        self.dismiss(event.key)

