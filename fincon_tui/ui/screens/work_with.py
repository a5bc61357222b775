"""'Work with …' lists in IBM 5250 style.

An option column in front of each row, the options listed above the list,
a Position to field, a page at a time with More... or Bottom at the foot.
Options typed on several rows (on any page) are processed top to bottom
when Enter is pressed, each through the record's form or a dialog; the
list is read again afterwards.  Pages are read in the database thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Input, Label

from fincon_tui.storage.waiting import Waiting
from fincon_tui.ui.bindings import bind
from fincon_tui.ui.screens.base import FinconScreen
from fincon_tui.ui.screens.row_options import RowOptions
from fincon_tui.ui.screens.typed_options import TypedOptions
from fincon_tui.ui.widgets.form import PAGE_WIDTH, field_row
from fincon_tui.ui.widgets.inputs import FieldInput
from fincon_tui.ui.widgets.list_rows import OPTION_CELLS, ListRow, ListRows, ListViews, OptionInput, options_line
from fincon_tui.ui.widgets.text_update import update_text

if TYPE_CHECKING:
    from fincon_tui.services.record_store import RecordService
    from fincon_tui.services.work_lists import ListPage
    from fincon_tui.ui.change_watch import ChangesNoticed
    from fincon_tui.ui.db_thread import DatabaseThread
    from fincon_tui.ui.screens.list_start import Start
    from fincon_tui.ui.screens.record_form import RecordFormScreen
    from fincon_tui.ui.widgets.columns import Column

#: Screen lines that are not list rows at 80x24: title, position, blank,
#: instructions, options, heading, More/Bottom, two message lines, legend.
#: The first page is read for that many; the rows' room, once laid out, decides.
FIXED_LINES = 10


def nocase(key: str) -> bytes:
    """SQLite's NOCASE order: ASCII letters folded, then UTF-8 bytes."""
    return "".join(c.lower() if "A" <= c <= "Z" else c for c in key).encode("utf-8", "surrogatepass")


