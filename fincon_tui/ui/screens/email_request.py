"""F7: ask where the test email goes and, optionally, as which user."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalGroup
from textual.widgets import Input, Label

from fincon_tui.ui.plain import plain
from fincon_tui.ui.textual_internals import SparingModalScreen
from fincon_tui.ui.widgets.form import field_row
from fincon_tui.ui.widgets.inputs import FieldInput

#: Prepares the test email for (recipient, user code), off the UI thread; it
#: raises CannotTest with a `field` to keep the dialog open at that field.
Prepare = Callable[[str, str], Awaitable[Any]]


class SendTestScreen(SparingModalScreen[Any]):
    """Dismisses with what `prepare` returned, or None when cancelled."""

    BINDINGS = [
        Binding("escape,f12", "cancel", "Cancel", id="cancel"),
        Binding("f10,ctrl+s", "send", "Send", id="accept"),
    ]

    def __init__(self, definition_name: str, prepare: Prepare) -> None:
        super().__init__()
        self.definition_name = definition_name
        self.prepare = prepare

    def compose(self) -> ComposeResult:
        with VerticalGroup(id="send-dialog"):
            yield Label(plain(f"Send a test email through {self.definition_name}"), id="send-title")
            yield field_row("Recipient", FieldInput(id="to", max_length=254, classes="wide"))
            yield field_row("As user", FieldInput(id="user", max_length=20), hint="optional")
            yield Label("", id="send-error", markup=False)
            yield Label("Enter=Next/Send  Esc=Cancel", id="send-keys")

    def on_mount(self) -> None:
        self.query_one("#to", Input).focus()

    @on(Input.Submitted, "#to")
    def next_field(self) -> None:
        self.query_one("#user", Input).focus()

    @on(Input.Submitted, "#user")
    def action_send(self) -> None:
        to = self.query_one("#to", Input).value.strip()
        user = self.query_one("#user", Input).value.strip()
        self.run_worker(self._prepare(to, user), exclusive=True)

    async def _prepare(self, to: str, user: str) -> None:
        from fincon_tui._exceptions import CannotTest

        try:
            prepared = await self.prepare(to, user)
        except CannotTest as error:
            text = f"Recipient {error}" if error.field == "to" else str(error)
            self.query_one("#send-error", Label).update(text)
            self.query_one(f"#{error.field}", Input).focus()
            self.app.bell()
            return
        self.dismiss(prepared)

    def action_cancel(self) -> None:
        self.dismiss(None)
