"""SMTP setting definitions: saved with their passwords, guarded against
deletion while users are linked to them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from fincon_tui._exceptions import RecordInUse
from fincon_tui.domain.password_binding import (
    PasswordBinding,
    PasswordChange,
    smtp_owner,
    user_owner,
)
from fincon_tui.domain.secret_holders import HOLDERS, Holding
from fincon_tui.domain.secret_kinds import APP_SECRETS, SecretKind
from fincon_tui.domain.smtp import SmtpDefinition, check_stored, parse_definition, validate_name
from fincon_tui.keystore.vault import PasswordVault
from fincon_tui.services.record_store import RecordService
from fincon_tui.storage import audit
from fincon_tui.storage.records import Stored

if TYPE_CHECKING:
    from fincon_tui.storage.store import Store

#: How many linked users a refusal names before it only counts.
NAMED_USERS = 3


class SmtpSettings(RecordService[SmtpDefinition]):
    def __init__(self, store: Store, vault: PasswordVault) -> None:
        super().__init__(store, vault, store.smtp, smtp_owner)
        self.users = store.users

    def validate_key(self, raw: str) -> str:
        return validate_name(raw)

    def check_can_delete(self, key: str) -> None:
        codes, count = self.users.linked_to(key, NAMED_USERS)
        if count:
            names = ", ".join(codes) + (f" and {count - len(codes)} more" if count > len(codes) else "")
            users = "user" if count == 1 else "users"
            raise RecordInUse(
                f"SMTP definition {key} is used by {count} {users} ({names}): "
                "link them to another definition first"
            )

    def check(self, definition: SmtpDefinition, has_password: bool) -> None:
        owner = smtp_owner(definition.name)
        had_secret = any(self.passwords.has(owner, name) for name in APP_SECRETS)
        parse_definition(definition.form_values(), PasswordChange.keep(), had_password=has_password,
                         had_secret=had_secret)

    def check_stored(self, definition: SmtpDefinition, secrets: frozenset[SecretKind],
                     linked: Mapping[object, Any] | None = None) -> None:
        check_stored(definition, had_password=SecretKind.PASSWORD in secrets,
                     had_secret=any(name in secrets for name in APP_SECRETS))

    def binding(self, definition: SmtpDefinition) -> PasswordBinding:
        return PasswordBinding.of(smtp_owner(definition.name), definition.username, definition.mail_server)

    def holding(self, definition: SmtpDefinition) -> Holding:
        """An OAuth login holds an app registration's secrets and a sign-in
        made for its login; a password login only its password."""
        return Holding(
            self.binding(definition), HOLDERS["smtp"].secrets if definition.uses_oauth else (SecretKind.PASSWORD,),
            (definition.login_method, definition.tenant, definition.client_id, definition.username.lower()),
            definition.login_method,
        )

    def dependents_follow(
        self, before: Stored[SmtpDefinition], saved: Stored[SmtpDefinition],
    ) -> tuple[int, dict[str, str]]:
        """Another app registration: linked users' own sign-ins were made
        with the old one and go (each in the user's history too).  Another
        mail server: linked users' own passwords and sign-ins go there too."""
        told = {}
        if _app(before.record) != _app(saved.record) and (signed_out := self._sign_users_out(saved.key)):
            told["user_refresh_tokens"] = f"removed for {', '.join(signed_out)}: sign them in again"
        old, new = before.record.mail_server, saved.record.mail_server
        rebound = 0
        if old.lower() != new.lower():
            for code, username in self.users.own_logins(saved.key):
                owner = user_owner(code)
                rebound += self.passwords.follow(PasswordBinding.of(owner, username, old),
                                                 PasswordBinding.of(owner, username, new))
        return rebound, told

    def _sign_users_out(self, name: str) -> list[str]:
        signed_out = []
        for stored in self.users.linked_records(name):
            if stored.record.smtp_username and self.passwords.sign_out(user_owner(stored.key)):
                self.store.audit.record(
                    self.users.kind, stored, "update",
                    {SecretKind.REFRESH_TOKEN: f"removed: SMTP definition {name}'s app registration changed"},
                    password_changed=False)
                signed_out.append(stored.key)
        return signed_out

    def copyable_secrets(self, record: SmtpDefinition) -> tuple[SecretKind, ...]:
        """The password, and for an OAuth login its client secret or
        service-account key; a refresh token never (two definitions sharing
        one would each invalidate the other's when the provider rotates it)."""
        return (SecretKind.PASSWORD, *APP_SECRETS) if record.uses_oauth else (SecretKind.PASSWORD,)

    def rename_dependents(self, before: Stored[SmtpDefinition], after: Stored[SmtpDefinition]) -> int:
        """Linked users now name the new key: each in a new version (a form
        open on one refuses to save over it) with an audit entry."""
        linked = self.users.linked_records(before.key)
        for stored in linked:
            saved = self.users.update(replace(stored.record, smtp_name=after.key), stored)
            self.store.audit.record(
                self.users.kind, saved, "update",
                audit.differences(self.users.to_columns(stored.record), self.users.to_columns(saved.record)),
                password_changed=False,
            )
        return len(linked)

    def linked_count(self, key: str) -> int:
        return self.users.linked_to(key, 0)[1]

    def users_without_login(self, name: str) -> int:
        """Linked users who have no login of their own."""
        return self.users.without_login(name)


def _app(definition: SmtpDefinition) -> tuple[str, str, str]:
    """The app registration that users' own mailboxes sign in with."""
    return definition.login_method if definition.uses_oauth else "", definition.tenant, definition.client_id


def key_file_named(method: str, typed: str) -> bool:
    """Whether a typed Client Secret names a Google key file rather than holding a secret."""
    return method.upper() == "G" and typed.startswith(("/", "~", "./", "../"))


def read_key_file(path: str) -> str:
    """The service-account key in the file at `path` (FieldError if unreadable)."""
    from pathlib import Path

    from fincon_tui._exceptions import FieldError

    try:
        with Path(path).expanduser().open(encoding="utf-8") as file:
            text = file.read(65_536)
    except (OSError, UnicodeDecodeError) as error:
        raise FieldError(f"names a key file that cannot be read ({getattr(error, 'strerror', None) or error})",
                         "client_secret") from None  # the Client Secret field
    return text.strip()
