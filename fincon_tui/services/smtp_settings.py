"""SMTP setting definitions: saved with their passwords, guarded against
deletion while users are linked to them."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from fincon_tui._exceptions import RecordInUse
from fincon_tui.domain.login_methods import secret_name
from fincon_tui.domain.password_binding import (
    PasswordBinding,
    PasswordChange,
    smtp_owner,
    user_owner,
)
from fincon_tui.domain.secret_kinds import APP_SECRETS, SecretKind
from fincon_tui.domain.smtp import SmtpDefinition, parse_definition, validate_name
from fincon_tui.keystore.vault import PasswordVault
from fincon_tui.services.record_store import RecordService
from fincon_tui.storage import audit, secret_rows
from fincon_tui.storage.smtp_repo import SmtpRepository
from fincon_tui.storage.user_repo import UserRepository
from fincon_tui.storage.versioned_table import Stored

if TYPE_CHECKING:
    from sqlite_utils import Database

#: How many linked users a refusal names before it only counts.
NAMED_USERS = 3


class SmtpSettings(RecordService[SmtpDefinition]):
    def __init__(self, db: Database, vault: PasswordVault) -> None:
        super().__init__(db, vault, SmtpRepository(db), smtp_owner)
        self.users = UserRepository(db)

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

    def binding(self, definition: SmtpDefinition) -> PasswordBinding:
        return PasswordBinding.of(smtp_owner(definition.name), definition.username, definition.mail_server)

    def rebind_dependents(self, before: Stored[SmtpDefinition], saved: Stored[SmtpDefinition]) -> int:
        """A new mail server: linked users' own passwords (and signed-in
        mailboxes) now go there too; how many passwords."""
        old, new = before.record.mail_server, saved.record.mail_server
        if old.lower() == new.lower():
            return 0
        rebound = 0
        for code, username in self.users.own_logins(saved.key):
            owner = user_owner(code)
            was, now = PasswordBinding.of(owner, username, old), PasswordBinding.of(owner, username, new)
            rebound += self.passwords.rebind(was, now)
            self.passwords.rebind(was, now, SecretKind.REFRESH_TOKEN)
        return rebound

    def apply_secrets(
        self, secrets: dict[str, PasswordChange], before: Stored[SmtpDefinition] | None,
        saved: Stored[SmtpDefinition], bound_before: PasswordBinding | None, bound_after: PasswordBinding,
    ) -> dict[str, str]:
        """The Client Secret (stored as a client secret or a service-account
        key), and the refresh tokens (its own, its users'), which a change of
        login or app registration drops."""
        record, owner, told = saved.record, bound_after.owner, {}
        if before is not None and _app(before.record) != _app(record):
            signed_out = self._sign_users_out(saved.key)
            if signed_out:
                told["user_refresh_tokens"] = f"removed for {', '.join(signed_out)}: sign them in again"
        oauth = (SecretKind.CLIENT_SECRET, SecretKind.SERVICE_ACCOUNT_KEY, SecretKind.REFRESH_TOKEN)
        if not record.uses_oauth:
            for name in oauth:
                if self.passwords.has(owner, name):
                    secret_rows.remove(self.db, owner, name)
                    told[name] = "removed"
            return told
        change = secrets.get(SecretKind.CLIENT_SECRET, PasswordChange.keep())
        if change.action != "keep":
            for name in APP_SECRETS:
                secret_rows.remove(self.db, owner, name)
            told[SecretKind.CLIENT_SECRET] = "secret changed" if change.action == "set" else "removed"
        if change.action == "set":
            name = secret_name(record.login_method, change.value)
            self.passwords.put(bound_after, name, change.value, change.expires_at)
        signed_in_as = (record.login_method, record.tenant, record.client_id, record.username.lower())
        if before is not None and self.passwords.has(owner, SecretKind.REFRESH_TOKEN):
            was = before.record
            if (was.login_method, was.tenant, was.client_id, was.username.lower()) != signed_in_as:
                secret_rows.remove(self.db, owner, SecretKind.REFRESH_TOKEN)
                told[SecretKind.REFRESH_TOKEN] = "removed: sign in again"
        return told

    def _sign_users_out(self, name: str) -> list[str]:
        """Linked users' own sign-ins were made with the definition's app
        registration, which changed: they go (each in the user's history too)."""
        signed_out = []
        for stored in self.users.linked_records(name):
            owner = user_owner(stored.key)
            if stored.record.smtp_username and self.passwords.has(owner, SecretKind.REFRESH_TOKEN):
                secret_rows.remove(self.db, owner, SecretKind.REFRESH_TOKEN)
                audit.record(self.db, self.users.kind, stored, "update",
                             {SecretKind.REFRESH_TOKEN: f"removed: SMTP definition {name}'s app registration changed"},
                             password_changed=False)
                signed_out.append(stored.key)
        return signed_out

    def copyable_secrets(self, record: SmtpDefinition) -> tuple[str, ...]:
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
            audit.record(
                self.db, self.users.kind, saved, "update",
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
