"""Records written from text, the way the forms' Accept writes them: set
fields and delete.

Every write goes through the record services (the forms' validation on
the text values, the audit trail, lost-update protection, one transaction
per record) and is skipped when it would change nothing, so running the
same command twice writes nothing the second time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fincon_tui.domain import smtp, users
from fincon_tui.domain.fields import FormInvalid
from fincon_tui.domain.passwords import PasswordChange
from fincon_tui.secrets.errors import SecretStoreError
from fincon_tui.services.smtp_settings import SmtpSettings
from fincon_tui.services.user_settings import UserSettings
from fincon_tui.storage.audit import AuditEntry, differences
from fincon_tui.storage.errors import RecordChanged, RecordExists, RecordInUse, StorageError

if TYPE_CHECKING:
    from sqlite_utils import Database

    from fincon_tui.secrets.vault import PasswordVault
    from fincon_tui.services.records import RecordService

@dataclass(frozen=True)
class Kind:
    """One kind of record as text: its key field, form labels, what a new
    record starts with, and the form's Accept check
    (`parse(values, password change, had_password, definition_of)`)."""

    key_field: str
    labels: Mapping[str, str]
    defaults: Mapping[str, str]
    parse: Callable


def _parse_smtp(values, password, had_password, definition_of):
    return smtp.parse_definition(values, password, had_password=had_password)


def _parse_user(values, password, had_password, definition_of):
    name = values["smtp_name"]
    definition = definition_of(name) if name.strip() else None
    return users.parse_user_settings(values, password, definition, had_password=had_password)


SMTP = Kind("name", smtp.LABELS, smtp.NEW_DEFAULTS, _parse_smtp)
USERS = Kind("user_code", users.LABELS, users.NEW_DEFAULTS, _parse_user)


@dataclass(frozen=True)
class Outcome:
    """What a write did to one record, and why."""

    kind: str
    key: str
    action: str  # created, changed, unchanged, deleted or refused
    detail: str = ""

    @property
    def changed(self) -> bool:
        return self.action in ("created", "changed", "deleted")

    def text(self) -> str:
        return f"{self.kind} {self.key} {self.action}" + (f": {self.detail}" if self.detail else "")


class Transfer:
    """Writes records from text values."""

    def __init__(self, db: Database, vault: PasswordVault) -> None:
        self.smtp = SmtpSettings(db, vault)
        self.users = UserSettings(db, vault)

    def service(self, kind: Kind) -> RecordService:
        return self.smtp if kind is SMTP else self.users

    def definition(self, name: str) -> smtp.SmtpDefinition | None:
        """The definition a user's SMTP Definition names."""
        stored = self.smtp.get(name)
        return stored.record if stored else None

    def set(self, kind: Kind, values: Mapping[str, str], password: PasswordChange) -> Outcome:
        """Create the record (fields not given take the form's defaults) or
        change the fields given; skipped when nothing would change."""
        service = self.service(kind)
        typed = values.get(kind.key_field, "")
        stored = service.get(typed) if typed.strip() else None
        key = stored.key if stored else service.repo.normalize_key(typed)
        merged = {**(stored.record.form_values() if stored else kind.defaults), **values, kind.key_field: key}
        had = stored is not None and service.passwords.has(service.owner(key))
        change = self._password_change(service, key, had, password)
        try:
            record = kind.parse(merged, change, had, self.definition)
        except FormInvalid as invalid:
            return Outcome(service.kind, key, "refused", str(invalid))
        if stored is not None and record == stored.record and change.action == "keep":
            return Outcome(service.kind, key, "unchanged")
        action = "created" if stored is None else "changed"
        if stored is not None:
            detail = _changes(service, stored.record, record, change)
        else:
            detail = "with a password" if change.action == "set" else ""
        try:
            saved = service.save(record, change, stored)
        except RecordExists:
            return Outcome(service.kind, key, "refused", "it was created by another user meanwhile: run it again")
        except (RecordChanged, SecretStoreError, StorageError, sqlite3.Error) as error:
            return Outcome(service.kind, key, "refused", _why(error))
        if saved.rebound:
            moved = "the stored password now goes" if saved.rebound == 1 else f"{saved.rebound} stored passwords now go"
            detail = f"{detail}; {moved} to {saved.rebound_to}"
        return Outcome(service.kind, saved.key, action, detail)

    def _password_change(self, service: RecordService, key: str, had: bool, wanted: PasswordChange) -> PasswordChange:
        """`wanted`, or keep when it would leave the stored password as it is
        (a password that cannot be read to compare counts as different)."""
        if wanted.action == "clear" and not had:
            return PasswordChange.keep()
        if wanted.action == "set" and had:
            try:
                if service.passwords.get(service.owner(key)) == wanted.value:
                    return PasswordChange.keep()
            except SecretStoreError:
                pass
        return wanted

    def delete(self, kind: Kind, key: str) -> Outcome:
        """Remove the record and its password; one that does not exist is unchanged."""
        service = self.service(kind)
        stored = service.get(key)
        if stored is None:
            return Outcome(service.kind, service.repo.normalize_key(key), "unchanged", "does not exist")
        try:
            service.delete(stored.key, stored)
        except RecordInUse as error:
            reason, named = str(error), f"{service.kind} {stored.key} "
            return Outcome(service.kind, stored.key, "refused",
                           "it " + reason.removeprefix(named) if reason.startswith(named) else reason)
        except (RecordChanged, StorageError, sqlite3.Error) as error:
            return Outcome(service.kind, stored.key, "refused", _why(error))
        return Outcome(service.kind, stored.key, "deleted")


def _changes(service: RecordService, before, after, password: PasswordChange) -> str:
    """'port: 587 -> 2525; password changed', as the history shows it."""
    fields = differences(service.repo.to_columns(before), service.repo.to_columns(after))
    parts = [AuditEntry("", "", "update", fields).describe()] if fields else []
    if password.action != "keep":
        parts.append("password removed" if password.action == "clear" else "password changed")
    return "; ".join(parts)


def _why(error: Exception) -> str:
    """A save's or delete's refusal, as a message."""
    if isinstance(error, RecordChanged):
        return "it was changed or deleted by another user meanwhile: nothing was written; run it again"
    if isinstance(error, SecretStoreError):
        return str(error)
    return f"the database refused: {error}"
