"""System / Mail Settings / User Email Settings: a user's SMTP definition,
own login and sender details, with the login they will send with shown live."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Static

from fincon_tui._exceptions import LoginMissing
from fincon_tui.domain import users
from fincon_tui.domain.login import effective_login
from fincon_tui.domain.password_binding import PasswordChange, smtp_owner, user_owner
from fincon_tui.domain.secret_kinds import SecretKind
from fincon_tui.domain.smtp import NAME_MAX
from fincon_tui.ui.bindings import bind
from fincon_tui.ui.plain import plain
from fincon_tui.ui.screens.list_start import Start
from fincon_tui.ui.screens.record_fields import saved_text
from fincon_tui.ui.screens.record_form import RecordFormScreen
from fincon_tui.ui.screens.screen_ports import Parser, Prompt
from fincon_tui.ui.screens.signs_in import SignsIn
from fincon_tui.ui.screens.smtp_settings import DEFINITION_PROMPT
from fincon_tui.ui.widgets.columns import Column
from fincon_tui.ui.widgets.declared_fields import detail_rows, help_rows
from fincon_tui.ui.widgets.text_update import update_text

if TYPE_CHECKING:
    from fincon_tui.domain.password_binding import PasswordOwner
    from fincon_tui.domain.smtp import SmtpDefinition
    from fincon_tui.domain.users import UserEmailSettings
    from fincon_tui.services.record_store import Saved
    from fincon_tui.services.sign_ins import SignIn
    from fincon_tui.services.smtp_settings import SmtpSettings
    from fincon_tui.services.user_settings import UserSettings
    from fincon_tui.storage.records import Stored
    from fincon_tui.ui.change_watch import ChangesNoticed

#: The fields the 'Login used' line follows.
LOGIN_FIELDS = ("smtp_name", "user_code", "smtp_username", "login_method")

CREATE_QUESTION = "The user email settings do not exist – do you want to create them?"


USER_PROMPT = Prompt(
    title="User email settings",
    service=lambda app: app.users,
    columns=(Column("User", users.USER_CODE_MAX), Column("Sender", 30), Column("SMTP Definition", NAME_MAX)),
    read=("user_code", "sender_name", "smtp_name"),
)


def parse_form(smtp_service: SmtpSettings, values: dict[str, str], password: PasswordChange,
               secrets: dict[str, PasswordChange], *, had_password: bool) -> users.UserEmailSettings:
    """The user's settings as Accept takes them, checked against their
    definition; FormInvalid if refused (in the database thread)."""
    stored = smtp_service.get(values["smtp_name"]) if values["smtp_name"].strip() else None
    definition = stored.record if stored else None
    return users.parse_user_settings(values, password, definition, had_password=had_password)


def user_saved(service: UserSettings, smtp_service: SmtpSettings, reminder: Callable[[str], str],
               saved: Saved[UserEmailSettings]) -> str:
    """Saved; and if this user cannot send yet, why (in the database thread)."""
    message = saved_text(service.kind, saved)
    found = smtp_service.get(saved.record.smtp_name)
    user = saved.record
    if found is not None:
        definition = found.record
        secrets = service.passwords.names([smtp_owner(definition.name), user_owner(user.user_code)])
        try:
            effective_login(definition, user.user_code, user.smtp_username, user.login_method, secrets=secrets)
        except LoginMissing as missing:
            if missing.short != "sign-in" or missing.login.source != "user":  # that one: sign_in_reminder
                return f"{message}; this user cannot send yet: {missing}"
    return message + reminder(saved.key)


@dataclass(frozen=True)
class LinkedDefinition:
    """What the 'Login used' line needs from the database: the SMTP
    definition named `name` as stored (None: no such definition) and which
    of its secrets are stored."""

    name: str
    stored: Stored[SmtpDefinition] | None
    secrets: dict[PasswordOwner, frozenset[SecretKind]]


def linked_definition(smtp_service: SmtpSettings, name: str) -> LinkedDefinition:
    """The definition a user's SMTP Definition field names (in the database thread)."""
    stored = smtp_service.get(name)
    secrets = smtp_service.passwords.names([smtp_owner(stored.record.name)]) if stored else {}
    return LinkedDefinition(name, stored, secrets)


