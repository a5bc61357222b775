"""Signing a mailbox in and keeping its refresh token: a definition's
shared login (SMTP Settings, `smtp sign-in`) or a user's own login (User
Email Settings, `user sign-in`).

Microsoft 365 signs in with the device code, Google with the installed-app
flow, both with the definition's app registration.  What a sign-in needs
is read from the stored records first (`definition_sign_in`,
`user_sign_in`); the refresh token is then stored with the record it was
made for, in one transaction that also checks the record (and a user's
definition's app registration) is still as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fincon_tui._exceptions import NotReady, RecordChanged
from fincon_tui.domain.login import effective_login
from fincon_tui.domain.login_methods import MICROSOFT, SIGN_IN_WAYS, way
from fincon_tui.domain.password_binding import smtp_owner
from fincon_tui.domain.secret_kinds import SecretKind
from fincon_tui.services.oauth_logins import google_client_secret, login_way

if TYPE_CHECKING:
    from fincon_tui.domain.smtp import SmtpDefinition
    from fincon_tui.oauth.tokens import Tokens
    from fincon_tui.services.record_store import RecordService
    from fincon_tui.services.smtp_settings import SmtpSettings
    from fincon_tui.services.user_settings import UserSettings


@dataclass(frozen=True)
class SignIn:
    """One sign-in: whose record (`kind`, `key`, as of `version`), the
    mailbox, and the app registration it signs in with."""

    kind: str
    key: str
    version: int
    mailbox: str
    method: str
    tenant: str
    client_id: str
    timeout: int
    client_secret: str = field(default="", repr=False)
    #: The definition whose app registration a user's sign-in uses.
    definition: str = ""

    @property
    def microsoft(self) -> bool:
        return self.method == MICROSOFT

    @property
    def command(self) -> str:
        return "smtp" if self.kind == "SMTP definition" else "user"


def _app(definition: SmtpDefinition) -> tuple[str, str, str]:
    return definition.login_method, definition.tenant, definition.client_id


def _sign_in(kind: str, key: str, version: int, mailbox: str, definition: SmtpDefinition, how: str,
             smtp: SmtpSettings, user_definition: str = "") -> SignIn:
    secret = google_client_secret(smtp.passwords, definition) if how == "installed app" else ""
    return SignIn(kind, key, version, mailbox, definition.login_method, definition.tenant, definition.client_id,
                  definition.timeout_seconds, secret, user_definition)


def definition_sign_in(smtp: SmtpSettings, name: str) -> SignIn:
    """The sign-in of a stored definition's shared mailbox; NotReady says why there is none."""
    stored = smtp.get(name)
    if stored is None:
        raise NotReady(f"SMTP definition {name} does not exist")
    definition = stored.record
    how = way(definition.login_method, set(smtp.passwords.expiries(smtp_owner(stored.key))))
    if how not in SIGN_IN_WAYS:
        needs = {"password": "uses a password", "app-only": "logs in app-only with its client secret",
                 "service account": "logs in with its service account"}[how]
        raise NotReady(f"SMTP definition {stored.key} {needs}: there is nobody to sign in")
    if not definition.username:
        raise NotReady(f"SMTP definition {stored.key} has no Username: give the mailbox to sign in as first")
    return _sign_in(smtp.kind, stored.key, stored.version, definition.username, definition, how, smtp)


def user_sign_in(users: UserSettings, smtp: SmtpSettings, code: str) -> SignIn:
    """The sign-in of a stored user's own mailbox; NotReady says why there is none."""
    stored = users.get(code)
    if stored is None:
        raise NotReady(f"User email settings {code.strip().upper()} do not exist")
    user, key = stored.record, stored.key
    found = smtp.get(user.smtp_name)
    if found is None:
        raise NotReady(f"User {key}'s SMTP definition {user.smtp_name} does not exist")
    definition = found.record
    if not definition.authenticate:
        raise NotReady(f"SMTP definition {found.key} does not authenticate: there is nobody to sign in")
    if not user.smtp_username:
        raise NotReady(f"User {key} has no SMTP Username of their own: they send with SMTP definition "
                       f"{found.key}'s login, which is signed in there")
    login = effective_login(definition, key, user.smtp_username, user.login_method)
    assert login is not None
    how = login_way(smtp.passwords, definition, login)
    if how not in SIGN_IN_WAYS:
        why = "uses a password" if how == "password" else (
            f"acts through SMTP definition {found.key}'s {how.replace('app-only', 'app-only access')}, "
            "which needs no sign-in")
        raise NotReady(f"User {key}'s own login {why}: there is nobody to sign in "
                       "(Login Method M or G signs the user's own mailbox in)")
    return _sign_in(users.kind, key, stored.version, user.smtp_username, definition, how, smtp, found.key)


def save_sign_in(service: RecordService[Any], sign_in: SignIn, tokens: Tokens) -> str:
    """Store the refresh token of a sign-in with the record it was made for
    (RecordChanged if the record, or a user's definition's app registration,
    changed meanwhile); returns a message."""
    with service.store.transaction():
        current = service.repo.current(sign_in.key, sign_in.version)
        if not tokens.refresh_token:
            raise RecordChanged(sign_in.key, current)  # pragma: no cover - the flows always ask for one
        if sign_in.definition:
            definition = service.store.smtp.get(sign_in.definition)
            if definition is None or _app(definition.record) != (sign_in.method, sign_in.tenant, sign_in.client_id):
                raise RecordChanged(sign_in.key, current)
        binding = service.binding(current.record)
        service.passwords.put(binding, SecretKind.REFRESH_TOKEN, tokens.refresh_token, tokens.refresh_expires_at)
        who = f" as {tokens.account}" if tokens.account else ""
        service.store.audit.record(service.kind, current, "update", {SecretKind.REFRESH_TOKEN: f"signed in{who}"},
                     password_changed=False)
    mismatch = ""
    if tokens.account and tokens.account.lower() != sign_in.mailbox.lower():
        label = "Username" if sign_in.command == "smtp" else "SMTP Username"
        mismatch = f" – but {label} is {sign_in.mailbox}: XOAUTH2 logs in as the {label}"
    return f"Signed in{who}; the refresh token is stored with {service.kind} {current.key}{mismatch}"
