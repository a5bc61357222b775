"""Token failures, named, with what to do about each.

Microsoft's token endpoint answers with AADSTS codes, Google's with OAuth
error names; both are turned into a TokenFailure whose message says what
happened and whose hint says what the admin can do.  What `invalid_grant`
means depends on the grant that was refused: a refresh token, the code of
a sign-in, or a service account's signed request.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from fincon_tui._exceptions import TokenFailure

__all__ = ["NEW_KEY_HINT", "SIGN_IN_HINT", "TokenFailure", "classify"]

_AADSTS = re.compile(r"AADSTS(\d+)")
#: The hints' words for what the services layer says with the record's name.
SIGN_IN_HINT = "sign the mailbox in again"
NEW_KEY_HINT = "store the new key file as the definition's Client Secret"


@dataclass(frozen=True)
class _Known:
    kind: str
    message: str
    hint: str


#: Microsoft identity platform codes (learn.microsoft.com, "AADSTS error codes").
_MICROSOFT: dict[str, _Known] = {
    "65001": _Known("consent_missing", "the app has no consent for SMTP in this tenant",
                    "an Entra admin must grant admin consent to the app's API permissions "
                    "(SMTP.Send, or SMTP.SendAsApp for app-only)"),
    "7000222": _Known("client_secret_expired", "the client secret has expired",
                      "create a new client secret in Entra (App registrations > Certificates & secrets) "
                      "and enter its Value as Client Secret"),
    "7000215": _Known("client_secret_invalid", "the client secret is wrong",
                      "enter the secret's Value (not its ID) as Client Secret"),
    "700082": _Known("refresh_token_expired", "the sign-in has expired (refresh token unused too long)",
                     SIGN_IN_HINT),
    "70008": _Known("refresh_token_expired", "the sign-in has expired", SIGN_IN_HINT),
    "50173": _Known("refresh_token_revoked", "the sign-in was revoked (password changed or sessions revoked)",
                    SIGN_IN_HINT),
    "700016": _Known("client_unknown", "no app with this Client ID in the tenant",
                     "check the Client ID and Tenant ID against the app's Overview page in Entra"),
    "90002": _Known("tenant_unknown", "no such tenant", "check the Tenant ID"),
    "50076": _Known("mfa_required", "the tenant asks for multi-factor authentication",
                    f"{SIGN_IN_HINT} and complete the second factor"),
    "7000218": _Known("public_client_off", "the app does not allow the device code flow",
                      "in Entra, App registrations > Authentication: set Allow public client flows to Yes"),
}

_OAUTH: dict[str, _Known] = {
    "invalid_grant": _Known("refresh_token_revoked", "the sign-in is no longer valid (refresh token revoked or "
                            "expired)", SIGN_IN_HINT),
    "invalid_client": _Known("client_secret_invalid", "the client was refused (wrong or expired client secret)",
                             "check the Client ID and Client Secret"),
    "unauthorized_client": _Known("consent_missing", "the client may not use this grant or scope",
                                  "for a Google service account, authorise its client ID for "
                                  "https://mail.google.com/ in Admin console > Security > API controls > "
                                  "Domain-wide delegation"),
    "access_denied": _Known("sign_in_declined", "the sign-in was declined", "sign in again and accept"),
    "authorization_declined": _Known("sign_in_declined", "the sign-in was declined", "sign in again and accept"),
    "expired_token": _Known("code_expired", "the code expired before anyone signed in", "sign in again"),
    "invalid_scope": _Known("consent_missing", "the scope was refused",
                            "check the app's API permissions (SMTP.Send / SMTP.SendAsApp)"),
}


#: `invalid_grant` of the grants other than a refresh token's.
_INVALID_GRANT: dict[str, _Known] = {
    "authorization_code": _Known("code_refused", "the code in the pasted address was refused (used already, "
                                 "too old, or from another sign-in)", "sign in again and paste the new address"),
    "device_code": _Known("sign_in_refused", "the sign-in was refused", "sign in again"),
    "client_credentials": _Known("client_refused", "the app-only grant was refused",
                                 "check Tenant ID, Client ID and Client Secret"),
}

_KEYS_PAGE = "Google Cloud console, IAM & Admin > Service Accounts"


def _service_account(description: str, account: str, key_id: str) -> _Known:
    """What Google's `invalid_grant` says of a service account's signed request."""
    said = description.lower()
    if "jwt signature" in said:  # Google's words for a deleted or disabled key, or another account's
        return _Known("service_account_key_refused",
                      f"Google refused the service account's key {key_id}: the key was deleted or disabled, or "
                      f"the key file stored is not one of {account}'s",
                      f"in {_KEYS_PAGE} > {account} > Keys, add a new JSON key, then {NEW_KEY_HINT}")
    if "account not found" in said or "disabled" in said:
        return _Known("service_account_gone", f"Google refused the service account {account}: it was deleted "
                      "or disabled", f"enable it again in {_KEYS_PAGE}, or create a new one with domain-wide "
                      f"delegation and {NEW_KEY_HINT}")
    if "email or user id" in said:
        return _Known("mailbox_unknown", "Google knows no such mailbox in the Workspace the service account "
                      "acts for", "check the Username: it must be a user of the Workspace domain")
    if "timeframe" in said or "short-lived" in said:
        return _Known("clock_wrong", "Google refused the service account's request as outside its time window",
                      "check this computer's date and time")
    return _Known("service_account_refused", f"Google refused the service account {account}",
                  f"check its key in {_KEYS_PAGE} and its domain-wide delegation")


def classify(error: str, description: str = "", codes: Sequence[object] | None = None, *, grant: str = "refresh_token",
             account: str = "", key_id: str = "") -> TokenFailure:
    """A token endpoint's error (name, description, AADSTS codes) as a
    TokenFailure; `grant` is the grant that was refused ('refresh_token',
    'authorization_code', 'device_code', 'client_credentials' or
    'service_account', with the service `account` and its `key_id`)."""
    description = " ".join(str(description).split())
    found = [str(code) for code in (codes or [])] + _AADSTS.findall(description)
    known = next((_MICROSOFT[code] for code in found if code in _MICROSOFT), None)
    if known is None and error == "invalid_grant" and grant != "refresh_token":
        known = _service_account(description, account, key_id) if grant == "service_account" else (
            _INVALID_GRANT.get(grant))
    known = known or _OAUTH.get(error)
    first_line = description.split(" Trace ID:")[0][:300]
    detail = f" ({error}: {first_line})" if first_line else f" ({error})"
    if known is None:
        return TokenFailure(error or "token_error", f"the token endpoint refused{detail}",
                            "check Tenant ID, Client ID and Client Secret")
    return TokenFailure(known.kind, known.message + detail, known.hint)
