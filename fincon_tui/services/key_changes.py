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

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from fincon_tui._exceptions import (
    FieldError,
    FormInvalid,
    NothingToCopy,
    RecordExists,
    SecretStoreError,
    StorageError,
    describe,
)
from fincon_tui.domain.password_binding import PasswordChange, PasswordOwner
from fincon_tui.domain.secret_kinds import APP_SECRETS, SecretKind
from fincon_tui.domain.visible import shell_word
from fincon_tui.services import secret_changes
from fincon_tui.services.data_keys import listed, named
from fincon_tui.services.record_store import RecordService, Saved
from fincon_tui.storage import audit
from fincon_tui.storage.records import Keyed, Stored, fold

if TYPE_CHECKING:
    from fincon_tui.services.transfer import Kind, Outcome, Transfer

R = TypeVar("R", bound=Keyed)


@dataclass(frozen=True)
class Renamed:
    """A renamed record, its key before, and what went with it: its
    secrets (by name: password, client_secret ...) and linked users."""

    stored: Stored[Any]
    old_key: str
    secrets: frozenset[SecretKind]
    users: int

    def describe(self, kind: str) -> str:
        """'SMTP definition OFFICE renamed to MAIN; its password and 2 linked users go with it'."""
        text = f"{kind} {self.old_key} renamed to {self.stored.key}"
        if self.secrets or self.users:
            text += f"; {going_along(self.secrets, self.users)}"
        return text


def going_along(secrets: Iterable[SecretKind], users: int, *, history: bool = False) -> str:
    """'its password and 2 linked users go with it': what a rename takes
    along, from what is stored (`history`: its history too, last)."""
    secrets = list(secrets)
    parts = [f"its {named(secrets)}" if secrets else "",
             f"{users} linked {'user' if users == 1 else 'users'}" if users else "",
             "its history" if history else ""]
    along = [part for part in parts if part]
    one = len(secrets) + users + history == 1
    return f"{listed(along)} {'goes' if one else 'go'} with it"


def rename_note(service: RecordService[Any], key: str) -> str:
    """The Rename window's note, from what is stored for the record `key`
    now: 'Its password, 2 linked users and its history go with it.'"""
    text = going_along(service.stored_secrets(key), service.linked_count(key), history=True)
    return f"{text[0].upper()}{text[1:]}."


#: The secrets a copy may take along when the admin says so (of them, what
#: `copyable_secrets` allows for the record).  Never a refresh token: a
#: signed-in mailbox belongs to the record that was signed in.
COPIED = (SecretKind.PASSWORD, SecretKind.CLIENT_SECRET, SecretKind.SERVICE_ACCOUNT_KEY)


@dataclass(frozen=True)
class Copied(Saved[R]):
    """A created copy: the secrets it took from its source, and whether the
    source's signed-in mailbox stayed behind."""

    source: str = ""
    secrets: tuple[SecretKind, ...] = ()
    signed_in_left: bool = False

    def along(self) -> str:
        """' with its password', and that a sign-in stayed behind."""
        text = f" with its {named(self.secrets)}" if self.secrets else ""
        if self.signed_in_left:
            text += f"; {self.source}'s signed-in mailbox is never copied"
        return text


def copy(service: RecordService[R], source_key: str, record: R, password: PasswordChange,
         copy_secrets: bool, secrets: dict[str, PasswordChange] | None = None) -> Copied[R]:
    """Create `record`, a copy of `source_key` as the admin filled it in.
    With `copy_secrets`, each kept secret (password, client secret or
    service-account key) is the source's as stored now, sealed for the
    copy; a typed one is the copy's own.  RecordExists if the key was taken
    meanwhile, NothingToCopy if the source's secrets are gone."""
    secrets = dict(secrets or {})
    typed_secret = secrets.get(SecretKind.CLIENT_SECRET, PasswordChange.keep()).action != "keep"
    with service.store.transaction():
        source = service.repo.get(source_key)
        source_name = source.key if source else source_key
        owner = service.owner(source_name)
        taken: list[SecretKind] = []
        if copy_secrets and source is not None:
            wanted = service.copyable_secrets(record)
            if SecretKind.PASSWORD in wanted and password.action == "keep" and (value := service.passwords.get(owner)):
                password = PasswordChange.set(value)
                taken.append(SecretKind.PASSWORD)
            expiries = service.passwords.expiries(owner) if not typed_secret else {}
            for name in APP_SECRETS:
                if name in wanted and name in expiries and (value := service.passwords.get(owner, name)):
                    secrets[SecretKind.CLIENT_SECRET] = PasswordChange.set(value, expiries[name])
                    taken.append(name)
        if copy_secrets and not taken and password.action == "keep" and not typed_secret:
            raise NothingToCopy(
                f"{service.kind} {source_name} has no stored password or client secret to copy now (changed "
                "or deleted by another user meanwhile): type it, or erase it"
            )
        saved = service.repo.insert(record)
        told = secret_changes.saved(service.passwords, None, service.holding(saved.record), password, secrets).told
        if set(taken) - {SecretKind.PASSWORD}:
            told[SecretKind.CLIENT_SECRET] = f"copied from {source_name}"
        changes = {audit.COPIED_FROM: [None, source_name],
                   **audit.differences(None, service.repo.to_columns(saved.record)), **told}
        service.store.audit.record(service.kind, saved, "create", changes,
                                   password_changed=password.action == "set")
        left = source is not None and service.passwords.has(owner, SecretKind.REFRESH_TOKEN)
    return Copied(saved.record, saved.created_at, saved.updated_at, saved.version, saved.row_id,
                  source=source_name, secrets=tuple(taken), signed_in_left=left)


