"""F7: ask where the test email goes, optionally as which user, and from whom."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Label

from fincon_tui.domain.fields import EMAIL_MAX
from fincon_tui.domain.users import USER_CODE_MAX
from fincon_tui.ui.app_services import services_of
from fincon_tui.ui.bindings import bind
from fincon_tui.ui.plain import plain_lines
from fincon_tui.ui.screens.dialog import CANCEL, DialogScreen
from fincon_tui.ui.widgets.form import field_row
from fincon_tui.ui.widgets.inputs import FieldInput
from fincon_tui.ui.widgets.text_update import update_text

if TYPE_CHECKING:
    from fincon_tui._exceptions import CannotTest

#: Prepares the test email for (recipient, user code, user looked up or None,
#: From), off the UI thread; it raises CannotTest with a `field` to keep the
#: dialog open at that field.
Prepare = Callable[[str, str, Any, str], Awaitable[Any]]
#: Looks a user code up (CannotTest naming the field 'user' if unknown).
FindUser = Callable[[str], Awaitable[Any]]

LABELS = {"to": "Recipient", "from": "From"}


class SendTestScreen(DialogScreen[Any]):
    """Dismisses with what `prepare` returned, or None when cancelled.

    From starts as the definition's login when that is an address; a user
    typed in As user is looked up once (Enter) and, while From is as it
    started, brings their sender address into it."""

    TEXT_FIELDS = True  # a character key would be typed, not act
    NAME = "Test email"
    FIXED_KEYS = ((("enter",), "Next field/Send"),)
    BINDINGS = [bind("accept", "send", "Send"), CANCEL]
    HELP_TEXT = (
        ("Recipient", "The address the test email goes to."),
        ("As user", "Optional: a user code.  The email is then sent as that user would send it: with their "
                    "own login when they have one, and their sender's name and address as From."),
        ("From", "The sender address: the login when it is an address, else the user's sender address. "
                 "A relay whose login is not an address needs one typed here."),
    )

    def __init__(self, definition_name: str, default_from: str, find_user: FindUser, prepare: Prepare) -> None:
        super().__init__(f"Send a test email through {definition_name}")
        self.default_from = default_from
        self.find_user = find_user
        self.prepare = prepare
        self.user: Any = None  # the user looked up, for the code in As user
        self.user_code = ""
        self.offered_from = default_from

    def compose_body(self) -> ComposeResult:
        yield field_row("Recipient", FieldInput(id="to", max_length=EMAIL_MAX))
        yield field_row("As user", FieldInput(id="user", max_length=USER_CODE_MAX), hint="optional")
        yield field_row("From", FieldInput(id="from", max_length=EMAIL_MAX))
        yield Label("", id="send-error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#from", FieldInput).put(self.default_from)
        self.query_one("#to", Input).focus()

    def _value(self, field: str) -> str:
        return self.query_one(f"#{field}", FieldInput).entered.strip()

    @on(Input.Submitted, "#to")
    def next_field(self) -> None:
        self.query_one("#user", Input).focus()

    @on(Input.Submitted, "#user")
    def user_given(self) -> None:
        self._work(self._look_up(self._value("user"), then_send=False))

    def _work(self, job: Coroutine[object, object, None]) -> None:
        """`job` as the database thread's work for this window: counted while
        it runs, and its result dropped if the window closes meanwhile (its
        widgets are gone by then)."""
        services_of(self).database.work(self, job, group="send-test")

    async def _look_up(self, code: str, then_send: bool) -> None:
        """The user of As user, looked up once per code; From follows while untouched."""
        from fincon_tui._exceptions import CannotTest

        if code.upper() != self.user_code:
            try:
                self.user = await self.find_user(code) if code else None
            except CannotTest as error:
                self._refuse(error)
                return
            self.user_code = code.upper()
            from_field = self.query_one("#from", FieldInput)
            if from_field.entered.strip() == self.offered_from:
                self.offered_from = self.user.sender_email if self.user is not None else self.default_from
                from_field.put(self.offered_from)
        update_text(self.query_one("#send-error", Label), "")
        if then_send:
            await self._prepare()
        else:
            self.query_one("#from", Input).focus()

    @on(Input.Submitted, "#from")
    def action_send(self) -> None:
        self._work(self._look_up(self._value("user"), then_send=True))

    async def _prepare(self) -> None:
        from fincon_tui._exceptions import CannotTest

        try:
            prepared = await self.prepare(self._value("to"), self.user_code, self.user, self._value("from"))
        except CannotTest as error:
            self._refuse(error)
            return
        self.dismiss(prepared)

    def _refuse(self, error: CannotTest) -> None:
        text = f"{LABELS[error.field]} {error}" if error.of_value else str(error)
        update_text(self.query_one("#send-error", Label), plain_lines(text))
        self.query_one(f"#{error.field}", FieldInput).refuse_here()
        self.app.bell()
