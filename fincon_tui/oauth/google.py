"""Google Workspace tokens for SMTP AUTH XOAUTH2, through google-auth.

Two ways: a service account with domain-wide delegation acting as the
mailbox (its key JSON names its token_uri), and the installed-app flow
with a loopback redirect where the admin pastes the final redirect URL
back (Google's device flow does not allow the https://mail.google.com/
scope).  $FINCON_TUI_GOOGLE_TOKEN_URI and $FINCON_TUI_GOOGLE_AUTH_URI
replace Google's endpoints (for a test server).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fincon_tui.oauth.errors import TokenFailure, classify
from fincon_tui.oauth.network import reaching, unreachable
from fincon_tui.oauth.threads import ca_bundle, http_session
from fincon_tui.oauth.tokens import Tokens

if TYPE_CHECKING:
    from google.auth.credentials import Credentials

SCOPES = ["https://mail.google.com/"]
TOKEN_URI_ENV = "FINCON_TUI_GOOGLE_TOKEN_URI"
AUTH_URI_ENV = "FINCON_TUI_GOOGLE_AUTH_URI"
#: Where Google sends the browser after the sign-in: nothing listens there;
#: the admin copies the address it shows and pastes it into fincon-tui.
REDIRECT_URI = "http://127.0.0.1:1/"


def token_uri() -> str:
    return os.environ.get(TOKEN_URI_ENV, "https://oauth2.googleapis.com/token")


def auth_uri() -> str:
    return os.environ.get(AUTH_URI_ENV, "https://accounts.google.com/o/oauth2/auth")


def _request(timeout: float) -> Callable[..., Any]:
    from functools import partial

    from google.auth.transport.requests import Request

    request = Request(http_session())
    return partial(request, timeout=timeout)


def _refresh(credentials: Credentials, timeout: float, url: str, grant: str = "refresh_token", account: str = "",
             key_id: str = "") -> None:
    """`credentials.refresh` at the token endpoint `url`; `grant`, `account` and `key_id` as classify takes them."""
    from google.auth.exceptions import RefreshError, TransportError

    try:
        credentials.refresh(_request(timeout))
    except RefreshError as error:
        data = error.args[1] if len(error.args) > 1 and isinstance(error.args[1], dict) else {}
        raise classify(data.get("error", "invalid_grant" if "invalid_grant" in str(error) else ""),
                       data.get("error_description", str(error.args[0]) if error.args else ""),
                       grant=grant, account=account, key_id=key_id) from None
    except TransportError as error:  # google-auth's wrapping of requests' error
        raise unreachable(error, url, timeout) from None


def service_account(key_json: str, mailbox: str, timeout: float) -> Tokens:
    """An access token for `mailbox`, through the service account's domain-wide delegation."""
    from google.oauth2 import service_account as accounts

    info = json.loads(key_json)
    credentials = accounts.Credentials.from_service_account_info(info, scopes=SCOPES, subject=mailbox)
    _refresh(credentials, timeout, info.get("token_uri") or token_uri(), "service_account",
             str(info.get("client_email", "")), str(info.get("private_key_id", "")))
    return Tokens(str(credentials.token))


def refresh(client_id: str, client_secret: str, refresh_token: str, timeout: float) -> Tokens:
    """A new access token for a mailbox signed in with the installed-app flow."""
    from google.oauth2.credentials import Credentials

    credentials = Credentials(None, refresh_token=refresh_token, client_id=client_id,
                              client_secret=client_secret, token_uri=token_uri(), scopes=SCOPES)
    _refresh(credentials, timeout, token_uri())
    rotated = credentials.refresh_token if credentials.refresh_token != refresh_token else None
    return Tokens(str(credentials.token), rotated)  # Google's refresh tokens last until revoked or unused 6 months


class InstalledApp:
    """The installed-app sign-in: show `url`; the admin signs in on their own
    machine and pastes the address the browser ends on into `finish`."""

    def __init__(self, client_id: str, client_secret: str, timeout: float) -> None:
        from google_auth_oauthlib.flow import Flow

        config = {"installed": {"client_id": client_id, "client_secret": client_secret,
                                "auth_uri": auth_uri(), "token_uri": token_uri(),
                                "redirect_uris": [REDIRECT_URI]}}
        self.flow = Flow.from_client_config(config, scopes=SCOPES, redirect_uri=REDIRECT_URI,
                                            autogenerate_code_verifier=True)
        self.timeout = timeout
        self.url, self.state = self.flow.authorization_url(access_type="offline", prompt="consent")

    def finish(self, pasted: str) -> Tokens:
        """Exchange the code in the pasted redirect address for tokens."""
        from urllib.parse import parse_qs, urlsplit

        query = parse_qs(urlsplit(pasted.strip()).query)
        if "error" in query:
            raise classify(query["error"][0], query.get("error_description", [""])[0], grant="authorization_code")
        if "code" not in query:
            raise TokenFailure("bad_paste", "the pasted address holds no code",
                               "paste the whole address the browser shows after the sign-in")
        if query.get("state", [""])[0] != self.state:
            raise TokenFailure("bad_paste", "the pasted address is from another sign-in",
                               "sign in again and paste the address of this one")
        try:
            with reaching(token_uri(), self.timeout):
                # oauthlib insists on https; the loopback address is http by design (as google-auth-oauthlib does).
                self.flow.fetch_token(code=query["code"][0], timeout=self.timeout, verify=ca_bundle())
        except TokenFailure:
            raise
        except Exception as error:  # oauthlib raises its own error per OAuth error name
            name = getattr(error, "error", "") or ""
            raise classify(name, getattr(error, "description", "") or str(error), grant="authorization_code") from None
        credentials = self.flow.credentials
        if not credentials.refresh_token:
            raise TokenFailure("no_refresh_token", "Google gave no refresh token",
                               "remove the app's access at myaccount.google.com/permissions and sign in again")
        return Tokens(str(credentials.token), credentials.refresh_token)
