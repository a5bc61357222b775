"""A small window with a few entry fields: the new key of a copy or a
rename, the user a login test logs in as.  Enter moves to the next field
and on the last one submits; the check runs in the database thread and a
problem keeps the window open with the field named and its content selected."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Static

from fincon_tui._exceptions import FinconError
from fincon_tui.ui.app_services import services_of
from fincon_tui.ui.bindings import bind
from fincon_tui.ui.plain import plain_lines
from fincon_tui.ui.screens.dialog import CANCEL, DialogScreen
from fincon_tui.ui.widgets.form import field_row
from fincon_tui.ui.widgets.inputs import FieldInput, YesNoInput
from fincon_tui.ui.widgets.text_update import update_text


@dataclass(frozen=True)
class Entry:
    """One field of the window."""

    id: str
    label: str
    max_length: int = 40
    value: str = ""
    hint: str = ""
    yes_no: bool = False


#: Checks the values; returns (field id, problem) to keep the window open, or None.
Check = Callable[[dict[str, str]], Awaitable[tuple[str, str] | None]]


class EntryDialog(DialogScreen[dict[str, str] | None]):
    """Dismisses with the values (field id -> text) once `check` passes, or None."""

    TEXT_FIELDS = True  # a character key would be typed, not act
    NAME = "Entry"
    FIXED_KEYS = ((("enter",), "Next field/OK"),)
    BINDINGS = [bind("accept", "submit", "OK"), CANCEL]
    HELP_TEXT = ("Fill in the fields and press Enter on the last one (or {accept}); the window stays "
            "open, with the field named, until the values can be used.",)

    def __init__(self, title: str, entries: list[Entry], check: Check, note: str = "") -> None:
        super().__init__(title)
        self.entries = entries
        self.check = check
        self.note = note
        self.checking = False

    def compose_body(self) -> ComposeResult:
        if self.note:
            yield Static(plain_lines(self.note), id="entry-note")
        for entry in self.entries:
            field = (YesNoInput(id=entry.id) if entry.yes_no
                     else FieldInput(id=entry.id, max_length=entry.max_length))
            field.put(entry.value)  # a stored key to rename shows as visible text
            yield field_row(entry.label, field, hint=entry.hint)
        yield Static("", id="entry-error", markup=False)

    def on_mount(self) -> None:
        self.fields[0].focus()

    @property
    def fields(self) -> list[FieldInput]:
        return [self.query_one(f"#{entry.id}", FieldInput) for entry in self.entries]

    @on(Input.Submitted)
    def next_or_submit(self, event: Input.Submitted) -> None:
        event.stop()
        fields: list[Input] = list(self.fields)
        if event.input is fields[-1]:
            self.action_submit()
        else:
            fields[fields.index(event.input) + 1].focus()

    @on(FieldInput.Refused)
    def refused(self, event: FieldInput.Refused) -> None:
        event.stop()
        self.show_problem(event.hint)

    def show_problem(self, text: str) -> None:
        self.app.bell()
        self.show_status(text)

    def show_status(self, text: str) -> None:
        update_text(self.query_one("#entry-error", Static), plain_lines(text))

    def action_submit(self) -> None:
        if self.checking:
            return
        values = {entry.id: field.entered.strip() for entry, field in zip(self.entries, self.fields, strict=True)}
        self.checking = True
        services_of(self).database.work(self, self._check(values))

    async def _check(self, values: dict[str, str]) -> None:
        try:
            problem = await self.check(values)
        except FinconError as error:  # the database or key store refused: say so, stay open
            problem = (self.entries[0].id, str(error))
        finally:
            self.checking = False
        if problem is None:
            self.dismiss(values)
            return
        field_id, text = problem
        self.show_problem(text)
        self.query_one(f"#{field_id}", FieldInput).refuse_here()
