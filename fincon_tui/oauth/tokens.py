"""What a token endpoint gave: an access token, and maybe a new refresh token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

#: How long a refresh token lasts when the endpoint does not say: Microsoft's
#: default inactivity lifetime is 90 days; each use starts it again.
REFRESH_TOKEN_DAYS = 90


def utc_in(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Tokens:
    access_token: str
    #: A new (rotated) refresh token to store in place of the old one, if any.
    refresh_token: str | None = None
    refresh_expires_at: str | None = None
    #: Who signed in, when the endpoint says (an ID token's preferred_username).
    account: str = ""

    def __repr__(self) -> str:  # never show a token
        return f"Tokens(refresh={'yes' if self.refresh_token else 'no'}, account={self.account!r})"


def from_response(response: dict[str, Any]) -> Tokens:
    """Tokens from a token endpoint's JSON answer (msal's result dict too)."""
    refresh = response.get("refresh_token")
    lifetime = response.get("refresh_token_expires_in") or REFRESH_TOKEN_DAYS * 86400
    claims = response.get("id_token_claims") or {}
    return Tokens(
        response["access_token"],
        refresh,
        utc_in(float(lifetime)) if refresh else None,
        str(claims.get("preferred_username") or claims.get("email") or ""),
    )
