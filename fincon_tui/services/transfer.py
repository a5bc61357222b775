"""Records written from text, the way the forms' Accept writes them: set
fields, delete, export and import.

Every write goes through the record services (the forms' validation on
the text values, the audit trail, lost-update protection, one transaction
per record) and is skipped when it would change nothing, so running the
same command or import twice writes nothing the second time.  Exports
never hold a password, only whether one is stored; imports never set one.
"""

from __future__ import annotations

import builtins
import contextlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar

from fincon_tui._exceptions import (
    ConnectionLost,
    FieldError,
    FileRefused,
    FormInvalid,
    RecordChanged,
    RecordExists,
    RecordInUse,
    RuleRefused,
    SecretStoreError,
    StorageError,
    describe,
)
from fincon_tui.domain import smtp, users
from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.domain.secret_kinds import APP_SECRETS, SecretKind
from fincon_tui.domain.visible import shell_word, shown, shown_key
from fincon_tui.services.record_store import in_doubt
from fincon_tui.services.smtp_settings import SmtpSettings
from fincon_tui.services.user_settings import UserSettings
from fincon_tui.storage.audit import AuditEntry, differences
from fincon_tui.storage.records import Keyed, fold

if TYPE_CHECKING:
    from fincon_tui.keystore.vault import PasswordVault
    from fincon_tui.services.record_store import RecordService
    from fincon_tui.storage.store import Store

R = TypeVar("R", bound=Keyed)

#: The export file's format number; an import refuses any other.
FORMAT = 1
#: Exported for people, ignored on import.
INFORMATIVE = ("password_stored",)


#: The definition a name names (as it will be after the run), or None.
DefinitionOf = Callable[[str], smtp.SmtpDefinition | None]
#: The form's Accept check: (values, password change, had a password,
#: definition_of, client secret change, had a client secret) -> the record.
Parse = Callable[[Mapping[str, str], PasswordChange, bool, DefinitionOf, PasswordChange | None, bool], Keyed]


@dataclass(frozen=True)
class Kind:
    """One kind of record as text: its export section, command, key field,
    form labels, what a new record starts with, and the form's Accept check
    (`parse`, a Parse)."""

    section: str
    command: str
    key_field: str
    labels: Mapping[str, str]
    defaults: Mapping[str, str]
    parse: Parse
    #: A record's values in an export: as the form shows them, numbers as numbers (Declaration.shown).
    shown: Callable[[Any], dict[str, object]]


def _parse_smtp(values: Mapping[str, str], password: PasswordChange, had_password: bool, definition_of: DefinitionOf,
                secret: PasswordChange | None, had_secret: bool) -> smtp.SmtpDefinition:
    return smtp.parse_definition(values, password, had_password=had_password, secret=secret, had_secret=had_secret)


def _parse_user(values: Mapping[str, str], password: PasswordChange, had_password: bool, definition_of: DefinitionOf,
                secret: PasswordChange | None, had_secret: bool) -> users.UserEmailSettings:
    name = values["smtp_name"]
    definition = definition_of(name) if name.strip() else None
    return users.parse_user_settings(values, password, definition, had_password=had_password)


SMTP = Kind("smtp_definitions", "smtp", "name", smtp.LABELS, smtp.NEW_DEFAULTS, _parse_smtp, smtp.DECLARED.shown)
USERS = Kind("users", "user", "user_code", users.LABELS, users.NEW_DEFAULTS, _parse_user, users.DECLARED.shown)
KINDS = (SMTP, USERS)  # definitions first: users link to them


#: The actions of an Outcome that change something.
CHANGES = ("created", "changed", "deleted", "renamed")
#: The action of an Outcome whose COMMIT's answer was lost, and the server could not be asked after it.
IN_DOUBT = "in doubt"


@dataclass(frozen=True)
class Outcome:
    """What a write did (in a dry run: would do) to one record, and why."""

    kind: str
    key: str
    action: str  # created, changed, unchanged, deleted, renamed, refused or in doubt (IN_DOUBT)
    detail: str = ""  # for renamed: 'to NEW...'

    @property
    def changed(self) -> bool:
        return self.action in CHANGES

    def text(self, dry_run: bool = False) -> str:
        """The line a command prints; a refused key is quoted shortened."""
        if self.action == IN_DOUBT:  # the detail says it all: it may or may not have been written
            return f"{self.kind} {shown_key(self.key)}: {self.detail}"
        joint = " " if self.action == "renamed" else ": "
        said = f"{self.kind} {shown_key(self.key)} {action_said(self.action, dry_run)}"
        return said + (f"{joint}{self.detail}" if self.detail else "")


def action_said(action: str, dry_run: bool) -> str:
    """An outcome's action as a line or a summary says it: 'created', or
    in a dry run 'would be created' (what is unchanged or refused is so either way)."""
    return f"would be {action}" if dry_run and action in ("created", "changed", "deleted", "renamed") else action


