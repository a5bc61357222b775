"""OAuth 2.0 logins: the access token for a login test or test email, and
the expiries that `smtp show` reports and `smtp test` warns of.

Secrets are read in the database thread; the token endpoints are called
in threads of their own (oauth/threads.py).  A refresh token that an
endpoint rotates is sealed and stored at once, in its own transaction on a
connection of the token thread, whether or not anyone still waits for the
login: the next login needs the new one.  Signing in: services/sign_ins.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from fincon_tui._exceptions import NotReady, TokenFailure
from fincon_tui.domain.expiry import CRITICAL_DAYS as CRITICAL_DAYS
from fincon_tui.domain.expiry import WARN_DAYS as WARN_DAYS
from fincon_tui.domain.login import Login, sign_in_where
from fincon_tui.domain.login_methods import GOOGLE, MICROSOFT, SIGN_IN_WAYS, own_way, way
from fincon_tui.domain.password_binding import PasswordBinding, PasswordOwner, smtp_owner
from fincon_tui.domain.secret_kinds import SecretKind
from fincon_tui.domain.smtp import SmtpDefinition, own_method_problem
from fincon_tui.domain.visible import shell_word

if TYPE_CHECKING:
    from fincon_tui.oauth.tokens import Tokens
    from fincon_tui.services.sealed_passwords import Passwords



@dataclass
class TokenSource:
    """Gets an access token for one login; `store` keeps a rotated refresh
    token; `mend` turns the words of a failure's hint (oauth.errors:
    SIGN_IN_HINT, NEW_KEY_HINT) into where this login is mended."""

    fetch: Callable[[], Tokens]
    store: Callable[[Tokens], None]
    describe: str
    mend: dict[str, str] = field(default_factory=dict)

    async def access_token(self) -> str:
        from fincon_tui.oauth.threads import in_thread

        try:
            tokens = await in_thread(self.fetch, then=self.store)
        except TokenFailure as failure:
            hint = failure.hint
            for words, where in self.mend.items():
                hint = hint.replace(words, where)
            if hint != failure.hint:
                raise TokenFailure(failure.kind, failure.message, hint) from None
            raise
        return tokens.access_token

    def __repr__(self) -> str:
        return f"TokenSource({self.describe!r})"


def _rotation_keeper(passwords: Passwords, binding: PasswordBinding) -> Callable[[Tokens], None]:
    """Seals (with the key found now, in the database thread) and stores a
    rotated refresh token later, from the token thread."""
    keep = passwords.keeper(binding, SecretKind.REFRESH_TOKEN)

    def store(tokens: Tokens) -> None:
        if tokens.refresh_token:
            keep(tokens.refresh_token, tokens.refresh_expires_at)

    return store


def login_way(passwords: Passwords, definition: SmtpDefinition, login: Login) -> str:
    """How `login` gets its token: 'app-only', 'device code', 'service
    account', 'installed app' (or 'password'); NotReady when a user's own
    Login Method cannot go with the definition."""
    stored = set(passwords.expiries(smtp_owner(definition.name)))
    if login.source == "definition":
        return way(definition.login_method, stored)
    problem = own_method_problem(definition, login.own_method)
    if problem:
        raise NotReady(f"User {login.password_owner.key}'s Login Method {problem}")
    return own_way(login.own_method, definition.login_method, stored)


def token_source(passwords: Passwords, definition: SmtpDefinition, login: Login, timeout: float) -> TokenSource:
    """How `login` gets its access token, from the secrets stored (call in the
    database thread).  The definition holds the app registration; a user's
    own login is their mailbox, signed in on its own where it signs in."""
    from fincon_tui.oauth import google, microsoft
    from fincon_tui.oauth.errors import NEW_KEY_HINT, SIGN_IN_HINT

    shared = smtp_owner(definition.name)
    how = login_way(passwords, definition, login)
    mailbox, owner = login.username, login.password_owner
    keep_rotated = _rotation_keeper(passwords, PasswordBinding.of(owner, mailbox, definition.mail_server))
    describe = f"{login.method}/{how} for {mailbox}"
    again = {SIGN_IN_HINT: f"sign {mailbox} in again ({sign_in_where(owner)})"}

    def nothing(tokens: Tokens) -> None:
        return None

    def signed_in() -> str:
        token = passwords.get(owner, SecretKind.REFRESH_TOKEN)
        if token is None:
            raise NotReady(f"{mailbox} is not signed in yet: {sign_in_where(owner)}")
        return token

    if login.method == MICROSOFT:
        if how == "app-only":
            secret = passwords.get(shared, SecretKind.CLIENT_SECRET) or ""
            return TokenSource(lambda: microsoft.app_only(definition.tenant, definition.client_id, secret, timeout),
                               nothing, describe)
        refresh_token = signed_in()
        return TokenSource(lambda: microsoft.refresh(definition.tenant, definition.client_id, refresh_token, timeout),
                           keep_rotated, describe, again)
    if login.method == GOOGLE:
        if how == "service account":
            key = passwords.get(shared, SecretKind.SERVICE_ACCOUNT_KEY) or ""
            name = definition.name
            new_key = {NEW_KEY_HINT: f"give the new key's file as Client Secret on SMTP Settings {name} (or run "
                                     f"`fincon-tui smtp set {shell_word(name)} --service-account-file FILE`)"}
            return TokenSource(lambda: google.service_account(key, mailbox, timeout), nothing, describe, new_key)
        secret = google_client_secret(passwords, definition)
        refresh_token = signed_in()
        return TokenSource(
            lambda: google.refresh(definition.client_id, secret, refresh_token, timeout), keep_rotated, describe, again
        )
    raise NotReady(f"Login Method {login.method} uses no token")


def google_client_secret(passwords: Passwords, definition: SmtpDefinition) -> str:
    """The OAuth client secret a Google sign-in needs (NotReady when the
    definition holds only a service-account key)."""
    secret = passwords.get(smtp_owner(definition.name), SecretKind.CLIENT_SECRET)
    if secret is None:
        raise NotReady(f"SMTP definition {definition.name} holds no OAuth client secret (only a service-account "
                       "key, which acts as a user's mailbox when the user's Login Method is empty)")
    return secret


# -- expiries --------------------------------------------------------------------


def expiries(passwords: Passwords, definition: SmtpDefinition) -> dict[str, str | None]:
    """The expiry of each OAuth secret stored for the definition (None: not known)."""
    return {name: when for name, when in passwords.expiries(smtp_owner(definition.name)).items()
            if name != SecretKind.PASSWORD}


def user_expiries(passwords: Passwords, owner: PasswordOwner) -> dict[str, str | None]:
    """The expiry of a user's own refresh token, if one is stored."""
    return {name: when for name, when in passwords.expiries(owner).items() if name == SecretKind.REFRESH_TOKEN}


