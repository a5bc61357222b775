"""The SMTP setting definition: its fields, defaults and validation rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fincon_tui._exceptions import FieldError
from fincon_tui.domain import fields
from fincon_tui.domain.password_binding import PasswordChange

NAME_MAX = 40
USERNAME_MAX = 254
PASSWORD_MAX = 256
PORT_RANGE = (1, 65535)
TIMEOUT_RANGE = (1, 300)

#: Form keys in screen (and Tab) order, with the seed article's labels.
LABELS: dict[str, str] = {
    "name": "SMTP Name",
    "mail_server": "Mail Server",
    "authenticate": "Authenticate",
    "username": "Username",
    "password": "Password",
    "port": "Port",
    "use_tls": "Use TLS",
    "timeout_seconds": "Time Out (Seconds)",
    "bcc": "BCC",
}

#: What a new definition starts with once the user agrees to create it.
NEW_DEFAULTS: dict[str, str] = {
    "mail_server": "",
    "authenticate": "Y",
    "username": "",
    "port": "587",
    "use_tls": "Y",
    "timeout_seconds": "30",
    "bcc": "",
}


@dataclass(frozen=True)
class SmtpDefinition:
    """A validated SMTP setting definition (the password lives elsewhere)."""

    name: str
    mail_server: str
    authenticate: bool
    username: str
    port: int
    use_tls: bool
    timeout_seconds: int
    bcc: str

    @property
    def key(self) -> str:
        return self.name

    @property
    def users_bring_login(self) -> bool:
        """Authenticate=Y without a shared username: each user has their own."""
        return self.authenticate and not self.username

    def form_values(self) -> dict[str, str]:
        """The definition as the text a form shows (password excluded)."""
        return {
            "name": self.name,
            "mail_server": self.mail_server,
            "authenticate": "Y" if self.authenticate else "N",
            "username": self.username,
            "port": str(self.port),
            "use_tls": "Y" if self.use_tls else "N",
            "timeout_seconds": str(self.timeout_seconds),
            "bcc": self.bcc,
        }


def validate_name(raw: str) -> str:
    """The SMTP Name key: required, trimmed, at most 40 characters."""
    try:
        return fields.text(raw, max_length=NAME_MAX, required=True)
    except FieldError as error:
        raise error.for_field("name") from None


def check_password(raw: str) -> str:
    """A new password: kept exactly as typed (spaces count), no control characters."""
    fields.check_printable(raw)
    if len(raw) > PASSWORD_MAX:
        raise FieldError(f"is too long (at most {PASSWORD_MAX} characters)")
    return raw


def parse_definition(
    values: Mapping[str, str], password: PasswordChange, *, had_password: bool = False
) -> SmtpDefinition:
    """Validate the form's text values into a definition.

    `password` is what Accept does to the stored password and `had_password`
    whether one is stored now.  Raises FormInvalid listing every wrong field.
    """
    form = fields.FormChecker(values, LABELS)
    has_password = password.leaves_password(had_password)
    if password.action == "set":
        form.check("password", check_password, value=password.value, store=False)
    form.check("name", validate_name)
    form.check("mail_server", fields.host)
    form.check("authenticate", fields.yes_no)
    form.check("username", fields.text, max_length=USERNAME_MAX)
    form.check("port", fields.whole_number, *PORT_RANGE)
    form.check("use_tls", fields.yes_no)
    form.check("timeout_seconds", fields.whole_number, *TIMEOUT_RANGE)
    form.check("bcc", fields.email_address)

    authenticate = form.clean.get("authenticate")
    username = form.clean.get("username")
    if authenticate is False:
        for field, present in (("username", username), ("password", has_password)):
            if present:
                form.refuse(field, "must be empty when Authenticate is N (no login is used)")
    elif has_password and username == "":
        form.refuse("username", "is required when a password is given")
    clean = form.done()
    return SmtpDefinition(**clean)  # type: ignore[arg-type]
