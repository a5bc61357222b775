"""System / Mail Settings / SMTP Settings: the key-field form of the seed article."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Static

from fincon_tui._exceptions import FieldError, FormInvalid
from fincon_tui.domain import smtp
from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.domain.secret_kinds import APP_SECRETS
from fincon_tui.ui.bindings import bind
from fincon_tui.ui.screens.list_start import Start
from fincon_tui.ui.screens.mail_tests import MailTests
from fincon_tui.ui.screens.record_fields import saved_text
from fincon_tui.ui.screens.record_form import RecordFormScreen
from fincon_tui.ui.screens.screen_ports import Parser, Prompt
from fincon_tui.ui.screens.signs_in import SignsIn
from fincon_tui.ui.widgets.columns import Column
from fincon_tui.ui.widgets.declared_fields import detail_rows, help_rows
from fincon_tui.ui.widgets.text_update import update_text

if TYPE_CHECKING:
    from fincon_tui.domain.smtp import SmtpDefinition
    from fincon_tui.services.record_store import Saved
    from fincon_tui.services.sign_ins import SignIn
    from fincon_tui.services.smtp_settings import SmtpSettings

CREATE_QUESTION = "The SMTP definition does not exist – do you want to create it?"
YN = "Y=Yes, N=No"


DEFINITION_PROMPT = Prompt(
    title="SMTP definitions",
    service=lambda app: app.smtp,
    columns=(Column("SMTP Name", smtp.NAME_MAX), Column("Mail Server", 36), Column("Port", 5, right=True),
             Column("TLS", 3)),
    read=("name", "mail_server", "port", "use_tls"),
)


def parse_form(values: dict[str, str], password: PasswordChange, secrets: dict[str, PasswordChange], *,
               had_password: bool, had_secret: bool) -> smtp.SmtpDefinition:
    """The definition as Accept takes it; FormInvalid if refused.  A Google
    key named by its path is read here (in the database thread), and
    `secrets` then holds the key itself."""
    from fincon_tui.services.smtp_settings import key_file_named, read_key_file

    secret = secrets.get("client_secret", PasswordChange.keep())
    if secret.action == "set" and key_file_named(values.get("login_method", ""), secret.value):
        try:
            secret = secrets["client_secret"] = PasswordChange.set(read_key_file(secret.value))
        except FieldError as error:
            raise FormInvalid([error], smtp.LABELS) from None
    return smtp.parse_definition(values, password, had_password=had_password, secret=secret, had_secret=had_secret)


def definition_saved(service: SmtpSettings, reminder: Callable[[str], str], saved: Saved[SmtpDefinition]) -> str:
    """Saved, whether its mailbox still has to sign in, and whether its users
    bring their own login (in the database thread)."""
    message = saved_text(service.kind, saved) + reminder(saved.key)
    if not saved.record.users_bring_login:
        return message
    lacking = service.users_without_login(saved.key)
    if lacking:
        users = "user lacks" if lacking == 1 else "users lack"
        return f"{message}; no shared login: {lacking} linked {users} a login of their own"
    return f"{message}; no shared login, so each user needs their own"


class SmtpSettingsScreen(RecordFormScreen):
    """Type an SMTP Name, press Enter, fill in the details, Accept.

    | Key (binding id) | Action |
    | --- | --- |
    | test_login | Log in with what is on screen (MailTests) |
    | send_test | Send a test email (MailTests) |
    | sign_in | Sign the shared mailbox in (SignsIn) |

    and the keys of RecordFormScreen.
    """

    PATH = "System / Mail Settings / SMTP Settings"
    KEY = "name"
    LABELS = smtp.LABELS
    NEW_DEFAULTS = smtp.NEW_DEFAULTS
    CREATE_QUESTION = CREATE_QUESTION
    PROMPTS = {"name": DEFINITION_PROMPT}
    SECRETS = {"client_secret": frozenset(APP_SECRETS)}
    HELP_TEXT = (
        "An SMTP setting definition tells Fincon which mail server sends its email.  Type the SMTP Name "
        "and press Enter: a new name asks whether to create it, an existing one opens for editing.  Fill "
        "in the fields, then {accept} (Accept).",
        *help_rows(smtp.DECLARED),
        "{test_login} tests the connection and logs in with what is on screen (no message is sent); "
        "{send_test} sends a test email.  Both ask for an optional user code: with one, the test logs in "
        "as that user would (their own login, else the shared one), which tests a definition where each "
        "user brings their own.  Both show the SMTP conversation as it happens: {cancel} cancels, and "
        "once it has ended {save_log} saves it to a file.  {sign_in} signs an OAuth mailbox in.  {prompt} on "
        "Mail Server lists well-known providers; typing one fills Port and Use TLS where untouched.",
        "Under the login fields, the last login test (this form's, a Work with list's or the command "
        "line's): when, by whom, OK or the step that failed, and when the server's certificate and the "
        "secrets it used expire; in the warning colour when it failed or one of them expires soon.",
    )
    BINDINGS = [
        bind("test_login", "test_login", "Test"),
        bind("send_test", "send_test", "Send"),
        bind("sign_in", "sign_in", "Sign in"),
    ]

    def __init__(self, start: Start | None = None, path: str = "") -> None:
        super().__init__(start, path)
        self.mail_tests: MailTests = MailTests(self, self._on_screen_definition)
        self.signing = SignsIn(self, self.sign_in_finder)

    @property
    def service(self) -> SmtpSettings:
        return self.services.smtp

    def action_test_login(self) -> None:
        self.mail_tests.test_login()

    def action_send_test(self) -> None:
        self.mail_tests.send_test()

    def action_sign_in(self) -> None:
        self.signing.sign_in()

    def compose_fields(self) -> ComposeResult:
        yield self.key_field.row(smtp.NAME_MAX)
        yield from detail_rows(smtp.DECLARED, self.services.key_label("prompt", short=True),
                               {"client_secret": Static("", id="last-test", markup=False)})
        yield Static("", id="provider-note", markup=False)

    def validate_key(self, raw: str) -> str:
        return smtp.validate_name(raw)

    # -- provider hints ----------------------------------------------------------

    def on_opened(self) -> None:
        self._show_provider_note()

    @on(Input.Changed, "#mail_server, #authenticate, #login_method")
    def _provider_fields_changed(self, event: Input.Changed) -> None:
        self._show_provider_note()
        typed = event.input.has_focus and event.value != self.fields.baseline.get("mail_server")
        if event.input.id == "mail_server" and self.is_open and typed:
            self._fill_from_provider(event.value)

    def _show_provider_note(self) -> None:
        from fincon_tui.domain.providers import m365_password_flag

        note = self.query_one("#provider-note", Static)
        flag = None
        if self.is_open:
            values = self.form_values()
            flag = m365_password_flag(values["mail_server"], values["authenticate"] == "Y", values["login_method"])
        update_text(note, f"! {flag}" if flag else "")
        note.display = bool(flag)
        self._fit_notes()

    def show_last_test(self) -> None:
        super().show_last_test()
        self._fit_notes()

    def _fit_notes(self) -> None:
        """80x24 holds the provider's warning or the last test, or the
        key-store line, not more."""
        shown = self.query_one("#provider-note", Static).display or self.query_one("#last-test", Static).display
        self.query_one("#store-info", Static).display = not shown

    def _fill_from_provider(self, host: str) -> None:
        """A known Mail Server: Port and Use TLS take the provider's values
        where they are untouched (as opened: a new definition's defaults, or
        the stored values); the message line says what it did."""
        from fincon_tui.domain.providers import find

        provider = find(host)
        if provider is None:
            return
        wanted = {"port": str(provider.port), "use_tls": "Y" if provider.use_tls else "N"}
        filled, kept = [], []
        for key, value in wanted.items():
            field = self.field(key)
            if field.value == value:
                continue
            if field.value in (self.fields.baseline.get(key), self.NEW_DEFAULTS[key]):
                field.value = value
                filled.append(f"{self.LABELS[key]} {value}")
            else:
                kept.append(f"{self.LABELS[key]} {field.value} (typed; {provider.name} uses {value})")
        did = f"filled {' and '.join(filled)}" if filled else "Port and Use TLS fit"
        if kept:
            did += f"; kept {', '.join(kept)}"
        self.message.show(f"{host} is {provider.name}: {did}. Logins: {provider.logins}")

    def action_prompt(self) -> None:
        """F4 on Mail Server lists the well-known providers; elsewhere as usual."""
        focused = self.focused
        if focused is None or focused.id != "mail_server":
            super().action_prompt()
            return
        from fincon_tui.domain.providers import PROVIDERS
        from fincon_tui.services.lookup_index import LookupIndex
        from fincon_tui.ui.screens.lookup import LookupScreen

        async def load(limit: int | None) -> LookupIndex:
            return LookupIndex([(p.name, p.host, str(p.port), "Y" if p.use_tls else "N", p.name, p.host)
                                for p in PROVIDERS], shown=4, key=1)

        def picked(host: str | None) -> None:
            if host is None:
                return
            # A per-region host: the admin edits the region.  Its change fills Port and Use TLS.
            self.field("mail_server").put(host.replace("*", "us-east-1"), focus=True)

        columns = (Column("Provider", 26), Column("Mail Server", 36), Column("Port", 5, right=True), Column("TLS", 3))
        self.app.push_screen(LookupScreen("Mail providers", columns, load), picked)

    def parser(self) -> Parser:
        secrets = self.secrets
        return partial(parse_form, had_password=secrets.had_password, had_secret=secrets.stored("client_secret"))

    def saved_report(self) -> Callable[[Saved[Any]], str]:
        return partial(definition_saved, self.service, self.signing.reminder())

    # -- real SMTP use (F6, F7) ------------------------------------------------

    def _on_screen_definition(self) -> tuple[smtp.SmtpDefinition, str | None] | None:
        """The definition as typed now (validated) and the password to use:
        typed, or None to read the stored one.  None if it cannot be tested."""
        if not self.is_open:
            self.message.error("Open an SMTP definition with Enter first")
            return None
        change = self.secrets.password_change()
        try:
            definition = self.parser()(self.form_values(), change, self.secrets.changes())
        except FormInvalid as invalid:
            self.fields.refuse(*invalid.errors)
            return None
        typed = {"set": change.value, "clear": "", "keep": None}[change.action]
        return definition, typed

    def sign_in_finder(self) -> Callable[[str], SignIn]:
        """Login Method M without a client secret: device code; G with a client secret: installed app."""
        from fincon_tui.services.sign_ins import definition_sign_in

        return partial(definition_sign_in, self.service)
