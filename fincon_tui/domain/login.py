"""Whose login is used when a user sends through an SMTP definition."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fincon_tui._exceptions import LoginMissing
from fincon_tui.domain.password_binding import PasswordOwner, smtp_owner, user_owner
from fincon_tui.domain.smtp import SmtpDefinition


@dataclass(frozen=True)
class Login:
    """A username and whose password goes with it."""

    username: str
    password_owner: PasswordOwner
    source: Literal["user", "definition"]
    definition_name: str

    def describe(self) -> str:
        where = (
            "from user settings"
            if self.source == "user"
            else f"from SMTP definition {self.definition_name}"
        )
        return f"{self.username} ({where})"


def effective_login(
    definition: SmtpDefinition, user_code: str = "", user_username: str = ""
) -> Login | None:
    """The user's own login when set, else the definition's shared one;
    None when the definition does not authenticate.  Raises LoginMissing
    naming the user and the definition when a login is needed but absent."""
    if not definition.authenticate:
        return None
    if user_code and user_username:
        return Login(user_username, user_owner(user_code), "user", definition.name)
    if definition.username:
        return Login(definition.username, smtp_owner(definition.name), "definition", definition.name)
    who = f"User {user_code} has" if user_code else "No user was given and"
    raise LoginMissing(
        f"{who} no SMTP login, and SMTP definition {definition.name} has no shared one"
    )
