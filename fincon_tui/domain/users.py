"""User email settings: a user's link to an SMTP definition, own login and sender details."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from fincon_tui._exceptions import FieldError
from fincon_tui.domain import fields
from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.domain.smtp import (
    NAME_MAX,
    USERNAME_MAX,
    SmtpDefinition,
    check_password,
)

USER_CODE_MAX = 20
TEXT_MAX = 60
TELEPHONE_MAX = 30
USER_DEFINED_COUNT = 6
_USER_CODE = re.compile(rf"^[A-Z0-9._-]{{1,{USER_CODE_MAX}}}$")
_TELEPHONE = re.compile(rf"^[0-9+()./ -]{{3,{TELEPHONE_MAX}}}$")

USER_DEFINED_KEYS = tuple(f"user_defined_{n}" for n in range(1, USER_DEFINED_COUNT + 1))

#: Form keys in screen (and Tab) order, with Fincon's labels.
LABELS: dict[str, str] = {
    "user_code": "User",
    "smtp_name": "SMTP Definition",
    "smtp_username": "SMTP Username",
    "password": "SMTP Password",
    "sender_name": "Sender's Name",
    "sender_email": "Sender's Email Address",
    "job_title": "Sender's Job Title",
    "telephone": "Sender's Telephone Number",
    **{key: f"User Defined {n}" for n, key in enumerate(USER_DEFINED_KEYS, 1)},
}

NEW_DEFAULTS: dict[str, str] = {key: "" for key in LABELS if key not in ("user_code", "password")}


@dataclass(frozen=True)
class UserEmailSettings:
    """A user's validated email settings (the password lives elsewhere)."""

    user_code: str
    smtp_name: str
    smtp_username: str
    sender_name: str
    sender_email: str
    job_title: str = ""
    telephone: str = ""
    user_defined: tuple[str, ...] = ("",) * USER_DEFINED_COUNT

    @property
    def key(self) -> str:
        return self.user_code

    def form_values(self) -> dict[str, str]:
        values = {
            "user_code": self.user_code,
            "smtp_name": self.smtp_name,
            "smtp_username": self.smtp_username,
            "sender_name": self.sender_name,
            "sender_email": self.sender_email,
            "job_title": self.job_title,
            "telephone": self.telephone,
        }
        values.update(zip(USER_DEFINED_KEYS, self.user_defined, strict=True))
        return values


def validate_user_code(raw: str) -> str:
    """1-20 letters, digits, '.', '_' or '-', upper-cased."""
    value = fields.check_printable(raw).strip().upper()
    if not value:
        raise FieldError("is required", "user_code")
    if not _USER_CODE.match(value):
        raise FieldError(
            "takes 1-20 letters, digits, '.', '_' or '-' (no spaces)", "user_code"
        )
    return value


def _telephone(raw: str) -> str:
    value = fields.text(raw, max_length=TELEPHONE_MAX)
    if value and not _TELEPHONE.match(value):
        raise FieldError("takes digits, spaces and + ( ) - . / only")
    return value


def parse_user_settings(
    values: Mapping[str, str],
    password: PasswordChange,
    definition: SmtpDefinition | None,
    *,
    had_password: bool = False,
) -> UserEmailSettings:
    """Validate the form's values.  `definition` is the SMTP definition that
    the typed SMTP Definition names, or None if there is none by that name.
    Raises FormInvalid listing every wrong field in screen order."""
    form = fields.FormChecker(values, LABELS)
    form.check("user_code", validate_user_code)
    form.check("smtp_name", fields.text, max_length=NAME_MAX, required=True)
    if form.clean.get("smtp_name"):
        if definition is None:
            form.refuse("smtp_name", f"{form.clean['smtp_name']} does not exist")
        else:
            form.clean["smtp_name"] = definition.name
    form.check("smtp_username", fields.text, max_length=USERNAME_MAX)
    if password.action == "set":
        form.check("password", check_password, value=password.value, store=False)
    form.check("sender_name", fields.text, max_length=TEXT_MAX, required=True)
    form.check("sender_email", fields.email_address, required=True)
    form.check("job_title", fields.text, max_length=TEXT_MAX)
    form.check("telephone", _telephone)
    for key in USER_DEFINED_KEYS:
        form.check(key, fields.text, max_length=TEXT_MAX)

    has_password = password.leaves_password(had_password)
    username = form.clean.get("smtp_username")
    if has_password and username == "":
        form.refuse("smtp_username", "is required when a password is given")
    if definition is not None and not definition.authenticate and (username or has_password):
        form.refuse(
            "smtp_username" if username else "password",
            f"must be empty: SMTP definition {definition.name} does not authenticate",
        )
    clean = form.done()
    user_defined = tuple(clean.pop(key) for key in USER_DEFINED_KEYS)
    return UserEmailSettings(user_defined=user_defined, **clean)  # type: ignore[arg-type]

