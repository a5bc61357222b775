"""User email settings: a user's link to an SMTP definition, own login and sender details."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import cast

from fincon_tui._exceptions import FormInvalid
from fincon_tui.domain import fields
from fincon_tui.domain.login_methods import METHODS, PASSWORD
from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.domain.smtp import SmtpDefinition, check_password, own_method_problem
from fincon_tui.domain.user_fields import (
    DECLARED,
    TELEPHONE_MAX,
    TEXT_MAX,
    USER_CODE_MAX,
    UserEmailSettings,
)

#: Re-exported: where they were declared (the record and DECLARED beside the fields now).
__all__ = ["DECLARED", "TELEPHONE_MAX", "TEXT_MAX", "USER_CODE_MAX", "UserEmailSettings"]


LABELS: dict[str, str] = DECLARED.labels
NEW_DEFAULTS: dict[str, str] = DECLARED.defaults


def validate_user_code(raw: str) -> str:
    """1-20 letters, digits, '.', '_' or '-', upper-cased."""
    return str(DECLARED.check_one("user_code", raw))


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
    DECLARED.check(form)
    _together(form, password, definition, had_password)
    return DECLARED.build(form.done())


def check_stored(user: UserEmailSettings, definition: SmtpDefinition | None, *, had_password: bool) -> None:
    """The rules between fields over a stored user whose values the
    database's rules hold (a list's row): FormInvalid as Accept would say
    it, each field's own rule not run again.  Whether a user passes is the
    same for every user of the same shape (_shape), and 20,000 rows have a
    handful: the rules run once a shape (_passes), and again over the
    user's own values only where they refuse (the words name the definition)."""
    if not _passes(_shape(user, definition, had_password)):
        _check_stored(user, definition, had_password=had_password)


_Shape = tuple[bool, bool, str, bool, "tuple[bool, str] | None"]


def _shape(user: UserEmailSettings, definition: SmtpDefinition | None, had_password: bool) -> _Shape:
    """What _together reads of a stored user: whether they name a definition,
    have a username and a password, their Login Method, and whether the
    definition exists, authenticates, and its Login Method."""
    linked = None if definition is None else (definition.authenticate, definition.login_method)
    return user.smtp_name != "", user.smtp_username != "", user.login_method, had_password, linked


@functools.lru_cache(maxsize=1024)
def _passes(shape: _Shape) -> bool:
    """Whether every stored user of `shape` (_shape) passes the rules
    between fields: found over a stand-in user and definition holding only
    what the shape says (tests/test_domain_users.py holds it to the rules
    over random users and definitions)."""
    named, username, method, had_password, linked = shape
    stand_in = UserEmailSettings("X", "X" if named else "", "x" if username else "", "", "", login_method=method)
    definition = None if linked is None else SmtpDefinition(
        name="X", mail_server="", authenticate=linked[0], username="", port=0, use_tls=False, timeout_seconds=0,
        bcc="", login_method=linked[1])
    try:
        _check_stored(stand_in, definition, had_password=had_password)
    except FormInvalid:
        return False
    return True


def _check_stored(user: UserEmailSettings, definition: SmtpDefinition | None, *, had_password: bool) -> None:
    """check_stored over the user's own values."""
    form = DECLARED.trusted(user)
    _together(form, PasswordChange.keep(), definition, had_password)
    form.done()


def _together(
    form: fields.FormChecker, password: PasswordChange, definition: SmtpDefinition | None, had_password: bool,
) -> None:
    """The link to the definition and the rules between fields, over the
    values checked so far (form.clean)."""
    if form.clean.get("smtp_name"):
        if definition is None:
            form.refuse("smtp_name", f"{form.clean['smtp_name']} does not exist")
        else:
            form.clean["smtp_name"] = definition.name
    if password.action == "set":
        form.check("password", check_password, value=password.value, store=False)

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

