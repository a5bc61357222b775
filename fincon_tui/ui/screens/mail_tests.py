"""The login test (F6) and the test email (F7) of a form: ask for the
optional user and recipient, prepare the test in the database thread,
ask before a login would cross the network unencrypted, and run it in the
session window."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from fincon_tui.domain.users import USER_CODE_MAX
from fincon_tui.ui.screens.confirm import ConfirmScreen

if TYPE_CHECKING:
    from collections.abc import Callable

    from fincon_tui.domain.smtp import SmtpDefinition
    from fincon_tui.domain.users import UserEmailSettings
    from fincon_tui.mail.outcome import Outcome
    from fincon_tui.services.mail_checks import MailChecks, Prepared
    from fincon_tui.ui.screens.screen_ports import Form

    #: The definition as typed now and the password to use (None: the stored
    #: one); None when it cannot be tested (the form has said why).
    OnScreen = Callable[[], tuple[SmtpDefinition, str | None] | None]


class MailTests:
    """The login test and the test email of `form` (held by the SMTP form),
    for the definition `on_screen` gives."""

    def __init__(self, form: Form, on_screen: OnScreen) -> None:
        self.form = form
        self.on_screen = on_screen

    @property
    def checks(self) -> MailChecks:
        return self.form.services.mail_checks

    def _start(self, prepared: Prepared) -> None:
        """Run a prepared test in the session screen, after asking first when
        the login would cross the network unencrypted."""
        from fincon_tui.ui.screens.smtp_session import SmtpSessionScreen

        def go(consent: bool | None = True) -> None:
            if consent:
                session = SmtpSessionScreen(prepared.title, prepared.run, prepared.definition.name)
                self.form.app.push_screen(session, self._session_done)
            else:
                self._ended("Not tested: the login would cross the network unencrypted", "warning")

        if prepared.credentials_in_clear:
            self.form.app.push_screen(
                ConfirmScreen(
                    "Use TLS is N: the username and password would cross the network "
                    "unencrypted – try anyway?",
                    title="Unencrypted login",
                    default=False,
                    warning=True,
                ),
                go,
            )
        else:
            go()

    def _ended(self, text: str, level: str) -> None:
        self.form.opening.test_ended(text, level)

    def _session_done(self, outcome: Outcome | None) -> None:
        note = f" ({outcome.note})" if outcome is not None and outcome.note else ""
        if outcome is None:
            self._ended("Cancelled: the connection was closed", "warning")
        elif outcome.ok:
            self._ended(outcome.message + note, "warning" if note else "ok")
        else:
            self._ended(f"Failed at {outcome.step}: {outcome.action_first()}{note}", "error")
        if outcome is not None:
            self.form.login_tested()

    def test_login(self) -> None:
        """F6/Ctrl+T: connect, secure and log in with what is on screen,
        optionally as a user; sends nothing."""
        from fincon_tui._exceptions import CannotTest
        from fincon_tui.ui.screens.entry_dialog import Entry, EntryDialog

        current = self.on_screen()
        if current is None:
            return
        definition, typed = current
        checks = self.checks
        prepared: list[Prepared | CannotTest] = []

        async def check(values: dict[str, str]) -> tuple[str, str] | None:
            """Prepared in the database thread; an unknown user keeps the window open."""
            try:
                prepared.append(await self.form.database.run(
                    partial(checks.login_test, definition, user_code=values["user"], typed_password=typed)
                ))
            except CannotTest as error:
                if error.field:
                    return error.field, str(error)
                prepared.append(error)
            return None

        def chosen(answer: dict[str, str] | None) -> None:
            if answer is None or not prepared:
                self._ended("", "info")
            elif isinstance(prepared[-1], CannotTest):
                self._ended(f"Cannot test: {prepared[-1]}", "error")
            else:
                self._start(prepared[-1])

        self.form.app.push_screen(
            EntryDialog(
                f"Login test: {definition.name}",
                [Entry("user", "As user", USER_CODE_MAX, hint="optional")],
                check,
                note="Empty: the definition's own login. A user code: log in as that user would.",
            ),
            chosen,
        )

    def send_test(self) -> None:
        """F7/Ctrl+O: send a short test email, optionally as a user."""
        from fincon_tui._exceptions import CannotTest
        from fincon_tui.ui.screens.email_request import SendTestScreen

        current = self.on_screen()
        if current is None:
            return
        definition, typed = current
        checks = self.checks

        async def find_user(code: str) -> UserEmailSettings:
            return await self.form.database.run(checks.find_user, code)

        async def prepare(
            to: str, user_code: str, user: UserEmailSettings | None, sender: str
        ) -> Prepared | CannotTest:
            """The request's field at fault keeps the dialog open (raised);
            anything else closes it and is told on the message line."""
            try:
                return await self.form.database.run(
                    partial(checks.test_email, definition, to, user_code=user_code, user=user,
                            sender_address=sender, typed_password=typed)
                )
            except CannotTest as error:
                if error.field:
                    raise
                return error

        def chosen(answer: Prepared | CannotTest | None) -> None:
            if isinstance(answer, CannotTest):
                self._ended(f"Cannot send: {answer}", "error")
            elif answer is not None:
                self._start(answer)

        default_from = self.checks.default_from(definition)
        self.form.app.push_screen(SendTestScreen(definition.name, default_from, find_user, prepare), chosen)
