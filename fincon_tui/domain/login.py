"""Whose login is used when a user sends through an SMTP definition, and how."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fincon_tui._exceptions import LoginMissing
from fincon_tui.domain.login_methods import METHODS, PASSWORD
from fincon_tui.domain.password_binding import PasswordOwner, smtp_owner, user_owner
from fincon_tui.domain.smtp import SmtpDefinition


@dataclass(frozen=True)
class Login:
    """A username, whose secrets go with it, and how it logs in."""

    username: str
    password_owner: PasswordOwner
    source: Literal["user", "definition"]
    definition_name: str
    #: P, M or G: a user's own login with no method of its own takes the definition's.
    method: str = PASSWORD
    #: The user's own Login Method as set ('' when it is the definition's).
    own_method: str = ""

    @property
    def uses_oauth(self) -> bool:
        return self.method != PASSWORD

    def describe(self) -> str:
        where = (
            "from user settings"
            if self.source == "user"
            else f"from SMTP definition {self.definition_name}"
        )
        how = f", {METHODS.get(self.method, self.method)}" if self.method != PASSWORD or self.own_method else ""
        return f"{self.username}{how} ({where})"


def own_method_problem(definition: SmtpDefinition, own_method: str) -> str | None:
    """Why a user's own Login Method cannot go with `definition`, or None.
    A user's own M or G signs in with the definition's app registration
    (Tenant ID, Client ID, client secret), so the definition must use it too."""
    if own_method in ("", PASSWORD) or own_method == definition.login_method:
        return None
    return (f"{own_method} needs SMTP definition {definition.name} to use Login Method {own_method} too "
            "(its app registration signs the user in)")


def effective_login(
    definition: SmtpDefinition, user_code: str = "", user_username: str = "", user_method: str = ""
) -> Login | None:
    """The user's own login when set, else the definition's shared one;
    None when the definition does not authenticate.  A user's own login
    logs in by `user_method`, or the definition's method when that is
    empty.  Raises LoginMissing naming the user and the definition when a
    login is needed but absent."""
    if not definition.authenticate:
        return None
    if user_code and user_username:
        method = user_method or definition.login_method
        return Login(user_username, user_owner(user_code), "user", definition.name, method, user_method)
    if definition.username:
        return Login(definition.username, smtp_owner(definition.name), "definition", definition.name,
                     definition.login_method)
    who = f"User {user_code} has" if user_code else "No user was given and"
    raise LoginMissing(
        f"{who} no SMTP login, and SMTP definition {definition.name} has no shared one"
    )
