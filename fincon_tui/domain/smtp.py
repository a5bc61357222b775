"""The SMTP setting definition: its fields, defaults and validation rules."""

from __future__ import annotations

import functools
from collections.abc import Mapping

from fincon_tui._exceptions import FieldError, FormInvalid
from fincon_tui.domain import fields, login_methods
from fincon_tui.domain.login_methods import GOOGLE, MICROSOFT, PASSWORD
from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.domain.smtp_fields import DECLARED as DECLARED  # the record and its fields, declared together
from fincon_tui.domain.smtp_fields import NAME_MAX as NAME_MAX  # the limits, as before the fields moved
from fincon_tui.domain.smtp_fields import PASSWORD_MAX as PASSWORD_MAX
from fincon_tui.domain.smtp_fields import PORT_RANGE as PORT_RANGE
from fincon_tui.domain.smtp_fields import TIMEOUT_RANGE as TIMEOUT_RANGE
from fincon_tui.domain.smtp_fields import USERNAME_MAX as USERNAME_MAX
from fincon_tui.domain.smtp_fields import SmtpDefinition as SmtpDefinition

LABELS: dict[str, str] = DECLARED.labels
#: What a new definition starts with once the user agrees to create it.
NEW_DEFAULTS: dict[str, str] = DECLARED.defaults


def own_method_problem(definition: SmtpDefinition, own_method: str) -> str | None:
    """Why a user's own Login Method cannot go with `definition`, or None.
    A user's own M or G signs in with the definition's app registration
    (Tenant ID, Client ID, client secret), so the definition must use it too."""
    if own_method in ("", PASSWORD) or own_method == definition.login_method:
        return None
    return (f"{own_method} needs SMTP definition {definition.name} to use Login Method {own_method} too "
            "(its app registration signs the user in)")


def validate_name(raw: str) -> str:
    """The SMTP Name key: required, trimmed, at most 40 characters."""
    return str(DECLARED.check_one("name", raw))


def check_password(raw: str) -> str:
    """A new password: kept exactly as typed (spaces count), no control characters."""
    fields.check_printable(raw)
    if len(raw) > PASSWORD_MAX:
        raise FieldError(f"is too long (at most {PASSWORD_MAX} characters)")
    return raw


def check_secret(raw: str) -> str:
    """A client secret or a service-account key: printable, line ends allowed in a key."""
    if len(raw) > login_methods.SECRET_MAX:
        raise FieldError(f"is too long (at most {login_methods.SECRET_MAX} characters)")
    fields.check_printable(raw.replace("\n", "").replace("\r", ""))
    return raw


def parse_definition(
    values: Mapping[str, str],
    password: PasswordChange,
    *,
    had_password: bool = False,
    secret: PasswordChange | None = None,
    had_secret: bool = False,
) -> SmtpDefinition:
    """Validate the form's text values into a definition.

    `password` is what Accept does to the stored password and `had_password`
    whether one is stored now; `secret` and `had_secret` the same for the
    Client Secret.  Raises FormInvalid listing every wrong field.
    """
    secret = secret or PasswordChange.keep()
    form = fields.FormChecker(values, LABELS)
    if password.action == "set":
        form.check("password", check_password, value=password.value, store=False)
    DECLARED.check(form)
    if secret.action == "set":
        form.check("client_secret", check_secret, value=secret.value, store=False)
    _together(form, password, had_password, secret, had_secret)
    return DECLARED.build(form.done())


def check_stored(definition: SmtpDefinition, *, had_password: bool, had_secret: bool) -> None:
    """The rules between fields over a stored definition whose values the
    database's rules hold (a list's row): FormInvalid as Accept would say
    it, each field's own rule not run again.  Their verdict is the same for
    every definition of the same shape (_shape), and 20,000 rows have a
    handful of shapes: the rules run once a shape (_verdict)."""
    errors = _verdict(_shape(definition, had_password, had_secret))
    if errors:
        raise FormInvalid(list(errors), LABELS)


#: What _together reads of a stored definition: Authenticate, whether
#: Username, Tenant ID and Client ID are empty, the Login Method, and whether
#: a password and a client secret (or key) are held.
_SHAPED = ("authenticate", "username", "login_method", "tenant", "client_id")


def _shape(definition: SmtpDefinition, had_password: bool, had_secret: bool) -> tuple[object, ...]:
    d = definition
    return d.authenticate, d.username != "", d.login_method, d.tenant != "", d.client_id != "", had_password, had_secret


@functools.lru_cache(maxsize=256)
def _verdict(shape: tuple[object, ...]) -> tuple[FieldError, ...]:
    """check_stored's errors for every definition of `shape` (_shape): the
    rules between fields over a stand-in holding only what the shape says
    (a text as 'x' or empty; nothing else, so a rule that read more would
    read None: tests/test_domain_smtp.py holds this to the rules over
    random definitions)."""
    authenticate, username, method, tenant, client_id, had_password, had_secret = shape
    form = fields.FormChecker({}, LABELS)
    form.clean = dict(zip(_SHAPED, (authenticate, "x" if username else "", method, "x" if tenant else "",
                                    "x" if client_id else ""), strict=True))
    _together(form, PasswordChange.keep(), bool(had_password), PasswordChange.keep(), bool(had_secret))
    return tuple(form.errors)


def _together(
    form: fields.FormChecker, password: PasswordChange, had_password: bool, secret: PasswordChange, had_secret: bool,
) -> None:
    """The rules between fields, over the values checked so far (form.clean)."""
    has_password = password.leaves_password(had_password)
    authenticate = form.clean.get("authenticate")
    username = form.clean.get("username")
    method = form.clean.get("login_method")
    has_secret = secret.leaves_password(had_secret)
    if authenticate is False:
        for field, present in (("username", username), ("password", has_password)):
            if present:
                form.refuse(field, "must be empty when Authenticate is N (no login is used)")
    elif has_password and username == "":
        form.refuse("username", "is required when a password is given")
    if method is not None and method != PASSWORD and has_password:
        form.refuse("password", f"must be empty with Login Method {method} (OAuth 2.0 uses no password)")
    if method == PASSWORD or authenticate is False:
        for key in ("tenant", "client_id"):
            if form.clean.get(key):
                form.refuse(key, "is used only with Login Method M or G")
        if secret.action == "set":
            form.refuse("client_secret", "is used only with Login Method M or G")
    elif method == MICROSOFT:
        for key in ("tenant", "client_id"):
            if form.clean.get(key) == "":
                form.refuse(key, "is required with Login Method M (from the app's Entra registration)")
        if secret.action == "set" and login_methods.is_service_account_key(secret.value):
            form.refuse("client_secret", "is a Google key: Microsoft 365 takes the secret's Value")
    elif method == GOOGLE:
        if form.clean.get("tenant"):
            form.refuse("tenant", "is used only with Login Method M (Google has none)")
        if secret.action == "set" and login_methods.is_service_account_key(secret.value):
            form.check("client_secret", login_methods.check_service_account_key, value=secret.value, store=False)
        elif form.clean.get("client_id") == "" and not (had_secret and secret.action == "keep"):
            form.refuse("client_id", "is required with Login Method G, or give a service-account key "
                        "as Client Secret")
        elif not has_secret:
            form.refuse("client_secret", "is required with Login Method G (the OAuth client's secret, "
                        "or the service-account key file)")
