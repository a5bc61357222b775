"""F4 = Prompt: a modal list of existing records that filters as you type."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from textual import events, on
from textual.app import ComposeResult
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from fincon_tui.ui.app_services import services_of
from fincon_tui.ui.bindings import bind
from fincon_tui.ui.plain import plain_lines
from fincon_tui.ui.screens.dialog import CANCEL, DialogScreen
from fincon_tui.ui.textual_internals import LineRefreshOptionList, SteadyInput
from fincon_tui.ui.widgets.form import unfocusable
from fincon_tui.ui.widgets.list_rows import Column, fitted_widths, wrapped_row
from fincon_tui.ui.widgets.text_update import update_text

#: Rows shown at once; the filter narrows the rest.
SHOWN = 200
#: Rows of the list where the terminal has them; on a short one, fewer, so
#: that the frame, the filter, the heading, the count and the legend still
#: show (11 rows).
LIST_ROWS = 10

#: Text typed -> (key, its value in each column) of the records that match.
Search = Callable[[str], Awaitable[list[tuple[str, tuple[str, ...]]]]]


class LookupScreen(DialogScreen[str | None]):
    """Type to filter, Up/Down to move, Enter to pick, Esc to close.
    `search(text)` returns (key, cells) pairs in display order; it runs in
    the database thread, and a newer keystroke's search replaces an older one.
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
        self.rows: list[tuple[str, tuple[str, ...]]] = []
        self.room = 0

    def compose_body(self) -> ComposeResult:
        yield SteadyInput(id="lookup-filter", placeholder="type to filter", compact=True)
        yield Label(id="lookup-heading", markup=False)
        yield unfocusable(LineRefreshOptionList(id="lookup-list", compact=True))  # typing always filters
        yield Label("", id="lookup-count", classes="dialog-note")

    def on_mount(self) -> None:
        filter_input = self.query_one("#lookup-filter", Input)
        filter_input.cursor_blink = getattr(self.app, "cursor_blink", True)
        filter_input.focus()
        self.refresh_list("")

    @on(Input.Changed, "#lookup-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.refresh_list(event.value)

    def refresh_list(self, text: str) -> None:
        services_of(self).database.work(self, self._show(text), group="lookup")

    async def _show(self, text: str) -> None:
        self.rows = rows = await self.search(text)
        self.room = 0
        self._lay_out(highlighted=0)
        more = " or more; type to narrow" if len(rows) > SHOWN else ""
        shown = min(len(rows), SHOWN)
        count = f"{shown}{more}" if more else f"{len(rows)} found"
        update_text(self.query_one("#lookup-count", Label), "nothing matches" if not rows else count)

    def on_resize(self, event: events.Resize) -> None:
        """Laid out again for the list's new width, once it has it."""
        options = self.query_one("#lookup-list", LineRefreshOptionList)
        options.styles.height = max(3, min(LIST_ROWS, self.app.size.height - 11))
        self.call_after_refresh(self._lay_out)

    def _lay_out(self, highlighted: int | None = None) -> None:
        """The heading and the rows in the columns the list's width holds
        (the highlighted row stays, unless `highlighted` says which)."""
        options = self.query_one("#lookup-list", LineRefreshOptionList)
        room = options.scrollable_content_region.width or min(self.app.size.width, 78) - 4
        if room == self.room:
            return
        self.room = room
        highlighted = options.highlighted if highlighted is None else highlighted
        shown = self.rows[:SHOWN]
        widths = fitted_widths(self.columns, [cells for _, cells in shown], room)
        update_text(self.query_one("#lookup-heading", Label),
                    wrapped_row(self.columns, widths, [column.title for column in self.columns]))
        with options.changes():
            options.clear_options()
            # A row may take several lines: its values wrap in their columns.
            options.add_options(Option(plain_lines(wrapped_row(self.columns, widths, cells)), id=key)
                                for key, cells in shown)
            if shown and highlighted is not None:
                options.highlighted = min(highlighted, len(shown) - 1)

    def action_move(self, step: int) -> None:
        options = self.query_one("#lookup-list", LineRefreshOptionList)
        if options.option_count:
            current = options.highlighted or 0
            with options.changes():
                options.highlighted = max(0, min(options.option_count - 1, current + step))

    @on(Input.Submitted, "#lookup-filter")
    def pick(self) -> None:
        options = self.query_one("#lookup-list", OptionList)
        if options.highlighted is None:
            self.app.bell()
            return
        self.dismiss(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected)
    def clicked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

