"""How a definition (or a user's own login) logs in: a password, or
OAuth 2.0 (XOAUTH2) with Microsoft 365 or Google.

Each OAuth method has two ways, told apart by the secret stored:

* M, Microsoft 365: with a client secret, app-only (client credentials);
  without one, signed in as the mailbox with a device code (a refresh token).
* G, Google: with a service-account key, domain-wide delegation acting as
  the login's mailbox; with a client secret, the installed-app sign-in
  (a refresh token).

A user's own login takes the definition's method when its own is empty
(app-only access and a service account then act as the user's mailbox);
the user's own M or G signs the user's own mailbox in, with the
definition's app registration (`own_way`).
"""

from __future__ import annotations

from collections.abc import Set
from typing import Any

from fincon_tui._exceptions import FieldError
from fincon_tui.domain.secret_kinds import SecretKind
from fincon_tui.domain.value_rules import Text

PASSWORD, MICROSOFT, GOOGLE = "P", "M", "G"
METHODS: dict[str, str] = {PASSWORD: "Password", MICROSOFT: "Microsoft 365", GOOGLE: "Google"}
#: The allowed-values text beside the one-character field.
ALLOWED = "P=Password, M=Microsoft 365, G=Google"

TENANT_MAX = 100
CLIENT_ID_MAX = 200
SECRET_MAX = 16_384  # a service-account key is a few KB of JSON

#: A tenant: its GUID, a domain (contoso.onmicrosoft.com), or organizations.
TENANT = Text(TENANT_MAX, chars="A-Za-z0-9.-",
              refusal="must be the tenant's ID (a GUID) or domain, e.g. contoso.onmicrosoft.com",
              said=f"1-{TENANT_MAX} letters, digits, '.' or '-' (a GUID or a domain)")
#: An app registration's or OAuth client's ID.
CLIENT_ID = Text(CLIENT_ID_MAX, spaces=False)


#: The ways in which a mailbox signs in once and a refresh token is kept.
SIGN_IN_WAYS = ("device code", "installed app")


def is_service_account_key(secret: str) -> bool:
    """Whether a secret is a Google service-account key (JSON) rather than a client secret."""
    return secret.lstrip().startswith("{")


def check_service_account_key(secret: str) -> dict[str, Any]:
    """The key JSON, checked for what signing in needs; FieldError says what is wrong."""
    try:
        from fincon_tui.domain.documents import parse_json  # json loads with a key, not for --help

        info = parse_json(secret)
    except ValueError as error:
        raise FieldError(f"is not a service-account key: it {error}") from None
    if not isinstance(info, dict) or info.get("type") != "service_account":
        raise FieldError('is not a service-account key ("type" is not "service_account")')
    missing = [key for key in ("client_email", "private_key", "token_uri") if not info.get(key)]
    if missing:
        raise FieldError(f"is a service-account key without {', '.join(missing)}")
    return info


def secret_name(method: str, secret: str) -> SecretKind:
    """Under which name a typed Client Secret is stored."""
    if method == GOOGLE and is_service_account_key(secret):
        return SecretKind.SERVICE_ACCOUNT_KEY
    return SecretKind.CLIENT_SECRET


def way(method: str, stored: Set[SecretKind]) -> str:
    """How an OAuth login goes, from the secrets stored: 'app-only',
    'device code', 'service account', 'installed app' (or 'password')."""
    if method == MICROSOFT:
        return "app-only" if SecretKind.CLIENT_SECRET in stored else "device code"
    if method == GOOGLE:
        return "service account" if SecretKind.SERVICE_ACCOUNT_KEY in stored else "installed app"
    return "password"


def own_way(own_method: str, definition_method: str, stored: Set[SecretKind]) -> str:
    """How a user's own login goes: with an empty own method as the
    definition's does (from the definition's `stored` secrets); with M or G
    the user's own mailbox signs in ('device code', 'installed app')."""
    if not own_method:
        return way(definition_method, stored)
    return {MICROSOFT: "device code", GOOGLE: "installed app"}.get(own_method, "password")
