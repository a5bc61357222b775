"""F4 = Prompt: a modal list of existing records that filters as you type."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from textual import events, on
from textual.app import ComposeResult
from textual.widgets import Input, Label

from fincon_tui.services.lookup_index import LookupIndex, Row
from fincon_tui.ui.app_services import services_of
from fincon_tui.ui.bindings import bind
from fincon_tui.ui.screens.dialog import CANCEL, DialogScreen
from fincon_tui.ui.textual_internals import SteadyInput
from fincon_tui.ui.widgets.columns import Column
from fincon_tui.ui.widgets.form import unfocusable
from fincon_tui.ui.widgets.list_rows import fitted_widths, wrapped_row
from fincon_tui.ui.widgets.row_window import RowWindow
from fincon_tui.ui.widgets.text_update import update_text

if TYPE_CHECKING:
    from fincon_tui.ui.change_watch import ChangesNoticed

#: Rows of the list where the terminal has them; on a short one, fewer, so
#: that the frame, the filter, the heading, the count and the legend still
#: show (11 rows).
LIST_ROWS = 10
#: Rows laid out at a time: two windows' worth.  A filter keystroke lays out
#: these only (laying out 200 was most of its cost); moving within a window
#: of the last row laid out lays out the next ones.
PAGE = 2 * LIST_ROWS

#: Reads the list's rows, the first `limit` if given (in the database thread, for records).
Load = Callable[[int | None], Awaitable[LookupIndex]]


class FilterField(SteadyInput):
    """The list's filter.  Each change of its value filters the list at once
    (`filtered(value)`), while the field takes the key, so that its repaint
    and the rows' reach the screen together and are composited as one
    update.  After the field's Changed had gone up through the window's
    frame to the screen, the field was often composited alone first and the
    rows after it: 1.3-1.4 composites a filter keystroke, each about as
    much CPU as the rest of the key's drawing.  Its Changed goes no further:
    nothing above it listens."""

    def __init__(self, filtered: Callable[[str], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.filtered = filtered

    def watch_value(self, value: str) -> None:
        self.filtered(value)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()


class LookupScreen(DialogScreen[str | None]):
    """Type to filter, Up/Down to move, Enter to pick, Esc to close.
    `load(limit)` reads the rows of the list: as the window opens, its
    first page, shown at once, then all of them (keys typed meanwhile wait
    for both), and all again when another admin changes a record; each
    filter keystroke then searches the rows in memory, so that its rows
    show in the same frame as the character typed.
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

    def __init__(self, title: str, columns: Sequence[Column], load: Load) -> None:
        super().__init__(title)
        self.columns = columns
        self.load = load
        #: Every row of the list, once read, and how many reads were begun.
        self.index: LookupIndex | None = None
        self.reads = 0
        #: The rows laid out for the filter, and whether they are all that match.
        self.rows: list[Row] = []
        self.complete = True
        self.text = ""
        self.room = 0
        self.widths: list[int] = []

    def compose_body(self) -> ComposeResult:
        yield FilterField(self.refresh_list, id="lookup-filter", placeholder="type to filter", compact=True)
        yield Label(id="lookup-heading", markup=False)
        yield unfocusable(RowWindow(id="lookup-list"))  # typing always filters
        yield Label("", id="lookup-count", classes="dialog-note")

    def on_mount(self) -> None:
        filter_input = self.query_one("#lookup-filter", Input)
        filter_input.cursor_blink = getattr(self.app, "cursor_blink", True)
        filter_input.focus()
        services_of(self).database.work(self, self._load(), group="lookup")

    def on_changes_noticed(self, noticed: ChangesNoticed) -> None:
        """Another admin's change: the rows are read again, the filter and
        the highlighted record kept (keys go on meanwhile, over the rows before)."""
        services_of(self).database.work(self, self._load(), group="lookup", holds_keys=False)

    async def _load(self) -> None:
        self.reads += 1
        read = self.reads
        if self.index is None:  # opening: the first page shows while the rest is read
            first = await self.load(PAGE + 1)
            self._use(read, first)
            if read != self.reads or len(first.listed) <= PAGE:
                return  # a newer read follows, or that was every row
        self._use(read, await self.load(None))

    def _use(self, read: int, index: LookupIndex) -> None:
        """The rows of `index` under the filter, unless a newer read was begun."""
        if read != self.reads:
            return  # a newer read follows: its rows show, never these over them
        window = self.query_one(RowWindow)
        kept = window.rows[window.highlighted][0] if window.highlighted is not None else None
        self.index = index
        self.refresh_list(self.text)
        if kept is not None and kept in window.keys:
            window.highlight(window.keys.index(kept))

    def refresh_list(self, text: str) -> None:
        """The rows that match `text`, the first highlighted (once the rows are read)."""
        self.text = text
        if self.index is None:
            return
        rows = self.index.find(text, 0, PAGE + 1)
        self.rows, self.complete = rows[:PAGE], len(rows) <= PAGE
        self.room = 0
        self._lay_out(highlighted=0)
        self._count()

    def _read_more(self) -> None:
        """The next rows of the filter, once the highlight comes within a
        window of the last row laid out."""
        near_the_end = (self.query_one(RowWindow).highlighted or 0) >= len(self.rows) - LIST_ROWS
        if self.index is None or self.complete or not near_the_end:
            return
        rows = self.index.find(self.text, len(self.rows), PAGE + 1)
        added = rows[:PAGE]
        self.rows += added
        self.complete = len(rows) <= PAGE
        if fitted_widths(self.columns, [cells for _, cells in self.rows], self.room) != self.widths:
            self.room = 0
            self._lay_out()  # wider values: every row in the new columns
        else:
            self.query_one(RowWindow).add([self._row(key, cells) for key, cells in added])
        self._count()

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

    def _row(self, key: str, cells: tuple[str, ...]) -> tuple[str, list[str]]:
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