class WorkWithScreen(FinconScreen):
    """Subclasses give the service, the columns, the options and the form.
    The screen holds the options typed (`typed_options`) and what each
    does for a row (`row_options`).

    | Key (binding id) | Action |
    | --- | --- |
    | exit, cancel | Back to the menu (cancel: first stop a wait) |
    | reload | Read the page again as stored now |
    | create | The empty form, to create a record |
    | list.view | The next view: the columns the width left out |
    | list.page_down, list.page_up | The next or previous page |
    | list.down, list.up | From option field to option field |
    """

    KIND: ClassVar[str]
    KIND_NAME: ClassVar[str]  # in messages: 'SMTP definition'
    TITLE: ClassVar[str]
    KEY: ClassVar[str]
    KEY_LABEL: ClassVar[str]
    KEY_MAX: ClassVar[int]
    LABELS: ClassVar[dict[str, str]]
    #: Option number -> name, in the order the options line lists them (row_options.py).
    OPTIONS: ClassVar[dict[str, str]]
    FORM: ClassVar[type[RecordFormScreen]]  # what 2, 3, 5 and 8 open
    #: The columns, the key first: each row's `cells`, under these headings.
    COLUMNS: ClassVar[tuple[Column, ...]]
    AUTO_FOCUS = "#position"

    BINDINGS = [
        bind("exit", "exit", "Exit"),
        bind("reload", "refresh", "Refresh"),
        bind("create", "create", "Create"),
        bind("list.view", "view", "View"),
        bind("cancel", "cancel", "Cancel"),
        bind("list.page_down", "page('after')", "Next page", show=False),
        bind("list.page_up", "page('before')", "Previous page", show=False),
        bind("list.down", "move(1)", "Next field", show=False),
        bind("list.up", "move(-1)", "Previous field", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.page: ListPage[Any] | None = None
        self.typed_options = TypedOptions(self)
        self.row_options = RowOptions(self)
        # Until the first layout: the rows at 80x24's count, as wide as the page less its padding.
        self.page_size = max(1, self.app.size.height - FIXED_LINES)
        self.first_width = min(PAGE_WIDTH, self.app.size.width) - 2
        self.waiting: Waiting | None = None
        self.views = ListViews(self.COLUMNS, self.first_width - OPTION_CELLS)
        self.rows_area = ListRows(self._fitted, id="work-rows")

    # -- what subclasses provide ----------------------------------------------------

    @property
    def service(self) -> RecordService[Any]:
        raise NotImplementedError

    def page_reader(self) -> Callable[[str, int, str], ListPage[Any]]:
        """What reads a page of rows (key, size, direction) in the database
        thread: a plain function of the service."""
        raise NotImplementedError

    def cells(self, row: Any) -> tuple[str, ...]:
        """The row's value in each of COLUMNS."""
        raise NotImplementedError

    def order(self, key: str) -> bytes:
        """A sort key in the list's order (the key column's collation)."""
        return nocase(key)

    def attention(self, row: Any) -> bool:
        """Whether the row is shown as needing attention."""
        return False

    def create_screen(self) -> Screen[Any]:
        raise NotImplementedError

    def form(self, start: Start) -> RecordFormScreen:
        """The form the options open for a row, as `start` says."""
        return self.FORM(start, f"{self.TITLE} / ")

    # -- layout -----------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        with Vertical(id="work-with"):
            yield field_row(
                "Position to",
                FieldInput(id="position", max_length=self.KEY_MAX, fit=False),
                hint=f"start of the {self.KEY_LABEL}",
            )
            yield Label("Type options, press Enter.", id="work-instructions")
            yield Label(options_line(self.OPTIONS, self.first_width), id="work-options")
            yield Label(self.views.heading(), id="work-heading", markup=False)
            with self.rows_area:
                yield from self._rows(self.page_size)
            yield Label("", id="work-more")

    def _rows(self, count: int) -> list[ListRow]:
        hint = f"type an option: {', '.join(self.OPTIONS)}"
        return [ListRow(index, hint) for index in range(count)]

    @property
    def database(self) -> DatabaseThread:
        return self.services.database

    @property
    def options(self) -> list[OptionInput]:
        """The option fields of the rows shown.  Read from the rows' area, not
        queried from the screen: Up and Down ask for them on every key, and a
        query that walked the screen took most of a held Down's time."""
        return [row.option for row in self.rows_area.children if isinstance(row, ListRow) and row.display]

    def on_mount(self) -> None:
        self.load("", "from", focus_row=0)

    async def _fitted(self, rows: int, width: int) -> None:
        """The rows' room changed (the terminal, the legend's lines): as
        many rows as it holds, read again; as many views as the width needs."""
        update_text(self.query_one("#work-options", Label), options_line(self.OPTIONS, width + OPTION_CELLS))
        if self.views.fit(room=width):
            self._show_view()
        if max(1, rows) == self.page_size:
            return
        self.page_size = max(1, rows)
        focused = self.focused  # the cursor stays on its row, or goes where a read still due puts it
        row = focused.index if isinstance(focused, OptionInput) else self.focus_wanted
        area = self.query_one("#work-rows")
        await area.remove_children()
        await area.mount_all(self._rows(self.page_size))
        self.load(self.first_key(), "from", focus_row=row)

    # -- views ----------------------------------------------------------------------------

    def _show_view(self) -> None:
        """The heading, the rows and the legend's view key as the views are now."""
        update_text(self.query_one("#work-heading", Label), self.views.heading())
        self.refresh_bindings()
        if self.page is not None:
            self.show_page(self.page)

    def action_view(self) -> None:
        """The next view: the columns the width left out (a 5250 list's F11)."""
        self.views.turn()
        self._show_view()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The view key is there while the columns need more than one view."""
        if action == "view" and len(self.views.views) < 2:
            return False
        return super().check_action(action, parameters)

    def key_description(self, binding: Binding) -> str:
        """The view key names the view it shows: 'View 2'."""
        if binding.id == "list.view":
            return f"View {self.views.following + 1}"
        return binding.description

    # -- reading and showing a page ---------------------------------------------------

    def first_key(self) -> str:
        """Where the page is read again from: its first key, or the top for
        the first page (so that a record created or renamed before it shows)."""
        return self.page.rows[0].key if self.page and self.page.rows and self.page.before else ""

    def load(self, key: str, direction: str, focus_row: int | None = None) -> None:
        """Read a page; the cursor goes to row `focus_row` once it shows (also
        if a newer read, the rows refitted, takes this one's place)."""
        self.focus_wanted = focus_row
        self.due = (key, direction)
        self.database.work(self, self._load(key, direction), group="work-page")

    focus_wanted: int | None = None
    #: The newest read asked for, until its page shows: a read asked for
    #: later (another admin's change) reads this one again rather than
    #: taking its place, so that a Page Down still due is not lost.
    due: tuple[str, str] | None = None

    async def _load(self, key: str, direction: str) -> None:
        from fincon_tui._exceptions import StorageError

        try:
            page = await self.database.run(self.page_reader(), key, self.page_size, direction)
        except StorageError as error:
            self.message.error(f"Could not read the list: {error}")
            return
        finally:
            if self.due == (key, direction):
                self.due = None
        if self.show_page(page) and self.focus_wanted is not None:
            self.focus_row(self.focus_wanted)
            self.focus_wanted = None

    def show_page(self, page: ListPage[Any]) -> bool:
        """Show `page`; False if the screen's widgets are gone (the app quit
        while the page was read: the screen is still on the stack then)."""
        try:
            more = self.query_one("#work-more", Label)
        except NoMatches:
            return False
        self.page = page
        self.typed_options.reread(page.rows)
        shown = page.rows[: len(self.query(ListRow))]
        cells = [self.cells(row) for row in shown]
        if self.views.fit(rows=cells):  # the columns as wide as this page needs
            self._show_view()
            return True
        for index, widget in enumerate(self.query(ListRow)):
            if index < len(shown):
                row = shown[index]
                typed = self.typed_options.typed.get(row.key, (None, ""))[1]
                widget.show(self.views.line(cells[index]), typed, self.attention(row))
            else:
                widget.display = False
        update_text(more, "More..." if page.after else "Bottom")
        if not page.rows:
            self.message.show(
                f"No {self.KIND}s yet: {self.services.key_label('create')} creates one", "info"
            )
        focused = self.focused
        if isinstance(focused, OptionInput) and focused not in self.options:
            self.focus_row(len(page.rows) - 1)
        return True

    def focus_row(self, index: int) -> None:
        """The cursor to row `index` (the last shown if fewer), or to the
        position field on an empty page.  Set at once (Screen.set_focus), not
        after the queue as Widget.focus does: a refit that comes in between
        reads the cursor's row from the focus, and lost it to the last row."""
        shown = self.options
        self.set_focus(shown[max(0, min(index, len(shown) - 1))] if shown else self.query_one("#position", FieldInput))

    @on(Input.Changed, ".option")
    def option_typed(self, event: Input.Changed) -> None:
        field = event.input
        if not isinstance(field, OptionInput) or self.page is None or field.index >= len(self.page.rows):
            return
        row = self.page.rows[field.index]
        if event.value:
            self.typed_options.typed[row.key] = (row, event.value)
        else:
            self.typed_options.typed.pop(row.key, None)

    @on(Input.Submitted)
    def enter(self, event: Input.Submitted) -> None:
        event.stop()
        self.typed_options.enter()

    def problems(self) -> list[tuple[str, str]]:
        return self.typed_options.problems()

    @on(FieldInput.Refused)
    def refused(self, event: FieldInput.Refused) -> None:
        name = "Option" if isinstance(event.field, OptionInput) else "Position to"
        self.message.error(f"{name}: {event.hint}")

    # -- keys ---------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        """Up/Down: from field to field, Position to first.  The focus is set
        at once (Screen.set_focus): these are cursor moves
        (bindings.CURSOR_MOVES), which the typeahead releases as a run when
        the key is held, and each must go on from where the one before it
        left the cursor."""
        fields: list[FieldInput] = [self.query_one("#position", FieldInput)]
        fields += self.options
        current = fields.index(self.focused) if self.focused in fields else 0
        self.set_focus(fields[max(0, min(current + step, len(fields) - 1))])

    def action_page(self, direction: str) -> None:
        """Page Down / Page Up: the next or previous page, the cursor on the same row."""
        page = self.page
        if page is None:
            return
        if direction == "after" and not page.after:
            self.message.show("Bottom of the list", "info")
            return
        if direction == "before" and not page.before:
            self.message.show("Top of the list", "info")
            return
        self.message.clear()
        focused = self.focused
        row = focused.index if isinstance(focused, OptionInput) else None
        key = page.rows[-1].key if direction == "after" else page.rows[0].key
        self.load(key, direction, focus_row=row)

    def action_refresh(self) -> None:
        """Read the page again as stored now."""
        self.message.clear()
        self.load(self.first_key(), "from")

    def on_changes_noticed(self, noticed: ChangesNoticed) -> None:
        """Another admin changed records of this list: the page is read again,
        the cursor on its row and the options typed kept, and the message
        line says what changed.  A read still due (a Page Down) is read
        again instead, so that it is not lost.  The cursor stays where it is
        when the page comes (or goes where a read still due puts it), not
        where it was when the notice came: keys typed meanwhile (a held Down)
        moved it."""
        notices = [notice for notice in noticed.notices if notice.kind == self.service.kind]
        if not notices or not self.is_current or self.page is None:
            return  # a list under a form reads its page again when the form closes
        key, direction = self.due or (self.first_key(), "from")
        self.load(key, direction, focus_row=self.focus_wanted)
        more = f" (and {len(notices) - 1} more)" if len(notices) > 1 else ""
        self.message.show(notices[-1].says(f"list refreshed{more}"), "info")

    def action_create(self) -> None:
        options = self.typed_options
        options.cursor_row = self.focused.index if isinstance(self.focused, OptionInput) else None
        self.app.push_screen(self.create_screen(), lambda _: options.after_options())

    def action_exit(self) -> None:
        self.dismiss()

    def action_cancel(self) -> None:
        """Stop waiting for another admin's save, else back to the menu."""
        if self.waiting is not None:
            self.waiting.abandoned.set()
        else:
            self.dismiss()
