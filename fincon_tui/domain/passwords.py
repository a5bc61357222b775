"""What saving a record does to its stored password."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class PasswordChange:
    """Keep the stored password, replace it with `value`, or remove it."""

    action: Literal["keep", "set", "clear"]
    value: str = ""

    def __repr__(self) -> str:  # never show the secret
        return f"PasswordChange({self.action!r})"

    @classmethod
    def keep(cls) -> "PasswordChange":
        return cls("keep")

    @classmethod
    def set(cls, value: str) -> "PasswordChange":
        return cls("set", value) if value else cls("clear")

    @classmethod
    def clear(cls) -> "PasswordChange":
        return cls("clear")

    def leaves_password(self, had_one: bool) -> bool:
        """Whether a password is stored after the change is applied."""
        return self.action == "set" or (self.action == "keep" and had_one)


def smtp_account(name: str) -> str:
    """The keyring username holding an SMTP definition's password."""
    return f"smtp:{name}"


def user_account(user_code: str) -> str:
    """The keyring username holding a user's own SMTP password."""
    return f"user:{user_code}"
