"""The two mail-test use cases, shared by the TUI (F6, F7) and the CLI
(`smtp test`, `smtp send-test`): work out the login, its secret and the
sender once (`MailChecks.login_test`, `MailChecks.test_email`), then run
the session.  The front ends keep only the plaintext consent and the output.

Every login test that ran to a result, passed or failed (a refused
connection, a time-out), is recorded for the record whose login it used
(the user's own login: the user; else the definition) in the store's
`login_tests`, in a short transaction of its own after the test; one
cancelled (Esc, Ctrl+C) records nothing.  Recording that fails leaves the
result as it was and adds a note to it.  A test email is not a login test
(its result may be a refused recipient) and is not recorded.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from fincon_tui._exceptions import CannotTest, FieldError, LoginMissing, SecretStoreError, StorageError, UnknownUser
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
    from fincon_tui.storage.records import LoginTest, Stored
    from fincon_tui.storage.store import Store

#: Runs a storage call where the store may be used, and gives its result:
#: the CLI calls it at once, the TUI in its database thread (DatabaseThread.run).
InStoreThread = Callable[..., Awaitable[Any]]


async def at_once(call: Callable[..., Any], *args: Any) -> Any:
    """InStoreThread for a caller in the store's own thread (the CLI)."""
    return call(*args)


def keep_result(store: Store, result: LoginTest) -> str:
    """Record `result` in a transaction of its own; '' when recorded, else
    why not (a note: the test's result stands)."""
    try:
        with store.transaction() as work:
            work.login_tests.record(result)
    except StorageError as error:
        return f"the result was not recorded: {error}"
    return ""


@dataclass(frozen=True)
class Tested:
    """The record a login test's result is kept for: 'smtp' or 'user', its
    row_id and key, who runs the test, the earliest expiry of the secrets
    it uses, and where the store is used."""

    kind: str
    row_id: str
    key: str
    by: str
    secret_expires: str | None
    store: Store
    in_store_thread: InStoreThread

    def result(self, outcome: Outcome) -> LoginTest:
        from fincon_tui.storage.records import LoginTest, utc_now

        return LoginTest(self.kind, self.row_id, self.key, utc_now(), self.by, outcome.ok,
                         "" if outcome.ok else outcome.step, outcome.message, outcome.certificate_expires,
                         self.secret_expires)

    async def keep(self, outcome: Outcome) -> str:
        return str(await self.in_store_thread(keep_result, self.store, self.result(outcome)))

    def __repr__(self) -> str:
        return f"Tested({self.kind!r}, {self.key!r})"


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
    #: Where a login test's result is kept (None: nowhere, e.g. a definition not saved yet).
    tested: Tested | None = None

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

    async def run(self, transcript: Transcript, on_step: Callable[[str], None] = lambda step: None) -> Outcome:
        """The session itself: a login test, then its result recorded, or the test email."""
        from fincon_tui.mail.session import check_login, send_test_email

        if self.sender is not None:
            return await send_test_email(
                self.definition, self.login, self.password, self.sender, self.recipient, transcript, on_step
            )
        outcome = await check_login(self.definition, self.login, self.password, transcript, on_step)
        if self.tested is not None:
            note = await self.tested.keep(outcome)
            if note:
                transcript.note(note)
                outcome = replace(outcome, note=note)
        return outcome

    def __repr__(self) -> str:  # never show the password
        return f"Prepared({self.definition.name!r}, login={self.login!r})"

class MailChecks:
    """Prepare login tests and test emails over the stored records (call in
    the database thread: it reads users and unseals passwords)."""

    def __init__(self, smtp: SmtpSettings, users: UserSettings, *, in_store_thread: InStoreThread = at_once,
                 tested_by: str | None = None) -> None:
        """`in_store_thread` records results where the store may be used
        (the TUI: its database thread); `tested_by` names who tests (by
        default the OS account, storage.audit.who; `check`: 'check run by …')."""
        from fincon_tui.storage.audit import who

        self.smtp = smtp
        self.users = users
        self.in_store_thread = in_store_thread
        self.tested_by = tested_by or who()

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
        return Prepared(definition, login, password, user=user, notes=_linked_elsewhere(definition, user),
                        tested=self._tested(definition, user, login))

    def _tested(self, definition: SmtpDefinition, user: UserEmailSettings | None, login: Login | None) -> Tested | None:
        """Whose result a login test is: the user's with their own login,
        else the definition's as stored (None if it is not)."""
        from fincon_tui.services.oauth_logins import earliest_expiry

        stored: Stored[SmtpDefinition] | Stored[UserEmailSettings] | None
        if user is not None and login is not None and login.source == "user":
            kind, stored = "user", self.users.get(user.user_code)
        else:
            kind, stored = "smtp", self.smtp.get(definition.name)
        if stored is None or not stored.row_id:
            return None
        return Tested(kind, stored.row_id, stored.key, self.tested_by,
                      earliest_expiry(self.smtp.passwords, definition, login), self.smtp.store, self.in_store_thread)

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