def rename(service: RecordService[R], key: str, expected: int | Stored[R], new_key: str) -> Renamed:
    """Give the record `key` the key `new_key`, with its password, linked
    records and history.  FieldError for a key the form refuses or the
    name it has; RecordChanged when it is no longer the version `expected`
    (another admin saved, deleted or renamed it); RecordExists when the new
    key is taken."""
    new_key = service.validate_key(new_key)
    if new_key == service.repo.normalize_key(key):
        raise FieldError(f"is {new_key} already: type the new one", service.repo.key_column)
    with service.store.transaction():
        # The users are pointed at the new name after the definition has it (Records.rename).
        before = service.repo.current(key, expected)
        owner = service.owner(before.key)
        for legacy in service.passwords.legacy(owner):
            who = legacy.saved_by or "another admin"
            raise StorageError(
                f"enter the password again, or let {who} start fincon-tui once, then rename: the password "
                f"of {owner.describe()} is still in an older fincon-tui's keyring ({who}'s), and moves into "
                f"the database when {who} starts fincon-tui"
            )
        after = service.repo.rename(before, new_key)
        secrets = frozenset(service.stored_secrets(before.key))
        service.passwords.move(owner, service.owner(after.key))
        users = service.rename_dependents(before, after)
        service.store.audit.record(
            service.kind, after, "update",
            audit.differences(service.repo.to_columns(before.record), service.repo.to_columns(after.record)),
            password_changed=False,
        )
    return Renamed(after, before.key, secrets, users)


# -- the CLI's `copy` and `rename`: text values, idempotent ----------------------


def copy_text(transfer: Transfer, kind: Kind, source_key: str, new_key: str, values: dict[str, str],
              password: PasswordChange, with_password: bool) -> Outcome:
    """`copy SOURCE NEW [--field VALUE ...]`: unchanged when NEW already is
    that copy, refused when NEW is something else."""
    from fincon_tui.services.transfer import Outcome, failed

    service = transfer.service(kind)
    source = service.get(source_key)
    if source is None:
        return Outcome(service.kind, service.repo.normalize_key(source_key), "refused", "does not exist")
    try:
        key = service.validate_key(new_key)
    except FieldError as error:
        return Outcome(service.kind, new_key, "refused", describe(error, kind.labels))
    source_owner = service.owner(source.key)
    stored = set(service.copyable_secrets(source.record)) & service.stored_secrets(source.key)
    if with_password and not stored:
        return Outcome(service.kind, key, "refused", f"{source.key} has no stored password or client secret to copy")
    merged = {**source.record.form_values(), **values, kind.key_field: key}
    had_secret = with_password and bool(stored & set(APP_SECRETS))
    try:
        record = kind.parse(merged, password, with_password and SecretKind.PASSWORD in stored, transfer.definition,
                            None, had_secret)
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
    except (RecordExists, SecretStoreError, StorageError) as error:
        return failed(kind, service.kind, key, error, "created", _why)
    detail = f"copy of {source.key}{saved.along()}"
    if password.action == "set":
        detail = detail.replace(f"copy of {source.key}", f"copy of {source.key} with a password", 1)
    if saved.signed_in_left:
        detail += f": sign the copy in (`fincon-tui {kind.command} sign-in {shell_word(saved.key)}`)"
    return Outcome(service.kind, saved.key, "created", detail)


def _is_copy(service: RecordService[R], existing: Stored[R], record: R, source_owner: PasswordOwner,
             password: PasswordChange,
             with_password: bool) -> bool:
    """Whether `existing` already holds what the copy would write (its row and secrets)."""
    if service.repo.to_columns(existing.record) != {
        **service.repo.to_columns(record), service.repo.key_column: existing.key
    }:
        return False
    owner = service.owner(existing.key)
    try:
        for name in COPIED:
            wanted = (password.value if name == SecretKind.PASSWORD and password.action == "set"
                      else service.passwords.get(source_owner, name) if with_password else None)
            if service.passwords.get(owner, name) != wanted:
                return False
    except SecretStoreError:
        return False
    return True


def rename_text(transfer: Transfer, kind: Kind, old_key: str, new_key: str) -> Outcome:
    """`rename OLD NEW`: unchanged when OLD is gone and NEW is there (a
    second run), refused when OLD does not exist or NEW is taken."""
    from fincon_tui.services.transfer import Outcome, failed

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
    except (SecretStoreError, StorageError) as error:
        return failed(kind, service.kind, stored.key, error, "renamed", _why, look_at=key)
    detail = renamed.describe(service.kind).removeprefix(f"{service.kind} {stored.key} renamed ")
    return Outcome(service.kind, stored.key, "renamed", detail)


def _why(error: Exception) -> str:
    from fincon_tui.services.transfer import _why as why

    return str(error) if isinstance(error, (NothingToCopy, RecordExists)) else why(error)
