"""Well-known mail providers: host, port, TLS and the logins each takes.

Written from the providers' public set-up pages; used to fill Port and Use
TLS when a known Mail Server is typed (only where they are untouched), for
the F4 list on Mail Server, to flag Microsoft 365 password logins, and for
the SPF include a sender domain needs (`check --dns`).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from fincon_tui.domain.login_methods import PASSWORD

#: Shown on the form, in `smtp list` and `smtp test` for such a definition.
M365_PASSWORD_FLAG = (
    "Microsoft turns password SMTP logins off by default at the end of December 2026 – "
    "switch Login method to M"
)


@dataclass(frozen=True)
class Provider:
    name: str
    host: str  # as typed; a pattern with * for per-region hosts
    port: int
    use_tls: bool
    logins: str
    #: The include: that the provider publishes for its customers' SPF
    #: records, or "" where the relay's own addresses are what SPF checks.
    spf_include: str = ""

    def matches(self, host: str) -> bool:
        return fnmatch.fnmatchcase(host.lower(), self.host)


#: Microsoft 365 first (is_microsoft_365).
PROVIDERS: tuple[Provider, ...] = (
    Provider("Microsoft 365", "smtp.office365.com", 587, True,
             "M (OAuth 2.0: device code or app-only); P only until the end of December 2026",
             spf_include="spf.protection.outlook.com"),
    Provider("Google Workspace / Gmail", "smtp.gmail.com", 587, True,
             "G (OAuth 2.0: service account or installed app); P with an app password",
             spf_include="_spf.google.com"),
    Provider("SendGrid", "smtp.sendgrid.net", 587, True, "P: Username apikey, Password the API key"),
    Provider("Mailgun (US)", "smtp.mailgun.org", 587, True, "P: the domain's SMTP login and password"),
    Provider("Mailgun (EU)", "smtp.eu.mailgun.org", 587, True, "P: the domain's SMTP login and password"),
    Provider("Amazon SES", "email-smtp.*.amazonaws.com", 587, True,
             "P: the SES SMTP credentials (not an IAM access key's secret)"),
    Provider("Postmark", "smtp.postmarkapp.com", 587, True, "P: a Server API token as Username and Password"),
)


def find(host: str) -> Provider | None:
    """The provider whose Mail Server this is, if known."""
    return next((provider for provider in PROVIDERS if provider.matches(host.strip())), None)


def is_microsoft_365(host: str) -> bool:
    """find(host) is Microsoft 365, the first provider: its pattern alone is asked."""
    return PROVIDERS[0].matches(host.strip())


def m365_password_flag(mail_server: str, authenticate: bool, login_method: str) -> str | None:
    """The warning for a definition that logs in to Microsoft 365 with a password."""
    if authenticate and login_method == PASSWORD and is_microsoft_365(mail_server):
        return M365_PASSWORD_FLAG
    return None