def login_used(linked: LinkedDefinition | None, values: tuple[Any, ...]) -> str:
    """'Login used: ...' for the typed SMTP Definition (`linked`, read for
    `values`' name; None when none is typed), user code, username and Login
    Method, whether a password is given and whether a mailbox that signs in
    is signed in: MISSING and what, when it cannot log in.  No database work:
    the screen reads `linked` again only when the name changes."""
    from fincon_tui.domain.login_methods import SIGN_IN_WAYS, own_way

    name, code, username, method, has_password, signed_in, as_stored, sign_in_key = values
    if not name or linked is None:
        return "Login used: (choose an SMTP Definition)"
    stored = linked.stored
    if stored is None:
        return f"Login used: unknown, SMTP definition {name} does not exist"
    definition = stored.record
    secrets = dict(linked.secrets)
    # The user's own, as on screen: the password field; a sign-in counts for the login as stored.
    secrets[user_owner(code)] = frozenset({SecretKind.PASSWORD} if has_password else ()) | (
        {SecretKind.REFRESH_TOKEN} if signed_in else set())
    try:
        login = effective_login(definition, code, username, method, secrets=secrets)
    except LoginMissing as missing:
        if missing.login is None:
            return f"Login used: MISSING: {missing.reason}"
        text = f"Login used: {missing.login.describe()} – MISSING: {missing.reason}"
        if missing.short == "sign-in" and missing.login.source == "user":
            text += f" ({sign_in_key}=Sign in{'' if as_stored else ' after Accept'})"
        return text
    if login is None:
        return f"Login used: none, SMTP definition {stored.key} does not authenticate"
    text = f"Login used: {login.describe()}"
    if login.source == "user" and own_way(login.own_method, definition.login_method,
                                          secrets[smtp_owner(definition.name)]) in SIGN_IN_WAYS:
        text += " – signed in"
    return text


