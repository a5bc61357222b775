"""Token failures, named, with what to do about each.

Microsoft's token endpoint answers with AADSTS codes, Google's with OAuth
error names; both are turned into a TokenFailure whose message says what
happened and whose hint says what the admin can do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fincon_tui._exceptions import TokenFailure

__all__ = ["TokenFailure", "classify"]

_AADSTS = re.compile(r"AADSTS(\d+)")


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
                     "sign in again (Sign in on the SMTP Settings form, or `fincon-tui smtp sign-in NAME`)"),
    "70008": _Known("refresh_token_expired", "the sign-in has expired",
                    "sign in again (Sign in on the SMTP Settings form, or `fincon-tui smtp sign-in NAME`)"),
    "50173": _Known("refresh_token_revoked", "the sign-in was revoked (password changed or sessions revoked)",
                    "sign in again (Sign in on the SMTP Settings form, or `fincon-tui smtp sign-in NAME`)"),
    "700016": _Known("client_unknown", "no app with this Client ID in the tenant",
                     "check the Client ID and Tenant ID against the app's Overview page in Entra"),
    "90002": _Known("tenant_unknown", "no such tenant", "check the Tenant ID"),
    "50076": _Known("mfa_required", "the tenant asks for multi-factor authentication",
                    "sign in again (Sign in on the SMTP Settings form) and complete the second factor"),
    "7000218": _Known("public_client_off", "the app does not allow the device code flow",
                      "in Entra, App registrations > Authentication: set Allow public client flows to Yes"),
}

_OAUTH: dict[str, _Known] = {
    "invalid_grant": _Known("refresh_token_revoked", "the sign-in is no longer valid (refresh token revoked or "
                            "expired)",
                            "sign in again (Sign in on the SMTP Settings form, or `fincon-tui smtp sign-in NAME`)"),
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


def classify(error: str, description: str = "", codes: list | None = None) -> TokenFailure:
    """A token endpoint's error (name, description, AADSTS codes) as a TokenFailure."""
    description = " ".join(str(description).split())
    found = [str(code) for code in (codes or [])] + _AADSTS.findall(description)
    known = next((_MICROSOFT[code] for code in found if code in _MICROSOFT), None) or _OAUTH.get(error)
    first_line = description.split(" Trace ID:")[0][:300]
    detail = f" ({error}: {first_line})" if first_line else f" ({error})"
    if known is None:
        return TokenFailure(error or "token_error", f"the token endpoint refused{detail}",
                            "check Tenant ID, Client ID and Client Secret")
    return TokenFailure(known.kind, known.message + detail, known.hint)
