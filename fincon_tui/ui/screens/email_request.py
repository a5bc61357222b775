"""F7: ask where the test email goes and, optionally, as which user."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Label

from fincon_tui.domain.users import USER_CODE_MAX
from fincon_tui.ui.bindings import bind
from fincon_tui.ui.screens.dialog import CANCEL, DialogScreen
from fincon_tui.ui.widgets.form import field_row
from fincon_tui.ui.widgets.inputs import FieldInput

#: Checks (recipient, user code); returns (field id, problem) or None.
Check = Callable[[str, str], tuple[str, str] | None]


class SendTestScreen(DialogScreen[tuple[str, str] | None]):
    """Dismisses with (recipient, user code) or None."""

    TEXT_FIELDS = True  # a character key would be typed, not act
    NAME = "Test email"
    FIXED_KEYS = ((("enter",), "Next field/Send"),)
    BINDINGS = [bind("accept", "send", "Send"), CANCEL]
    HELP = (
        ("Recipient", "The address the test email goes to."),
        ("As user", "Optional: a user code.  The email is then sent as that user would send it: with their "
                    "own login when they have one, and their sender's name and address as From."),
    )

    def __init__(self, definition_name: str, check: Check) -> None:
        super().__init__(f"Send a test email through {definition_name}")
        self.check = check

    def compose_body(self) -> ComposeResult:
        yield field_row("Recipient", FieldInput(id="to", max_length=254))
        yield field_row("As user", FieldInput(id="user", max_length=USER_CODE_MAX), hint="optional")
        yield Label("", id="send-error", markup=False)

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
            self.query_one(f"#{field}", FieldInput).refuse_here()
            self.app.bell()
            return
        self.dismiss((to, user))