class UserEmailSettingsScreen(RecordFormScreen):
    """Type a user code, press Enter, link it to a definition, Accept.

    | Key (binding id) | Action |
    | --- | --- |
    | sign_in | Sign the user's own mailbox in (SignsIn) |

    and the keys of RecordFormScreen.
    """

    PATH = "System / Mail Settings / User Email Settings"
    KEY = "user_code"
    LABELS = users.LABELS
    NEW_DEFAULTS = users.NEW_DEFAULTS
    CREATE_QUESTION = CREATE_QUESTION
    PROMPTS = {"user_code": USER_PROMPT, "smtp_name": DEFINITION_PROMPT}
    HELP_TEXT = (
        "User email settings link a Fincon user to an SMTP definition and say who the user's emails "
        "come from.  Type the User code and press Enter.",
        *help_rows(users.DECLARED),
        "For a user with a login of their own, the line under it gives that login's last test (F6 on "
        "the SMTP definition's form, as the user), who ran it and the expiries it found.",
    )

    BINDINGS = [bind("sign_in", "sign_in", "Sign in")]

    def __init__(self, start: Start | None = None, path: str = "") -> None:
        super().__init__(start, path)
        self.signing = SignsIn(self, self.sign_in_finder)

    @property
    def service(self) -> UserSettings:
        return self.services.users

    def action_sign_in(self) -> None:
        self.signing.sign_in()

    def compose_fields(self) -> ComposeResult:
        yield self.key_field.row(users.USER_CODE_MAX)
        prompt = self.services.key_label("prompt", short=True)
        yield from detail_rows(users.DECLARED, prompt, {"login_method": (
            Static("", id="login-used", markup=False), Static("", id="last-test", markup=False))})

    def validate_key(self, raw: str) -> str:
        return users.validate_user_code(raw)

    def parser(self) -> Parser:
        return partial(parse_form, self.services.smtp, had_password=self.secrets.had_password)

    def sign_in_finder(self) -> Callable[[str], SignIn]:
        """Login Method M: device code; G: installed app (the definition's app registration)."""
        from fincon_tui.services.sign_ins import user_sign_in

        return partial(user_sign_in, self.service, self.services.smtp)

    def saved_report(self) -> Callable[[Saved[Any]], str]:
        return partial(user_saved, self.service, self.services.smtp, self.signing.reminder())

    @on(Input.Changed, "#smtp_name, #smtp_username, #login_method")
    def show_login_used(self) -> None:
        """The line follows the fields at once.  Only a change of SMTP
        Definition reads the database (`linked_definition`), and typed keys do
        not wait for that read: the echo comes first, the line follows, and
        the newest name read wins (a burst reads fewer names than it typed)."""
        values = self._login_values()
        name = values[0] if values else ""
        linked = self._linked
        if values is None or not name or (linked is not None and linked.name == name):
            update_text(self.query_one("#login-used", Static), plain(login_used(linked, values) if values else ""))
        elif name != self._reading:  # a read of this name in flight shows the fields as they are when it ends
            self._reading = name
            self.database.work(self, self._read_definition(name), group="login-used", holds_keys=False)

    #: The definition the line was last worked out with (None: none read yet).
    _linked: LinkedDefinition | None = None
    #: The name of the newest read started.
    _reading: str | None = None

    def _login_values(self) -> tuple[Any, ...] | None:
        """What the line depends on, as on screen now (None: no record open)."""
        if not self.is_open:
            return None
        typed = {key: self.field(key).entered.strip() for key in LOGIN_FIELDS}
        loaded = self.loaded
        stored = loaded.stored.record.form_values() if loaded else {}
        # Whether the open record is signed in counts only for the login as stored.
        as_stored = loaded is not None and all(stored.get(key) == typed[key] for key in LOGIN_FIELDS)
        signed_in = loaded is not None and as_stored and SecretKind.REFRESH_TOKEN in loaded.secrets
        self._shown_password = self._gives_password()
        return (*(typed[key] for key in LOGIN_FIELDS), self._shown_password, signed_in, as_stored,
                self.services.key_label("sign_in"))

    async def _read_definition(self, name: str) -> None:
        """Read the definition `name`; the line shows it if the field still
        names it (else a newer read follows, or has already shown its own)."""
        try:
            linked = await self.database.run(linked_definition, self.services.smtp, name)
        finally:
            if self._reading == name:
                self._reading = None
        values = self._login_values()
        if values is not None and values[0] == name:
            self._linked = linked
            update_text(self.query_one("#login-used", Static), plain(login_used(linked, values)))

    _shown_password: bool | None = None

    def _gives_password(self) -> bool:
        return self.secrets.password_change().leaves_password(self.secrets.had_password)

    @on(Input.Changed, "#password")
    def _password_changed(self) -> None:
        """The line follows whether the user's own login has a password, not each key typed."""
        if self.is_open and self._gives_password() != self._shown_password:
            self.show_login_used()

    def on_opened(self) -> None:
        self._linked = self._reading = None  # a record opened reads its definition afresh
        self.show_login_used()

    def on_changes_noticed(self, noticed: ChangesNoticed) -> None:
        """Another admin's change may be to the definition the line shows
        (its secrets, its login): read it again."""
        if self._linked is not None:  # (RecordFormScreen's handler runs too: Textual calls each class's)
            self._linked = None
            self.show_login_used()

    def tests_own_login(self) -> bool:
        """The last-test line is for a user with a login of their own."""
        return self.loaded is not None and bool(self.loaded.stored.record.smtp_username)
