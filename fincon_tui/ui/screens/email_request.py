"""F7: ask where the test email goes and, optionally, as which user."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Label

from fincon_tui.domain.fields import EMAIL_MAX
from fincon_tui.domain.users import USER_CODE_MAX
from fincon_tui.ui.bindings import bind
from fincon_tui.ui.screens.dialog import CANCEL, DialogScreen
from fincon_tui.ui.widgets.form import field_row
from fincon_tui.ui.widgets.inputs import FieldInput

#: Prepares the test email for (recipient, user code), off the UI thread; it
#: raises CannotTest with a `field` to keep the dialog open at that field.
Prepare = Callable[[str, str], Awaitable[Any]]


class SendTestScreen(DialogScreen[Any]):
    """Dismisses with what `prepare` returned, or None when cancelled."""

    TEXT_FIELDS = True  # a character key would be typed, not act
    NAME = "Test email"
    FIXED_KEYS = ((("enter",), "Next field/Send"),)
    BINDINGS = [bind("accept", "send", "Send"), CANCEL]
    HELP_TEXT = (
        ("Recipient", "The address the test email goes to."),
        ("As user", "Optional: a user code.  The email is then sent as that user would send it: with their "
                    "own login when they have one, and their sender's name and address as From."),
    )

    def __init__(self, definition_name: str, prepare: Prepare) -> None:
        super().__init__(f"Send a test email through {definition_name}")
        self.prepare = prepare

    def compose_body(self) -> ComposeResult:
        yield field_row("Recipient", FieldInput(id="to", max_length=EMAIL_MAX))
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
        self.run_worker(self._prepare(to, user), exclusive=True)

    async def _prepare(self, to: str, user: str) -> None:
        from fincon_tui._exceptions import CannotTest

        try:
            prepared = await self.prepare(to, user)
        except CannotTest as error:
            text = f"Recipient {error}" if error.field == "to" else str(error)
            self.query_one("#send-error", Label).update(text)
            self.query_one(f"#{error.field}", FieldInput).refuse_here()
            self.app.bell()
            return
        self.dismiss(prepared)
