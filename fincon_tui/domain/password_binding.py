"""Passwords as the domain sees them: what Accept does to one, who owns it,
and where it may be sent (the binding its encryption is tied to)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal, NamedTuple

from fincon_tui.domain.secret_kinds import SecretKind

OwnerKind = Literal["smtp", "user"]

#: How each kind of owner is named in messages.
KIND_NAMES: dict[str, str] = {"smtp": "SMTP definition", "user": "User email settings"}


@dataclass(frozen=True)
class PasswordChange:
    """Keep the stored password, replace it with `value`, or remove it."""

    action: Literal["keep", "set", "clear"]
    value: str = ""
    #: When a secret that is set stops working (ISO-8601 UTC), when known.
    expires_at: str | None = None

    def __repr__(self) -> str:  # never show the secret
        return f"PasswordChange({self.action!r})"

    @classmethod
    def keep(cls) -> PasswordChange:
        """Keep what is stored (one shared value: a list asks it twice a row)."""
        return _KEEP

    @classmethod
    def set(cls, value: str, expires_at: str | None = None) -> PasswordChange:
        return cls("set", value, expires_at) if value else cls("clear")

    @classmethod
    def clear(cls) -> PasswordChange:
        return cls("clear")

    def leaves_password(self, had_one: bool) -> bool:
        """Whether a password is stored after the change is applied."""
        return self.action == "set" or (self.action == "keep" and had_one)


_KEEP = PasswordChange("keep")


class PasswordOwner(NamedTuple):
    """The record a password belongs to: an SMTP definition or a user's own
    login.  A named tuple: a list of 20,000 makes, hashes and compares one
    or more a row, in C (a frozen dataclass did each in Python)."""

    kind: OwnerKind
    key: str

    def describe(self) -> str:
        return f"{KIND_NAMES[self.kind]} {self.key}"


def smtp_owner(name: str) -> PasswordOwner:
    return PasswordOwner("smtp", name)


def user_owner(user_code: str) -> PasswordOwner:
    return PasswordOwner("user", user_code)


@dataclass(frozen=True)
class PasswordBinding:
    """Where a password may go: its record, the login name it goes with and
    the mail server it is sent to.  A password is encrypted for exactly
    this binding, so a row changed behind fincon-tui's back cannot make it
    go anywhere else."""

    owner: PasswordOwner
    login: str
    server: str

    @classmethod
    def of(cls, owner: PasswordOwner, login: str, server: str) -> PasswordBinding:
        return cls(owner, login, server.lower())

    def associated_data(self, database_id: str, name: SecretKind = SecretKind.PASSWORD) -> bytes:
        """The bytes the encryption authenticates along with the secret
        `name` (a password, client secret, refresh token, service-account key)."""
        where = [database_id, self.owner.kind, self.owner.key]
        parts = (
            ["fincon-tui password v1", *where, self.login, self.server]
            if name is SecretKind.PASSWORD
            else ["fincon-tui secret v1", *where, name, self.login, self.server]
        )
        return json.dumps(parts, ensure_ascii=True, separators=(",", ":")).encode()

    def describe(self) -> str:
        return f"{self.login} at {self.server}"

    def what_changed(self, now: PasswordBinding) -> str:
        """'mail server smtp.a.example -> smtp.b.example' for messages."""
        parts = []
        if now.server != self.server:
            parts.append(f"mail server {self.server} -> {now.server}")
        if now.login != self.login:
            parts.append(f"login {self.login} -> {now.login}")
        if now.owner != self.owner:
            parts.append(f"record {self.owner.key} -> {now.owner.key}")
        return ", ".join(parts)
