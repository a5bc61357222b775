"""What a login test or test email needs: the login, its password, the sender."""

from __future__ import annotations

from dataclasses import dataclass

from fincon_tui._exceptions import CannotTest, LoginMissing, SecretStoreError
from fincon_tui.domain.login import Login, effective_login
from fincon_tui.domain.smtp import SmtpDefinition
from fincon_tui.domain.users import UserEmailSettings
from fincon_tui.mail.session import Sender
from fincon_tui.services.sealed_passwords import Passwords


@dataclass(frozen=True)
class Plan:
    """Everything a session needs, worked out before connecting."""

    definition: SmtpDefinition
    login: Login | None
    password: str | None = None
    sender: Sender | None = None

    @property
    def credentials_in_clear(self) -> bool:
        """A login over a connection without TLS: the password would cross unencrypted."""
        return self.login is not None and not self.definition.use_tls

    def __repr__(self) -> str:  # never show the password
        return f"Plan({self.definition.name!r}, login={self.login!r})"


def plan(
    definition: SmtpDefinition,
    passwords: Passwords,
    user: UserEmailSettings | None = None,
    *,
    definition_password: str | None = None,
    want_sender: bool = False,
) -> Plan:
    """The effective login for `user` (or the definition's own), its password
    from the database (or `definition_password`, typed on screen), and for a
    test email the sender: the user's name and address, else the login."""
    try:
        login = effective_login(
            definition, user.user_code if user else "", user.smtp_username if user else ""
        )
    except LoginMissing as error:
        raise CannotTest(str(error)) from None
    password = None
    if login is not None:
        if login.source == "definition" and definition_password is not None:
            password = definition_password
        else:
            try:
                password = passwords.get(login.password_owner)
            except SecretStoreError as error:
                raise CannotTest(f"cannot use the stored password: {error}") from None
    sender = None
    if want_sender:
        if user is not None:
            sender = Sender(user.sender_name, user.sender_email)
        elif login is not None and "@" in login.username:
            sender = Sender("fincon-tui test", login.username)
        else:
            raise CannotTest("give a user code: the test email needs a sender address")
    return Plan(definition, login, password, sender)