def summary(counts: Mapping[str, int], dry_run: bool) -> str:
    """'2 created, 1 refused' after an import's lines; in a dry run '2 would be created ...'."""
    return ", ".join(f"{n} {action_said(action, dry_run)}" for action, n in counts.items()) or "nothing in the file"


class Transfer:
    """Writes records from text values; `dry_run` checks everything and writes nothing."""

    def __init__(self, store: Store, vault: PasswordVault, *, dry_run: bool = False) -> None:
        self.smtp = SmtpSettings(store, vault)
        self.users = UserSettings(store, vault)
        self.dry_run = dry_run
        self._planned: dict[object, smtp.SmtpDefinition] = {}  # a dry run's definitions

    def service(self, kind: Kind) -> RecordService[Any]:
        return self.smtp if kind is SMTP else self.users

    def definition(self, name: str) -> smtp.SmtpDefinition | None:
        """The definition a user's SMTP Definition names, as it would be after this run."""
        planned = self._planned.get(fold(name.strip()))
        if planned is not None:
            return planned
        stored = self.smtp.get(name)
        return stored.record if stored else None

    def set(
        self, kind: Kind, values: Mapping[str, str], password: PasswordChange,
        secret: PasswordChange | None = None,
    ) -> Outcome:
        """Create the record (fields not given take the form's defaults) or
        change the fields given; skipped when nothing would change.  `secret`
        is what to do to a definition's Client Secret."""
        service = self.service(kind)
        typed = values.get(kind.key_field, "")
        stored = service.get(typed) if typed.strip() else None
        key = stored.key if stored else service.repo.normalize_key(typed)
        merged = {**(stored.record.form_values() if stored else kind.defaults), **values, kind.key_field: key}
        had = stored is not None and service.passwords.has(service.owner(key))
        change = self._password_change(service, key, had, password)
        had_secret = stored is not None and any(service.passwords.has(service.owner(key), n) for n in APP_SECRETS)
        secret = secret or PasswordChange.keep()
        if secret.action == "clear" and not had_secret:
            secret = PasswordChange.keep()
        try:
            record = kind.parse(merged, change, had, self.definition, secret, had_secret)
        except FormInvalid as invalid:
            return Outcome(service.kind, key, "refused", str(invalid))
        if stored is not None and record == stored.record and change.action == "keep" and secret.action == "keep":
            return Outcome(service.kind, key, "unchanged")
        action = "created" if stored is None else "changed"
        if stored is not None:
            detail = _changes(service, stored.record, record, change)
        else:
            detail = "with a password" if change.action == "set" else ""
        if secret.action != "keep":
            told = "client secret removed" if secret.action == "clear" else "client secret changed"
            detail = f"{detail}; {told}" if detail else told
        if self.dry_run:
            if isinstance(record, smtp.SmtpDefinition):  # what SMTP's parse gives
                self._planned[fold(record.key)] = record
            return Outcome(service.kind, record.key, action, detail)
        try:
            saved = service.save(record, change, stored, {SecretKind.CLIENT_SECRET: secret} if kind is SMTP else None)
        except RecordExists:
            return Outcome(service.kind, key, "refused", "it was created by another user meanwhile: run it again")
        except (SecretStoreError, StorageError) as error:
            return failed(kind, service.kind, key, error, "saved")
        if saved.rebound:
            moved = "the stored password now goes" if saved.rebound == 1 else f"{saved.rebound} stored passwords now go"
            detail = f"{detail}; {moved} to {saved.rebound_to}"
        return Outcome(service.kind, saved.key, action, detail)

    def _password_change(
        self, service: RecordService[Any], key: str, had: bool, wanted: PasswordChange
    ) -> PasswordChange:
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
        except StorageError as error:
            return failed(kind, service.kind, stored.key, error, "deleted")
        return Outcome(service.kind, stored.key, "deleted")

    # -- files ------------------------------------------------------------------

    def export(self) -> dict[str, object]:
        """Every definition and user as text values, without passwords (one snapshot)."""
        data: dict[str, object] = {"format": FORMAT}
        with self.smtp.store.read():
            for kind in KINDS:
                data[kind.section] = [row for rows in self.export_rows(kind) for row in rows]
        return data

    def export_rows(self, kind: Kind) -> Iterator[list[dict[str, object]]]:
        """The export's records of `kind`, a chunk at a time (read them in
        the store's read()): each as the form shows it, numbers as numbers,
        and whether a password is stored (one query a chunk)."""
        service = self.service(kind)
        owner = service.owner
        with contextlib.closing(service.chunks()) as chunks:
            for found in chunks:
                owners = [owner(stored.key) for stored in found]
                held = service.passwords.names(owners)
                yield [{**kind.shown(stored.record), "password_stored": SecretKind.PASSWORD in held[who]}
                       for stored, who in zip(found, owners, strict=True)]

    @staticmethod
    def records_in(data: object) -> int:
        """How many records an export file's data holds: the outcomes
        import_data yields for it (a progress report's total)."""
        if not isinstance(data, dict):
            return 0
        return sum(len(rows) for kind in KINDS if isinstance(rows := data.get(kind.section, []), list))

    def import_data(self, data: object) -> Iterator[Outcome]:
        """Apply an export file's records one by one, each on its own: a
        refused row says why and the others go ahead.  FileRefused, before
        anything is written, when the file as a whole is not an export."""
        if not isinstance(data, dict):
            raise FileRefused("holds no smtp_definitions or users")
        unknown = sorted(set(data) - {"format", *(kind.section for kind in KINDS)})
        if unknown:
            raise FileRefused(f'has an unknown section "{shown(unknown[0])}" (sections: smtp_definitions, users)')
        number = data.get("format", FORMAT)
        if type(number) is not int or number != FORMAT:  # true == 1 and 1.0 == 1 in Python, not here
            said = shown(json.dumps(number)) if isinstance(number, (str, int, float)) else f"a {type(number).__name__}"
            raise FileRefused(f"is format {said}; this fincon-tui reads format {FORMAT}")
        for kind in KINDS:
            if not isinstance(data.get(kind.section, []), list):
                raise FileRefused(f"{kind.section} must be a list of records")
        for kind in KINDS:
            seen: builtins.set[object] = set()
            for number, row in enumerate(data.get(kind.section, []), 1):
                yield self._import_row(kind, row, number, seen)

    def _import_row(self, kind: Kind, row: object, number: int, seen: builtins.set[object]) -> Outcome:
        service = self.service(kind)
        where = f"({kind.section} row {number})"
        if not isinstance(row, dict):
            return Outcome(service.kind, where, "refused", "is not a table of fields")
        try:
            values = {field: _text(field, value, kind) for field, value in row.items() if field not in INFORMATIVE}
        except FieldError as error:
            named = row.get(kind.key_field)
            key = str(named) if isinstance(named, (str, int, float)) and str(named).strip() else where
            return Outcome(service.kind, key, "refused", describe(error, kind.labels))
        key = service.repo.normalize_key(values.get(kind.key_field, ""))
        if key and fold(key) in seen:
            return Outcome(service.kind, key, "refused", "appears twice in the file")
        seen.add(fold(key))
        outcome = self.set(kind, values, PasswordChange.keep())
        if not outcome.key:
            return replace(outcome, key=where)
        if row.get("password_stored") is True and outcome.action != "refused" and not service.passwords.has(
            service.owner(outcome.key)
        ):
            note = f"no password here yet: fincon-tui {kind.command} set {shell_word(outcome.key)} --password-stdin"
            outcome = replace(outcome, detail="; ".join(filter(None, (outcome.detail, note))))
        return outcome


