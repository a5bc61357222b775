"""User email settings: a user's link to an SMTP definition, own login and sender details."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

from fincon_tui._exceptions import FieldError
from fincon_tui.domain import fields
from fincon_tui.domain.login_methods import METHODS, PASSWORD, own_login_method
from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.domain.smtp import (
    NAME_MAX,
    USERNAME_MAX,
    SmtpDefinition,
    check_password,
    own_method_problem,
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
    "login_method": "Login Method",
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
    #: How the user's own login logs in: P, M, G, or '' for the definition's method.
    login_method: str = ""

    @property
    def key(self) -> str:
        return self.user_code

    def form_values(self) -> dict[str, str]:
        values = {
            "user_code": self.user_code,
            "smtp_name": self.smtp_name,
            "smtp_username": self.smtp_username,
            "login_method": self.login_method,
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
    form.check("login_method", own_login_method)
    form.check("sender_name", fields.text, max_length=TEXT_MAX, required=True)
    form.check("sender_email", fields.email_address, required=True)
    form.check("job_title", fields.text, max_length=TEXT_MAX)
    form.check("telephone", _telephone)
    for key in USER_DEFINED_KEYS:
        form.check(key, fields.text, max_length=TEXT_MAX)

    has_password = password.leaves_password(had_password)
    username = form.clean.get("smtp_username")
    method = cast("str | None", form.clean.get("login_method"))
    if has_password and username == "":
        form.refuse("smtp_username", "is required when a password is given")
    elif method and username == "" and (definition is None or definition.authenticate):
        form.refuse("smtp_username", f"is required with Login Method {method} (the user's own login)")
    if definition is not None and not definition.authenticate and (username or has_password or method):
        form.refuse(
            "smtp_username" if username else "password" if has_password else "login_method",
            f"must be empty: SMTP definition {definition.name} does not authenticate",
        )
    elif definition is not None and method is not None:
        _check_own_method(form, definition, method, has_password)
    clean = form.done()
    user_defined = tuple(clean.pop(key) for key in USER_DEFINED_KEYS)
    return UserEmailSettings(user_defined=user_defined, **clean)  # type: ignore[arg-type]


def _check_own_method(
    form: fields.FormChecker, definition: SmtpDefinition, method: str, has_password: bool
) -> None:
    """A user's own M or G goes with a definition of the same provider, and
    an OAuth login (the user's own, or the definition's taken over) has no password."""
    problem = own_method_problem(definition, method)
    if problem:
        form.refuse("login_method", problem)
    effective = method or definition.login_method
    if has_password and effective != PASSWORD and not problem:
        how = f"Login Method {effective}" if method else (
            f"SMTP definition {definition.name}'s Login Method {effective} (type P here for a password)")
        form.refuse("password", f"must be empty with {how}: {METHODS[effective]} signs in without one")

