"""OAuth 2.0 logins: the access token for a login test or test email, and
signing a mailbox in (device code, or Google's installed-app flow).

Secrets are read and sealed in the database thread; the token endpoints are
called in threads of their own (oauth/threads.py).  A refresh token that
an endpoint rotates is sealed and stored at once, in its own transaction
on a connection of the token thread, whether or not anyone still waits for
the login: the next login needs the new one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from fincon_tui._exceptions import NotReady
from fincon_tui.domain.login import Login
from fincon_tui.domain.login_methods import GOOGLE, MICROSOFT, way
from fincon_tui.domain.password_binding import PasswordBinding, smtp_owner
from fincon_tui.domain.smtp import SmtpDefinition
from fincon_tui.keystore import cipher
from fincon_tui.storage import audit, secret_rows
from fincon_tui.storage.transactions import write_transaction

if TYPE_CHECKING:
    from fincon_tui.oauth.tokens import Tokens
    from fincon_tui.services.sealed_passwords import Passwords
    from fincon_tui.services.smtp_settings import SmtpSettings

#: `smtp test --json` fails when a secret or refresh token expires within this many days.
WARN_DAYS = 14


@dataclass
class TokenSource:
    """Gets an access token for one login; `store` keeps a rotated refresh token."""

    fetch: Callable[[], Tokens]
    store: Callable[[Tokens], None]
    describe: str

    async def access_token(self) -> str:
        from fincon_tui.oauth.threads import in_thread

        tokens = await in_thread(self.fetch, then=self.store)
        return tokens.access_token

    def __repr__(self) -> str:
        return f"TokenSource({self.describe!r})"


def _rotation_keeper(passwords: Passwords, binding: PasswordBinding) -> Callable[[Tokens], None]:
    """Seals (with the key found now, in the database thread) and stores a
    rotated refresh token later, from the token thread."""
    key, database_id, path = passwords.current_key(), passwords.database_id, secret_rows.file_of(passwords.db)

    def store(tokens: Tokens) -> None:
        if not tokens.refresh_token:
            return
        sealed = cipher.seal(key.key, tokens.refresh_token, binding.associated_data(database_id, "refresh_token"))
        secret_rows.replace_on_own_connection(
            path, secret_rows.SealedPassword(binding, key.id, sealed, "refresh_token", tokens.refresh_expires_at)
        )

    return store


def token_source(passwords: Passwords, definition: SmtpDefinition, login: Login, timeout: float) -> TokenSource:
    """How `login` gets its access token, from the secrets stored (call in the
    database thread).  The definition holds the app registration; a user's
    own login is their mailbox, with their own sign-in where one is needed."""
    from fincon_tui.oauth import google, microsoft

    shared = smtp_owner(definition.name)
    stored = set(passwords.expiries(shared))
    how = way(definition.login_method, stored)
    mailbox = login.username
    binding = PasswordBinding.of(login.password_owner, mailbox, definition.mail_server)
    keep_rotated = _rotation_keeper(passwords, binding)
    describe = f"{definition.login_method}/{how} for {mailbox}"

    def nothing(tokens: Tokens) -> None:
        return None

    def signed_in() -> str:
        token = passwords.get(login.password_owner, "refresh_token")
        if token is None and login.source == "user":
            raise NotReady(f"{mailbox} is a user's own login, and signing a user's own mailbox in is not "
                           f"supported yet: give SMTP definition {definition.name} app-only access (a client "
                           "secret) or a service account, or leave the user's SMTP Username empty")
        if token is None:
            raise NotReady(f"{mailbox} is not signed in yet: open the definition and use Sign in "
                           f"(or run `fincon-tui smtp sign-in {definition.name}`)")
        return token

    if definition.login_method == MICROSOFT:
        if how == "app-only":
            secret = passwords.get(shared, "client_secret") or ""
            return TokenSource(lambda: microsoft.app_only(definition.tenant, definition.client_id, secret, timeout),
                               nothing, describe)
        refresh_token = signed_in()
        return TokenSource(lambda: microsoft.refresh(definition.tenant, definition.client_id, refresh_token, timeout),
                           keep_rotated, describe)
    if definition.login_method == GOOGLE:
        if how == "service account":
            key = passwords.get(shared, "service_account") or ""
            return TokenSource(lambda: google.service_account(key, mailbox, timeout), nothing, describe)
        secret = passwords.get(shared, "client_secret") or ""
        refresh_token = signed_in()
        return TokenSource(
            lambda: google.refresh(definition.client_id, secret, refresh_token, timeout), keep_rotated, describe
        )
    raise NotReady(f"Login Method {definition.login_method} uses no token")


# -- signing in -------------------------------------------------------------------


def sign_in_check(smtp: SmtpSettings, name: str) -> tuple[SmtpDefinition, int, str]:
    """The stored definition to sign in for, its version and (Google) the
    client secret; NotReady says why it cannot be signed in."""
    stored = smtp.get(name)
    if stored is None:
        raise NotReady(f"SMTP definition {name} does not exist")
    definition = stored.record
    how = way(definition.login_method, set(smtp.passwords.expiries(smtp_owner(stored.key))))
    if how not in ("device code", "installed app"):
        needs = {"password": "uses a password", "app-only": "logs in app-only with its client secret",
                 "service account": "logs in with its service account"}[how]
        raise NotReady(f"SMTP definition {stored.key} {needs}: there is nobody to sign in")
    if not definition.username:
        raise NotReady(f"SMTP definition {stored.key} has no Username: give the mailbox to sign in as first")
    secret = (smtp.passwords.get(smtp_owner(stored.key), "client_secret") or "") if how == "installed app" else ""
    return definition, stored.version, secret


def save_sign_in(smtp: SmtpSettings, name: str, version: int, tokens: Tokens) -> str:
    """Store the refresh token of a sign-in with the definition it was made
    for (refused if the definition changed meanwhile); returns a message."""
    from fincon_tui._exceptions import RecordChanged

    with write_transaction(smtp.db):
        current = smtp.repo.current(name, version)
        definition = current.record
        if not tokens.refresh_token:
            raise RecordChanged(name, current)  # pragma: no cover - the flows always ask for one
        binding = smtp.binding(definition)
        smtp.passwords.put(binding, "refresh_token", tokens.refresh_token, tokens.refresh_expires_at)
        who = f" as {tokens.account}" if tokens.account else ""
        audit.record(smtp.db, smtp.kind, current.key, "update", {"refresh_token": f"signed in{who}"},
                     password_changed=False)
    mismatch = ""
    if tokens.account and tokens.account.lower() != definition.username.lower():
        mismatch = f" – but Username is {definition.username}: XOAUTH2 logs in as the Username"
    return f"Signed in{who}; the refresh token is stored with SMTP definition {current.key}{mismatch}"


# -- expiries --------------------------------------------------------------------


def expiries(passwords: Passwords, definition: SmtpDefinition) -> dict[str, str | None]:
    """The expiry of each OAuth secret stored for the definition (None: not known)."""
    return {name: when for name, when in passwords.expiries(smtp_owner(definition.name)).items()
            if name != "password"}


def expires_soon(passwords: Passwords, definition: SmtpDefinition) -> list[str]:
    """What `smtp test` warns of: OAuth secrets that expire within WARN_DAYS."""
    if not definition.uses_oauth:
        return []
    return expiring(expiries(passwords, definition))


def expiring(found: dict[str, str | None], days: int = WARN_DAYS) -> list[str]:
    """Messages for the secrets in `found` that expire within `days` (or have)."""
    now = datetime.now(UTC)
    messages = []
    for name, when in sorted(found.items()):
        if when is None:
            continue
        at = datetime.fromisoformat(when)
        what = name.replace("_", " ")
        if at <= now:
            messages.append(f"the {what} expired on {at.date()}")
        elif at - now <= timedelta(days=days):
            messages.append(f"the {what} expires on {at.date()} (in {(at - now).days} days)")
    return messages
