"""The kinds of secret stored with a record, and how messages name them.

Each value is the name the `secrets` table stores (its CHECK lists them,
migration m009), so the database needs no change for this enum."""

from __future__ import annotations

from enum import StrEnum


class SecretKind(StrEnum):
    """A secret stored with a record (sealed for its binding)."""

    PASSWORD = "password"
    CLIENT_SECRET = "client_secret"
    REFRESH_TOKEN = "refresh_token"
    SERVICE_ACCOUNT_KEY = "service_account"

    @property
    def word(self) -> str:
        """How 'enter the ... again' names it: 'client secret', 'service account'."""
        return self.value.replace("_", " ")

    @property
    def nouns(self) -> tuple[str, str]:
        """What a count calls it (one, several): 'sign-in', 'sign-ins'."""
        return _NOUNS[self]

    @property
    def delete_word(self) -> str:
        """How a Delete question names it: 'stored password', 'sign-in'."""
        return "stored password" if self is SecretKind.PASSWORD else self.nouns[0]


_NOUNS = {
    SecretKind.PASSWORD: ("password", "passwords"),
    SecretKind.CLIENT_SECRET: ("client secret", "client secrets"),
    SecretKind.SERVICE_ACCOUNT_KEY: ("service-account key", "service-account keys"),
    SecretKind.REFRESH_TOKEN: ("sign-in", "sign-ins"),
}

#: The order counts and lists name them in.
TOLD_ORDER = tuple(_NOUNS)

#: What an app registration keeps: a definition's Client Secret is stored as one of them.
APP_SECRETS = (SecretKind.CLIENT_SECRET, SecretKind.SERVICE_ACCOUNT_KEY)