def _text(field: str, value: object, kind: Kind) -> str:
    """A file's value as the text a form field would hold."""
    if field == "password":
        raise FieldError("is never imported (export files hold none): set it with --password-stdin", field)
    if field == "client_secret":
        raise FieldError("is never imported (export files hold none): set it with --client-secret-stdin", field)
    if field not in kind.labels:
        fields = ", ".join(k for k in kind.labels if k not in ("password", "client_secret"))
        raise FieldError(f'"{shown(field)}" is not a field of {kind.section} ({fields})')
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, (str, int, float)):
        return str(value)
    if value is None:
        return ""
    raise FieldError("takes one value, not a list or table", field)


def _changes(service: RecordService[R], before: R, after: R, password: PasswordChange) -> str:
    """'port: 587 -> 2525; password changed', as the history shows it."""
    fields = differences(service.repo.to_columns(before), service.repo.to_columns(after))
    parts = [AuditEntry("", "", "update", fields).describe()] if fields else []
    if password.action != "keep":
        parts.append("password removed" if password.action == "clear" else "password changed")
    return "; ".join(parts)


def failed(kind: Kind, said: str, key: str, error: Exception, done: str, why: Callable[[Exception], str] | None = None,
           *, look_at: str | None = None) -> Outcome:
    """The outcome of a write that raised `error`: refused, saying why
    (`why`, else _why), or in doubt when its COMMIT's answer was lost and
    the server could not be asked (it may have been `done`: look at
    `look_at`, else `key`)."""
    if isinstance(error, ConnectionLost) and error.in_doubt:
        look = f"run `fincon-tui {kind.command} show {shell_word(look_at or key)}`"
        return Outcome(said, key, IN_DOUBT, in_doubt(done, look))
    return Outcome(said, key, "refused", (why or _why)(error))


def _why(error: Exception) -> str:
    """A save's or delete's refusal, as a message."""
    if isinstance(error, RecordChanged):
        return "it was changed or deleted by another user meanwhile: nothing was written; run it again"
    if isinstance(error, (SecretStoreError, RuleRefused, ConnectionLost)):  # each says what to do
        return str(error)
    return f"the database refused: {error}"
