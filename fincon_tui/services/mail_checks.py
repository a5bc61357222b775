"""The two mail-test use cases, shared by the TUI (F6, F7) and the CLI
(`smtp test`, `smtp send-test`): work out the login, its secret and the
sender once (`MailChecks.login_test`, `MailChecks.test_email`), then run
the session.  The front ends keep only the plaintext consent and the output.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fincon_tui._exceptions import CannotTest, FieldError, LoginMissing, SecretStoreError, UnknownUser
from fincon_tui.domain.fields import email_address
from fincon_tui.domain.login import Login, effective_login
from fincon_tui.domain.password_binding import smtp_owner, user_owner
from fincon_tui.domain.secret_kinds import SecretKind
from fincon_tui.domain.smtp import SmtpDefinition
from fincon_tui.domain.users import UserEmailSettings

if TYPE_CHECKING:
    from fincon_tui.mail.message import Sender
    from fincon_tui.mail.outcome import Outcome
    from fincon_tui.mail.session import Credential
    from fincon_tui.mail.transcript import Transcript
    from fincon_tui.services.oauth_logins import TokenSource
    from fincon_tui.services.smtp_settings import SmtpSettings
    from fincon_tui.services.user_settings import UserSettings

@dataclass(frozen=True)
class Prepared:
    """A login test or test email, worked out before connecting."""

    definition: SmtpDefinition
    login: Login | None
    #: The password, or the source of access tokens for an OAuth 2.0 login.
    password: Credential = None
    sender: Sender | None = None
    recipient: str = ""
    user: UserEmailSettings | None = None
    #: What the front end should tell before it runs (e.g. a user linked elsewhere).
    notes: tuple[str, ...] = field(default=())

    @property
    def credentials_in_clear(self) -> bool:
        """A login over a connection without TLS: the password would cross unencrypted."""
        return self.login is not None and not self.definition.use_tls

    @property
    def title(self) -> str:
        from fincon_tui.mail.security import security

        d = self.definition
        who = f" as {self.user.user_code}" if self.user else ""
        if self.sender is None:
            return f"Login test: {d.name}{who} ({d.mail_server}:{d.port}, {security(d)})"
        return f"Test email: {d.name} to {self.recipient}{who}"

    def run(
        self, transcript: Transcript, on_step: Callable[[str], None] = lambda step: None
    ) -> Coroutine[Any, Any, Outcome]:
        """The session itself: a login test, or the test email."""
        from fincon_tui.mail.session import check_login, send_test_email

        if self.sender is None:
            return check_login(self.definition, self.login, self.password, transcript, on_step)
        return send_test_email(
            self.definition, self.login, self.password, self.sender, self.recipient, transcript, on_step
        )

    def __repr__(self) -> str:  # never show the password
        return f"Prepared({self.definition.name!r}, login={self.login!r})"

class MailChecks:
    """Prepare login tests and test emails over the stored records (call in
    the database thread: it reads users and unseals passwords)."""

    def __init__(self, smtp: SmtpSettings, users: UserSettings) -> None:
        self.smtp = smtp
        self.users = users

    @staticmethod
    def default_from(definition: SmtpDefinition, user: UserEmailSettings | None = None) -> str:
        """What the From of a test email starts as: the user's sender address,
        else the definition's login when it is an address."""
        if user is not None:
            return user.sender_email
        return definition.username if "@" in definition.username else ""

    def find_user(self, code: str) -> UserEmailSettings:
        found = self.users.get(code)
        if found is None:
            raise UnknownUser(code.strip().upper())
        return found.record

    def login_test(
        self, definition: SmtpDefinition, *, user_code: str = "", typed_password: str | None = None
    ) -> Prepared:
        """Log in as `user_code` would (their own login, else the shared one);
        `typed_password` replaces the definition's stored password."""
        user = self.find_user(user_code) if user_code else None
        login, password = self._login(definition, user, typed_password)
        return Prepared(definition, login, password, user=user, notes=_linked_elsewhere(definition, user))

    def test_email(
        self,
        definition: SmtpDefinition,
        recipient: str,
        *,
        user_code: str = "",
        user: UserEmailSettings | None = None,
        sender_address: str = "",
        typed_password: str | None = None,
    ) -> Prepared:
        """A test email to `recipient`, as `user_code` (or the `user` already
        looked up: their login and sender) or with the definition's login;
        from `sender_address` when given, else the user's sender address,
        else the login when it is an address."""
        try:
            recipient = email_address(recipient, required=True)
        except FieldError as error:
            raise CannotTest(error.message, "to", of_value=True) from None
        try:
            given = email_address(sender_address)
        except FieldError as error:
            raise CannotTest(error.message, "from", of_value=True) from None
        from fincon_tui.mail.message import Sender

        if user is None and user_code:
            user = self.find_user(user_code)
        login, password = self._login(definition, user, typed_password)
        name = user.sender_name if user is not None else "fincon-tui test"
        if given:
            sender = Sender(name, given)
        elif user is not None:
            sender = Sender(user.sender_name, user.sender_email)
        elif login is not None and "@" in login.username:
            sender = Sender(name, login.username)
        else:
            raise CannotTest("give a From address (or a user code): the test email needs a sender address",
                             "from")
        return Prepared(definition, login, password, sender, recipient, user, _linked_elsewhere(definition, user))

    def _login(
        self, definition: SmtpDefinition, user: UserEmailSettings | None, typed: str | None
    ) -> tuple[Login | None, Credential]:
        """The login and its secret; CannotTest when the login is missing or
        lacks its secret (`typed` stands for the definition's password)."""
        shared = smtp_owner(definition.name)
        secrets = self.smtp.passwords.names([shared, *([user_owner(user.user_code)] if user else [])])
        if typed is not None:
            secrets[shared] = (secrets[shared] - {SecretKind.PASSWORD}) | ({SecretKind.PASSWORD} if typed else set())
        try:
            login = effective_login(definition, *(
                (user.user_code, user.smtp_username, user.login_method) if user else ()), secrets=secrets)
        except LoginMissing as error:
            raise CannotTest(str(error)) from None
        if login is None:
            return None, None
        if login.uses_oauth:
            return login, self._token_source(definition, login)
        if login.source == "definition" and typed is not None:
            return login, typed
        try:
            return login, self.smtp.passwords.get(login.password_owner)
        except SecretStoreError as error:
            raise CannotTest(f"cannot use the stored password: {error}") from None

    def _token_source(self, definition: SmtpDefinition, login: Login) -> TokenSource:
        from fincon_tui._exceptions import NotReady
        from fincon_tui.services.oauth_logins import token_source

        if not definition.use_tls:
            raise CannotTest(f"Login Method {login.method} needs Use TLS = Y: an access token "
                             "is never sent unencrypted")
        try:
            return token_source(self.smtp.passwords, definition, login, definition.timeout_seconds)
        except NotReady as error:
            raise CannotTest(str(error)) from None
        except SecretStoreError as error:
            raise CannotTest(f"cannot use the stored secrets: {error}") from None

def _linked_elsewhere(definition: SmtpDefinition, user: UserEmailSettings | None) -> tuple[str, ...]:
    if user is None or user.smtp_name.lower() == definition.name.lower():
        return ()
    return (f"user {user.user_code} is linked to {user.smtp_name}, testing through {definition.name} as asked",)
