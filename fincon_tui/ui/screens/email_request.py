"""F7: ask where the test email goes and, optionally, as which user."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalGroup
from textual.widgets import Input, Label

from fincon_tui.ui.plain import plain
from fincon_tui.ui.textual_internals import SparingModalScreen
from fincon_tui.ui.widgets.form import field_row
from fincon_tui.ui.widgets.inputs import FieldInput

#: Checks (recipient, user code); returns (field id, problem) or None.
Check = Callable[[str, str], tuple[str, str] | None]


class SendTestScreen(SparingModalScreen[tuple[str, str] | None]):
    """Dismisses with (recipient, user code) or None."""

    BINDINGS = [
        Binding("escape,f12", "cancel", "Cancel", id="cancel"),
        Binding("f10,ctrl+s", "send", "Send", id="accept"),
    ]

    def __init__(self, definition_name: str, check: Check) -> None:
        super().__init__()
        self.definition_name = definition_name
        self.check = check

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
        problem = self.check(to, user)
        if problem:
            field, text = problem
            self.query_one("#send-error", Label).update(text)
            self.query_one(f"#{field}", Input).focus()
            self.app.bell()
            return
        self.dismiss((to, user))

    def action_cancel(self) -> None:
        self.dismiss(None)
