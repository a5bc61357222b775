"""'Work with …' lists in IBM 5250 style.

An option column in front of each row, the options listed above the list,
a Position to field, a page at a time with More... or Bottom at the foot.
Options typed on several rows (on any page) are processed top to bottom
when Enter is pressed, each through the record's form or a dialog; the
list is read again afterwards.  Pages are read in the database thread.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.cells import cell_len, set_cell_size
from textual import on
from textual.app import ComposeResult
from textual.containers import HorizontalGroup, Vertical
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from fincon_tui.domain.visible import visible
from fincon_tui.storage.transactions import Waiting
from fincon_tui.ui.bindings import bind
from fincon_tui.ui.plain import plain
from fincon_tui.ui.screens.base import FinconScreen
from fincon_tui.ui.screens.listed_form import STOP, Done
from fincon_tui.ui.widgets.form import field_row
from fincon_tui.ui.widgets.inputs import FieldInput

if TYPE_CHECKING:
    from fincon_tui.services.record_store import RecordService
    from fincon_tui.services.work_lists import ListPage
    from fincon_tui.ui.db_thread import DatabaseThread

#: Screen lines that are not list rows: title, position, blank, instructions,
#: options, heading, More/Bottom, two message lines, legend.
FIXED_LINES = 10


def fit(text: str, width: int) -> str:
    """Untrusted text in exactly `width` terminal cells, cut with '…'."""
    shown = visible(text)
    if cell_len(shown) > width:
        return set_cell_size(shown, width - 1) + "…"
    return set_cell_size(shown, width)


def nocase(key: str) -> bytes:
    """SQLite's NOCASE order: ASCII letters folded, then UTF-8 bytes."""
    return "".join(c.lower() if "A" <= c <= "Z" else c for c in key).encode("utf-8", "surrogatepass")


class OptionInput(FieldInput):
    """The option column of one row: one digit."""

    def __init__(self, index: int, hint: str) -> None:
        super().__init__(id=f"opt-{index}", max_length=1, hint=hint, restrict=r"[0-9]*", classes="option", fit=False)
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
        self.line.update(plain(text))
        self.line.set_class(attention, "-attention")


