"""An SMTP definition's fields, each declared once (domain/declaration.py):
what the form, the CLI, an export and the table derive from, and beside
them the record that holds their checked values (its attributes are the
declared fields: tests/test_declared_rules.py fails if they differ).  Light
to import: the CLI builds its options from it before anything is run."""

from __future__ import annotations

from dataclasses import dataclass

from fincon_tui.domain.declaration import Declaration, Field, Option
from fincon_tui.domain.login_methods import ALLOWED, CLIENT_ID, METHODS, PASSWORD, SECRET_MAX, TENANT
from fincon_tui.domain.value_rules import Choice, Email, Host, Text, WholeNumber, YesNo

NAME_MAX = 40
USERNAME_MAX = 254
PASSWORD_MAX = 256
PORT_RANGE = (1, 65535)
TIMEOUT_RANGE = (1, 300)

YN = "Y=Yes, N=No"

#: Each field once, in screen (and Tab) order, with the seed article's labels.
FIELDS: tuple[Field, ...] = (
    Field("name", "SMTP Name", Text(NAME_MAX, required=True, said=f"1-{NAME_MAX} printable characters, no spaces "
                                                                 "around"),
          help=f"A descriptive name for the SMTP server definition (1-{NAME_MAX} characters, unique ignoring "
               "case).  {prompt} lists the existing ones.",
          column="unique ignoring case in every script (`COLLATE NOCASE` and `name_folded`)"),
    Field("mail_server", "Mail Server", Host(), default="",
          help="The address of the SMTP mail server to connect to: a host name or IP address, without smtp:// "
               "and without a port.",
          option=Option("--mail-server", "HOST", "Mail Server: host name or IP address"),
          column="lower case"),
    Field("authenticate", "Authenticate", YesNo(), default="Y", hint=YN,
          help="Y if the server requires a username and password, N if not.",
          option=Option("--authenticate", "Y|N", "Authenticate: the server requires a login (new: Y)"),
          column="the server requires a login"),
    Field("username", "Username", Text(USERNAME_MAX), default="",
          help_term="Username, Password",
          help="Give them here if all users share the same login and send from the same mailbox.  Leave them "
               "empty (with Authenticate Y) when each user has their own, entered in User Email Settings; a "
               "user's own login replaces these.  The password is stored encrypted, for this mail server and "
               "username only.  A stored one shows as {shown_mask}: leave it to keep it, erase it to remove it, "
               "type to replace it.",
          option=Option("--username", "LOGIN", "Username: the shared login; empty when each user brings their own"),
          column="the shared login; NULL when none (always NULL when `authenticate = 'N'`)"),
    Field("password", "Password", width=PASSWORD_MAX),
    Field("port", "Port", WholeNumber(*PORT_RANGE), default="587", hint=f"{PORT_RANGE[0]}-{PORT_RANGE[1]}",
          help=f"The port for outgoing email, {PORT_RANGE[0]}-{PORT_RANGE[1]} (587 STARTTLS, 465 TLS from the "
               "first byte, 25 plain).",
          option=Option("--port", "N", "Port, 1-65535 (new: 587)")),
    Field("use_tls", "Use TLS", YesNo(), default="Y", hint=YN,
          help="Y if your provider requires TLS or SSL: TLS from the first byte on port 465, STARTTLS on any "
               "other port.  N sends everything, a login too, unencrypted.",
          option=Option("--use-tls", "Y|N", "Use TLS (new: Y)"),
          column="TLS or SSL required"),
    Field("timeout_seconds", "Time Out (Seconds)", WholeNumber(*TIMEOUT_RANGE), default="30",
          hint=f"{TIMEOUT_RANGE[0]}-{TIMEOUT_RANGE[1]}",
          help=f"How long to wait for the server before giving up, {TIMEOUT_RANGE[0]}-{TIMEOUT_RANGE[1]}.",
          option=Option("--timeout", "SECONDS", "Time Out (Seconds), 1-300 (new: 30)"),
          column="the time-out of each step"),
    Field("bcc", "BCC", Email(), default="", hint="optional",
          help="Optional: one address that receives a blind copy of every email sent through this definition.",
          option=Option("--bcc", "ADDR", "BCC: one address every mail is copied to"),
          column="an address that every mail through this definition is BCC'ed to"),
    # OAuth 2.0 last, so the seed's workflow types into the same fields as before.
    Field("login_method", "Login Method", Choice(tuple(METHODS), ALLOWED, default=PASSWORD), default=PASSWORD,
          hint=ALLOWED, typing_hint=f"type {ALLOWED}",
          help="How the login is made: P with the password above; M Microsoft 365 or G Google with OAuth 2.0 "
               "(XOAUTH2, Use TLS Y).  Username is then the mailbox.",
          option=Option("--login-method", "P|M|G", f"Login Method: {ALLOWED} (new: P)"),
          column="password, Microsoft 365 or Google OAuth 2.0 (default `'P'`)"),
    Field("tenant", "Tenant ID", TENANT, default="", hint="M", wide=True,
          help="M: the Entra tenant's ID or domain.",
          option=Option("--tenant", "ID", "Tenant ID (M): the Entra tenant's ID or domain"),
          column="the Entra tenant"),
    Field("client_id", "Client ID", CLIENT_ID, default="", hint="M, G", wide=True,
          help="M: the app registration's Application (client) ID; G: the OAuth client's ID.",
          option=Option("--client-id", "ID", "Client ID (M, G): the app registration's or OAuth client's ID"),
          column="the app registration's or OAuth client's ID"),
    Field("client_secret", "Client Secret", width=SECRET_MAX, hint="M app, G", wide=True,
          help="M: the secret's Value for app-only (SMTP.SendAsApp); leave empty to sign the mailbox in with "
               "{sign_in} instead (device code: open the address on any device, type the code).  G: the OAuth "
               "client's secret, then {sign_in} signs in (paste back the address the browser ends on: Google's "
               "device flow refuses the mail scope), or the path of a service-account key file (domain-wide "
               "delegation; the key is stored, the file not needed)."),
)


@dataclass(frozen=True)
class SmtpDefinition:
    """A validated SMTP setting definition (the password lives elsewhere):
    an attribute for each stored field of FIELDS, of its rule's type."""

    name: str
    mail_server: str
    authenticate: bool
    username: str
    port: int
    use_tls: bool
    timeout_seconds: int
    bcc: str
    login_method: str = PASSWORD
    tenant: str = ""
    client_id: str = ""

    @property
    def key(self) -> str:
        return self.name

    @property
    def uses_oauth(self) -> bool:
        return self.authenticate and self.login_method != PASSWORD

    @property
    def users_bring_login(self) -> bool:
        """Authenticate=Y without a shared username: each user has their own."""
        return self.authenticate and not self.username

    def form_values(self) -> dict[str, str]:
        """The definition as the text a form shows (password excluded)."""
        return DECLARED.form_values(self)


DECLARED: Declaration[SmtpDefinition] = Declaration(SmtpDefinition, "SMTP definition", "smtp_settings", FIELDS)
