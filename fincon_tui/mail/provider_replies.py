"""Plain hints for the replies that Microsoft 365 and Google give to logins
and senders they refuse, matched on the enhanced status code in the reply."""

from __future__ import annotations

#: Enhanced status code -> (what it means, what to do).
KNOWN: dict[str, tuple[str, str]] = {
    "5.7.139": ("Microsoft 365 has SMTP AUTH turned off for this tenant or mailbox",
                "an Exchange admin must allow SMTP AUTH: for the mailbox in Microsoft 365 admin center > Users > "
                "Mail > Manage email apps > Authenticated SMTP, or for the tenant with "
                "Set-TransportConfig -SmtpClientAuthenticationDisabled $false"),
    "5.7.30": ("Microsoft 365 refuses password logins (Basic authentication) for this tenant",
               "switch Login Method to M (OAuth 2.0)"),
    "5.7.60": ("SendAsDenied: the From is not a mailbox this login may send as",
               "send from the login's own address, or give the login Send As permission on the From mailbox"),
    "5.7.8": ("Google did not accept the login",
              "check the Username; with a password, use an app password or switch Login Method to G; with G, "
              "check that the token was issued for https://mail.google.com/ and this mailbox"),
    "5.7.9": ("Google asks for an app password (the account has 2-Step Verification)",
              "create an app password for the Username, or switch Login Method to G"),
    "5.7.3": ("the server did not accept the login",
              "with Microsoft 365 and OAuth: check that the app has SMTP.Send (signed in) or SMTP.SendAsApp "
              "(app-only) with admin consent, that an app-only service principal is registered in Exchange "
              "with access to the mailbox, and that Username is that mailbox"),
}


#: Codes that other servers use too (RFC 3463): hinted only for the provider named.
_PROVIDER_ONLY = {"5.7.8": "google", "5.7.9": "google", "5.7.3": "microsoft"}
_HOSTS = {"google": ("gmail.com", "googlemail.com", "google.com"),
          "microsoft": ("office365.com", "outlook.com", "microsoft.com")}


def known_reply(message: str, host: str = "") -> tuple[str, str] | None:
    """(meaning, hint) for a reply that carries a code listed in KNOWN; the
    codes other servers use too only when `host` or the reply is the provider's."""
    words = message.replace("[", " ").replace("]", " ").split()
    for word in words:
        provider = _PROVIDER_ONLY.get(word)
        if word in KNOWN and (provider is None or host.lower().endswith(_HOSTS[provider])
                              or provider in message.lower() or "gsmtp" in message.lower()):
            return KNOWN[word]
    return None
