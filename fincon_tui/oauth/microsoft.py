"""Microsoft 365 tokens for SMTP AUTH XOAUTH2, through MSAL.

Two ways, both Microsoft's own for SMTP: signed in as the mailbox with the
device-code flow (delegated SMTP.Send; a refresh token is kept), and
app-only with client credentials (SMTP.SendAsApp, scope .default).  The
authority host is https://login.microsoftonline.com, or
$FINCON_TUI_MICROSOFT_AUTHORITY (a national cloud, or a test server).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from fincon_tui.oauth.errors import TokenFailure, classify
from fincon_tui.oauth.network import reaching
from fincon_tui.oauth.threads import http_session
from fincon_tui.oauth.tokens import Tokens, from_response

AUTHORITY_ENV = "FINCON_TUI_MICROSOFT_AUTHORITY"
DEFAULT_AUTHORITY = "https://login.microsoftonline.com"
#: Delegated: the signed-in mailbox sends (offline_access is added by MSAL).
DELEGATED_SCOPES = ["https://outlook.office.com/SMTP.Send"]  # as Microsoft's SMTP OAuth article writes it
#: App-only: the app's own permissions (SMTP.SendAsApp).
APP_SCOPES = ["https://outlook.office365.com/.default"]


def authority(tenant: str) -> str:
    return f"{os.environ.get(AUTHORITY_ENV, DEFAULT_AUTHORITY).rstrip('/')}/{tenant}"


def _kwargs(tenant: str, timeout: float) -> dict[str, Any]:
    known = os.environ.get(AUTHORITY_ENV) is None
    return dict(
        authority=authority(tenant),
        http_client=http_session(timeout),
        # Only Microsoft's own host is known to its instance discovery.
        instance_discovery=None if known else False,
    )


def _result(response: dict[str, Any] | None, grant: str) -> Tokens:
    if not response or "access_token" not in response:
        response = response or {}
        raise classify(response.get("error", ""), response.get("error_description", ""),
                       response.get("error_codes"), grant=grant)
    return from_response(response)


def _app(make: Callable[..., Any], **kwargs: Any) -> Any:
    try:
        return make(**kwargs)
    except ValueError as error:  # msal's word for an authority it cannot use
        raise TokenFailure("tenant_unknown", f"the tenant cannot be used ({error})", "check the Tenant ID") from None


def app_only(tenant: str, client_id: str, client_secret: str, timeout: float) -> Tokens:
    """An access token for the app itself (client credentials)."""
    import msal

    with reaching(authority(tenant), timeout):
        app = _app(msal.ConfidentialClientApplication, client_id=client_id, client_credential=client_secret,
                   **_kwargs(tenant, timeout))
        return _result(app.acquire_token_for_client(scopes=APP_SCOPES), "client_credentials")


def refresh(tenant: str, client_id: str, refresh_token: str, timeout: float) -> Tokens:
    """A new access token (and usually a rotated refresh token) for a signed-in mailbox."""
    import msal

    with reaching(authority(tenant), timeout):
        app = _app(msal.PublicClientApplication, client_id=client_id, **_kwargs(tenant, timeout))
        return _result(app.acquire_token_by_refresh_token(refresh_token, scopes=DELEGATED_SCOPES), "refresh_token")


class DeviceCode:
    """A device-code sign-in: `url` and `code` to show, then `wait()`
    (blocking, until signed in, declined or expired); `stop()` from any
    thread ends the wait."""

    def __init__(self, tenant: str, client_id: str, timeout: float) -> None:
        import msal

        self.authority, self.timeout = authority(tenant), timeout
        with reaching(self.authority, timeout):
            self.app = _app(msal.PublicClientApplication, client_id=client_id, **_kwargs(tenant, timeout))
            self.flow = self.app.initiate_device_flow(scopes=DELEGATED_SCOPES)
        if "user_code" not in self.flow:
            raise classify(self.flow.get("error", ""), self.flow.get("error_description", ""),
                           self.flow.get("error_codes"), grant="device_code")
        self.url: str = self.flow["verification_uri"]
        self.code: str = self.flow["user_code"]
        self.expires_in: int = int(self.flow.get("expires_in", 900))
        self.stopped = False

    def wait(self) -> Tokens:
        with reaching(self.authority, self.timeout):
            response = self.app.acquire_token_by_device_flow(self.flow)
        if self.stopped:
            raise TokenFailure("cancelled", "the sign-in was cancelled")
        return _result(response, "device_code")

    def stop(self) -> None:
        """MSAL's documented way to end the polling: expires_at = 0."""
        self.stopped = True
        self.flow["expires_at"] = 0