def expires_soon(passwords: Passwords, definition: SmtpDefinition, login: Login | None = None) -> list[str]:
    """What `smtp test` warns of: the secrets that `login` (by default every
    OAuth secret of the definition) uses and that expire within WARN_DAYS."""
    if login is None:
        return expiring(expiries(passwords, definition)) if definition.uses_oauth else []
    return expiring(used_expiries(passwords, definition, login))


def earliest_expiry(passwords: Passwords, definition: SmtpDefinition, login: Login | None) -> str | None:
    """When the first of the secrets `login` uses expires (ISO-8601 UTC), if known."""
    if login is None:
        return None
    known = [when for when in used_expiries(passwords, definition, login).values() if when]
    return min(known, key=datetime.fromisoformat) if known else None


def expires_within(when: str | None, days: int = WARN_DAYS) -> bool:
    """Whether an expiry (ISO-8601 date or time) has passed or comes within
    `days`: the one rule for warning of a secret or certificate."""
    if not when:
        return False
    try:
        at = datetime.fromisoformat(when)
    except ValueError:
        return False
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at - datetime.now(UTC) <= timedelta(days=days)


def used_expiries(passwords: Passwords, definition: SmtpDefinition, login: Login) -> dict[str, str | None]:
    """The expiry of each secret that `login` uses (a client secret or key
    of the definition, a refresh token), by what it is."""
    if not login.uses_oauth:
        return {}
    try:
        how = login_way(passwords, definition, login)
    except NotReady:
        return {}
    app = {"app-only": SecretKind.CLIENT_SECRET, "installed app": SecretKind.CLIENT_SECRET,
           "service account": SecretKind.SERVICE_ACCOUNT_KEY}
    found = {name: when for name, when in expiries(passwords, definition).items() if name == app.get(how)}
    if how in SIGN_IN_WAYS:
        owner = login.password_owner
        whose = f" of user {owner.key}" if owner.kind == "user" else ""
        found.update({f"{SecretKind.REFRESH_TOKEN}{whose}": when for name, when in passwords.expiries(owner).items()
                      if name == SecretKind.REFRESH_TOKEN})
    return found


@dataclass(frozen=True)
class Expiring:
    """A secret that expires soon (or has): its name, the day, the days left
    (negative once expired) and what a message says of it."""

    name: str
    at: date
    days_left: int
    message: str


def expiring_secrets(found: dict[str, str | None], days: int = WARN_DAYS) -> list[Expiring]:
    """The secrets in `found` that expire within `days` (or have), by name."""
    now = datetime.now(UTC)
    soon = []
    for name, when in sorted(found.items()):
        if when is None or not expires_within(when, days):
            continue
        at = datetime.fromisoformat(when)
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        what = name.replace("_", " ")
        if at <= now:
            soon.append(Expiring(name, at.date(), (at - now).days, f"the {what} expired on {at.date()}"))
        else:
            soon.append(Expiring(name, at.date(), (at - now).days,
                                 f"the {what} expires on {at.date()} (in {(at - now).days} days)"))
    return soon


def expiring(found: dict[str, str | None], days: int = WARN_DAYS) -> list[str]:
    """Messages for the secrets in `found` that expire within `days` (or have)."""
    return [soon.message for soon in expiring_secrets(found, days)]