class WorkWithScreen(FinconScreen):
    """Subclasses give the service, the columns, the options and the form."""

    KIND: ClassVar[str]
    KEY_LABEL: ClassVar[str]
    KEY_MAX: ClassVar[int]
    HEADING: ClassVar[str]
    #: Option number -> name, in the order the options line lists them.
    OPTIONS: ClassVar[dict[str, str]]
    #: Option number -> method that carries it out for a row.
    HANDLERS: ClassVar[dict[str, str]]
    AUTO_FOCUS = "#position"

    BINDINGS = [
        bind("exit", "exit", "Exit"),
        bind("reload", "refresh", "Refresh"),
        bind("create", "create", "Create"),
        bind("cancel", "cancel", "Cancel"),
        bind("list.page_down", "page('after')", "Next page", show=False),
        bind("list.page_up", "page('before')", "Previous page", show=False),
        bind("list.down", "move(1)", "Next field", show=False),
        bind("list.up", "move(-1)", "Previous field", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.page: ListPage | None = None
        self.page_size = self._fitting_rows()
        #: Options typed, by record key: (row as read, option).
        self.typed: dict[str, tuple[Any, str]] = {}
        self.queue: deque[tuple[Any, str]] = deque()
        self.results: list[Done] = []
        self.processing = False
        #: The option row the cursor was on when Enter was pressed: it goes back there.
        self.cursor_row: int | None = None
        self.waiting: Waiting | None = None

    # -- what subclasses provide ----------------------------------------------------

    @property
    def service(self) -> RecordService:
        raise NotImplementedError

    def read_page(self, key: str, size: int, direction: str) -> ListPage:
        """A page of rows (in the database thread)."""
        raise NotImplementedError

    def line(self, row: Any) -> str:
        raise NotImplementedError

    def order(self, key: str) -> bytes:
        """A sort key in the list's order (the key column's collation)."""
        return nocase(key)

    def attention(self, row: Any) -> bool:
        """Whether the row is shown as needing attention."""
        return False

    def create_screen(self) -> Screen:
        raise NotImplementedError

    # -- layout -----------------------------------------------------------------------

    def _fitting_rows(self) -> int:
        return max(1, self.app.size.height - FIXED_LINES)

    def compose_body(self) -> ComposeResult:
        with Vertical(id="work-with"):
            yield field_row(
                "Position to",
                FieldInput(id="position", max_length=self.KEY_MAX, fit=False),
                hint=f"start of the {self.KEY_LABEL}",
            )
            yield Label("Type options, press Enter.", id="work-instructions")
            yield Label("  ".join(f"{n}={name}" for n, name in self.OPTIONS.items()), id="work-options")
            yield Label(self.HEADING, id="work-heading", markup=False)
            with Vertical(id="work-rows"):
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
        """The option fields of the rows shown."""
        return [row.option for row in self.query(ListRow) if row.display]

    def on_mount(self) -> None:
        self.load("", "from", focus_row=0)

    async def on_resize(self) -> None:
        size = self._fitting_rows()
        if size == self.page_size:
            return
        self.page_size = size
        rows = self.query_one("#work-rows")
        await rows.remove_children()
        await rows.mount_all(self._rows(size))
        self.load(self._first_key(), "from")

    # -- reading and showing a page ---------------------------------------------------

    def _first_key(self) -> str:
        """Where the page is read again from: its first key, or the top for
        the first page (so that a record created or renamed before it shows)."""
        return self.page.rows[0].key if self.page and self.page.rows and self.page.before else ""

    def load(self, key: str, direction: str, focus_row: int | None = None) -> None:
        self.database.work(self, self._load(key, direction, focus_row), group="work-page")

    async def _load(self, key: str, direction: str, focus_row: int | None) -> None:
        from fincon_tui._exceptions import StorageError

        try:
            page = await self.database.run(self.read_page, key, self.page_size, direction)
        except (StorageError, sqlite3.Error) as error:
            self.message.error(f"Could not read the list: {error}")
            return
        self.show_page(page)
        if focus_row is not None:
            self.focus_row(focus_row)

    def show_page(self, page: ListPage) -> None:
        try:
            more = self.query_one("#work-more", Label)
        except NoMatches:
            return  # the app is closing: the screen's widgets are gone
        self.page = page
        for row in page.rows:  # options typed earlier now act on the row as read now
            if row.key in self.typed:
                self.typed[row.key] = (row, self.typed[row.key][1])
        for index, widget in enumerate(self.query(ListRow)):
            if index < len(page.rows):
                row = page.rows[index]
                widget.show(self.line(row), self.typed.get(row.key, (None, ""))[1], self.attention(row))
            else:
                widget.display = False
        more.update("More..." if page.after else "Bottom")
        if not page.rows:
            self.message.show(
                f"No {self.KIND}s yet: {self.services.key_label('create')} creates one", "info"
            )
        focused = self.focused
        if isinstance(focused, OptionInput) and focused not in self.options:
            self.focus_row(len(page.rows) - 1)

    def focus_row(self, index: int) -> None:
        shown = self.options
        if shown:
            shown[max(0, min(index, len(shown) - 1))].focus()
        else:
            self.query_one("#position", FieldInput).focus()

    @on(Input.Changed, ".option")
    def option_typed(self, event: Input.Changed) -> None:
        field = event.input
        if not isinstance(field, OptionInput) or self.page is None or field.index >= len(self.page.rows):
            return
        row = self.page.rows[field.index]
        if event.value:
            self.typed[row.key] = (row, event.value)
        else:
            self.typed.pop(row.key, None)

    @on(FieldInput.Refused)
    def refused(self, event: FieldInput.Refused) -> None:
        name = "Option" if isinstance(event.field, OptionInput) else "Position to"
        self.message.error(f"{name}: {event.hint}")

    # -- keys ---------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        """Up/Down: from field to field, Position to first."""
        fields: list[FieldInput] = [self.query_one("#position", FieldInput)]
        fields += self.options
        current = fields.index(self.focused) if self.focused in fields else 0
        fields[max(0, min(current + step, len(fields) - 1))].focus()

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
        self.load(self._first_key(), "from")

    def action_create(self) -> None:
        self.cursor_row = self.focused.index if isinstance(self.focused, OptionInput) else None
        self.app.push_screen(self.create_screen(), lambda _: self._after_options())

    def action_exit(self) -> None:
        self.dismiss()

    def action_cancel(self) -> None:
        """Stop waiting for another admin's save, else back to the menu."""
        if self.waiting is not None:
            self.waiting.abandoned.set()
        else:
            self.dismiss()

    # -- Enter: the typed options, top to bottom -------------------------------------------

    @on(Input.Submitted)
    def enter(self, event: Input.Submitted) -> None:
        event.stop()
        if self.processing:
            return
        typed = sorted(self.typed.items(), key=lambda item: self.order(item[0]))
        for key, (_, option) in typed:
            if option not in self.OPTIONS:
                self.message.error(
                    f"Option {option} on {key} is not valid here: "
                    + ", ".join(f"{n}={name}" for n, name in self.OPTIONS.items())
                )
                self._focus_typed(key)
                return
        if not typed:
            self.cursor_row = self.focused.index if isinstance(self.focused, OptionInput) else None
            self._after_options()
            return
        self.message.clear()
        self.processing = True
        self.cursor_row = self.focused.index if isinstance(self.focused, OptionInput) else None
        self.results = []
        self.queue = deque((row, option) for _, (row, option) in typed)
        self.next_option(None)

    def _focus_typed(self, key: str) -> None:
        rows = self.page.rows if self.page else []
        for index, row in enumerate(rows):
            if row.key == key:
                self.options[index].focus()
                return

    def next_option(self, result: Done | None) -> None:
        """Carry out the next option; called back as each one ends."""
        if result is STOP:
            self.processing = False
            left = len(self.queue)
            self.queue.clear()
            self._report(f"Stopped: {left} more option{'s' if left != 1 else ''} still typed" if left else "")
            return
        if result is not None and result.text:
            self.results.append(result)
        if not self.queue:
            self.processing = False
            self._report("")
            return
        row, option = self.queue.popleft()
        self.typed.pop(row.key, None)
        handler: Callable[[Any], None] = getattr(self, self.HANDLERS[option])
        handler(row)

    def _report(self, extra: str) -> None:
        """All done: say what happened and read the list again."""
        texts = [done.text for done in self.results] + ([extra] if extra else [])
        levels = {done.level for done in self.results} | ({"warning"} if extra else set())
        level = next((lvl for lvl in ("error", "warning", "ok") if lvl in levels), "info")
        self._after_options()
        if texts:
            if level == "error":
                self.message.error("; ".join(texts))
            else:
                self.message.show("; ".join(texts), level)

    def _after_options(self) -> None:
        """Read the list again, from Position to when one was typed."""
        position = self.query_one("#position", FieldInput)
        if position.value.strip():
            key, position.value = position.value.strip(), ""
            self.load(key, "from", focus_row=0)
        else:
            self.message.clear()
            self.load(self._first_key(), "from", focus_row=self.cursor_row)

    # -- writes from the list (delete, rename) ------------------------------------------------

    async def write(self, doing: str, call: Callable, *args: Any, report: Callable[[str], None] | None = None) -> Any:
        """`call(*args)` in the database thread; a wait for another admin's
        save is reported (on the message line, or to `report`) and can be stopped."""
        loop = asyncio.get_running_loop()
        stop = self.services.key_label("cancel")

        def waited(seconds: float) -> None:
            text = f"{doing}… waiting for another admin's save ({seconds:.0f} s) – {stop} to stop waiting"
            (report or (lambda shown: self.message.show(shown, "warning")))(text)

        def report_wait(seconds: float) -> None:
            loop.call_soon_threadsafe(waited, seconds)

        self.waiting = Waiting(report=report_wait)
        self.database.waiting = self.waiting
        try:
            return await self.database.run(call, *args, waiting=self.waiting)
        finally:
            self.waiting = self.database.waiting = None
