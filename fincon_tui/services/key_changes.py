"""Copy and rename: a record under a new key.

A copy is a new record filled from another; its password (and an OAuth
client secret) is the source's only when the admin asks for it, sealed
again for the copy.  A rename
moves the record's key together with its password, the users linked to
it and its history, in one transaction and only if the record is still
the one the admin saw.  The TUI's options and the CLI's `copy` and
`rename` both come here.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from fincon_tui._exceptions import (
    FieldError,
    FormInvalid,
    NothingToCopy,
    RecordExists,
    SecretStoreError,
    StorageError,
    describe,
)
from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.services.record_store import RecordService, Saved
from fincon_tui.storage import audit, secret_rows
from fincon_tui.storage.transactions import write_transaction
from fincon_tui.storage.versioned_table import Stored, fold

if TYPE_CHECKING:
    from fincon_tui.services.transfer import Kind, Outcome, Transfer

R = TypeVar("R")


@dataclass(frozen=True)
class Renamed:
    """A renamed record, its key before, and what went with it."""

    stored: Stored
    old_key: str
    password: bool
    users: int

    def describe(self, kind: str) -> str:
        """'SMTP definition OFFICE renamed to MAIN; its password and 2 linked users go with it'."""
        along = [part for part in (
            "its password" if self.password else "",
            f"{self.users} linked {'user' if self.users == 1 else 'users'}" if self.users else "",
        ) if part]
        text = f"{kind} {self.old_key} renamed to {self.stored.key}"
        if along:
            text += f"; {' and '.join(along)} {'goes' if along == ['its password'] else 'go'} with it"
        return text


#: The form field each secret is typed in (the Client Secret field holds either).
_FIELD_OF = {"password": "password", "client_secret": "client_secret", "service_account": "client_secret"}


def copy(service: RecordService[R], source_key: str, record: R, password: PasswordChange,
         copy_secrets: bool, secrets: dict[str, PasswordChange] | None = None) -> Saved[R]:
    """Create `record`, a copy of `source_key` as the admin filled it in.

    With `copy_secrets`, each secret the copy may take (`copyable_secrets`:
    the password, an OAuth client secret) whose field the admin left alone
    is the source's as stored now, sealed again for the copy's own record,
    login and server; a typed one is the copy's own.  RecordExists if the
    key was taken meanwhile, NothingToCopy if the source has none now."""
    secrets = secrets or {}
    typed = {"password": password, **secrets}
    with write_transaction(service.db):
        source = service.repo.get(source_key)
        source_name = source.key if source else source_key
        copied: dict[str, str] = {}
        if copy_secrets:
            owner = service.owner(source_name)
            for name in service.copyable_secrets(record):
                kept = typed.get(_FIELD_OF[name], PasswordChange.keep()).action == "keep"
                value = service.passwords.get(owner, name) if source and kept else None
                if value is not None:
                    copied[name] = value
            if not copied and all(typed.get(field, PasswordChange.keep()).action == "keep"
                                  for field in set(_FIELD_OF.values())):
                raise NothingToCopy(
                    f"{service.kind} {source_name} has no stored password to copy now (changed or "
                    "deleted by another user meanwhile): type the password, or erase it"
                )
        saved = service.repo.insert(record)
        bound = service.binding(saved.record)
        service.passwords.apply(password, None, bound)
        told = service.apply_secrets(secrets, None, saved, None, bound)
        for name, value in copied.items():
            service.passwords.put(bound, name, value)
            if name != "password":
                told[name] = f"copied from {source_name}"
        changes = {audit.COPIED_FROM: [None, source_name],
                   **audit.differences(None, service.repo.to_columns(saved.record)), **told}
        audit.record(service.db, service.kind, saved.key, "create", changes,
                     password_changed=password.action == "set" or "password" in copied)
    return Saved(saved.record, saved.created_at, saved.updated_at, saved.version, saved.row_id)


def rename(service: RecordService[R], key: str, expected: int | Stored[R], new_key: str) -> Renamed:
    """Give the record `key` the key `new_key`, with its password, linked
    records and history.  FieldError for a key the form refuses or the
    name it has; RecordChanged when it is no longer the version `expected`
    (another admin saved, deleted or renamed it); RecordExists when the new
    key is taken."""
    new_key = service.validate_key(new_key)
    if new_key == service.repo.normalize_key(key):
        raise FieldError(f"is {new_key} already: type the new one", service.repo.key_column)
    with write_transaction(service.db):
        # The users are pointed at the new name after the definition has it.
        service.db.execute("PRAGMA defer_foreign_keys = ON")
        before = service.repo.current(key, expected)
        owner = service.owner(before.key)
        legacy = secret_rows.legacy(service.db, owner)
        if legacy is not None:
            who = legacy.saved_by or "another admin"
            raise StorageError(
                f"the password of {owner.describe()} is still in an older fincon-tui's keyring ({who}'s): "
                f"it moves into the database when {who} starts fincon-tui; or enter it again, then rename"
            )
        after = service.repo.rename(before, new_key)
        moved = service.passwords.move(owner, service.owner(after.key))
        users = service.rename_dependents(before, after)
        audit.move_history(service.db, service.kind, before.key, after.key)
        audit.record(
            service.db, service.kind, after.key, "update",
            audit.differences(service.repo.to_columns(before.record), service.repo.to_columns(after.record)),
            password_changed=False,
        )
    return Renamed(after, before.key, moved, users)


# -- the CLI's `copy` and `rename`: text values, idempotent ----------------------


def copy_text(transfer: Transfer, kind: Kind, source_key: str, new_key: str, values: dict[str, str],
              password: PasswordChange, with_password: bool) -> Outcome:
    """`copy SOURCE NEW [--field VALUE ...]`: unchanged when NEW already is
    that copy, refused when NEW is something else."""
    from fincon_tui.services.transfer import Outcome

    service = transfer.service(kind)
    source = service.get(source_key)
    if source is None:
        return Outcome(service.kind, service.repo.normalize_key(source_key), "refused", "does not exist")
    try:
        key = service.validate_key(new_key)
    except FieldError as error:
        return Outcome(service.kind, new_key, "refused", describe(error, kind.labels))
    source_owner = service.owner(source.key)
    if with_password and not any(
        service.passwords.has(source_owner, name) for name in service.copyable_secrets(source.record)
    ):
        return Outcome(service.kind, key, "refused", f"{source.key} has no stored password to copy")
    merged = {**source.record.form_values(), **values, kind.key_field: key}
    try:
        record = kind.parse(merged, password, with_password, transfer.definition)
    except FormInvalid as invalid:
        return Outcome(service.kind, key, "refused", str(invalid))
    existing = service.get(key)
    if existing is not None:
        if fold(existing.key) == fold(source.key):
            return Outcome(service.kind, key, "refused", "is the record it would be copied from")
        if _is_copy(service, existing, record, source_owner, password, with_password):
            return Outcome(service.kind, existing.key, "unchanged", f"already a copy of {source.key}")
        return Outcome(service.kind, existing.key, "refused",
                       f"already exists and differs (change it with `{kind.command} set`)")
    if transfer.dry_run:
        return Outcome(service.kind, key, "created", f"copy of {source.key}")
    try:
        saved = copy(service, source.key, record, password, with_password)
    except (RecordExists, SecretStoreError, StorageError, sqlite3.Error) as error:
        return Outcome(service.kind, key, "refused", _why(error))
    has = "its password" if with_password and password.action == "keep" else (
        "a password" if password.action == "set" else "")
    return Outcome(service.kind, saved.key, "created", f"copy of {source.key}" + (f" with {has}" if has else ""))


def _is_copy(service: RecordService, existing: Stored, record, source_owner, password: PasswordChange,
             with_password: bool) -> bool:
    """Whether `existing` already holds what the copy would write."""
    if service.repo.to_columns(existing.record) != {
        **service.repo.to_columns(record), service.repo.key_column: existing.key
    }:
        return False
    try:
        for name in service.copyable_secrets(record):
            stored = service.passwords.get(service.owner(existing.key), name)
            if name == "password" and password.action == "set":
                wanted: str | None = password.value
            else:
                wanted = service.passwords.get(source_owner, name) if with_password else None
            if stored != wanted:
                return False
    except SecretStoreError:
        return False
    return True


def rename_text(transfer: Transfer, kind: Kind, old_key: str, new_key: str) -> Outcome:
    """`rename OLD NEW`: unchanged when OLD is gone and NEW is there (a
    second run), refused when OLD does not exist or NEW is taken."""
    from fincon_tui.services.transfer import Outcome

    service = transfer.service(kind)
    stored = service.get(old_key)
    try:
        key = service.validate_key(new_key)
    except FieldError as error:
        return Outcome(service.kind, new_key, "refused", describe(error, kind.labels))
    if stored is None:
        done = service.get(key)
        if done is not None:
            return Outcome(service.kind, service.repo.normalize_key(old_key), "unchanged",
                           f"does not exist; {done.key} does (renamed already?)")
        return Outcome(service.kind, service.repo.normalize_key(old_key), "refused", "does not exist")
    if stored.key == key:
        return Outcome(service.kind, stored.key, "unchanged", "has this name already")
    if transfer.dry_run:
        taken = service.get(key)
        if taken is not None and fold(taken.key) != fold(stored.key):
            return Outcome(service.kind, stored.key, "refused", f"{taken.key} already exists")
        return Outcome(service.kind, stored.key, "renamed", f"to {key}")
    try:
        renamed = rename(service, stored.key, stored, key)
    except RecordExists as error:
        return Outcome(service.kind, stored.key, "refused", str(error))
    except (SecretStoreError, StorageError, sqlite3.Error) as error:
        return Outcome(service.kind, stored.key, "refused", _why(error))
    detail = renamed.describe(service.kind).removeprefix(f"{service.kind} {stored.key} renamed ")
    return Outcome(service.kind, stored.key, "renamed", detail)


def _why(error: Exception) -> str:
    from fincon_tui.services.transfer import _why as why

    return str(error) if isinstance(error, (NothingToCopy, RecordExists)) else why(error)
