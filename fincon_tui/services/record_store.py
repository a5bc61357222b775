"""Load, save and delete keyed records together with their passwords."""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from fincon_tui._exceptions import FieldError, FormInvalid
from fincon_tui.domain.password_binding import (
    PasswordBinding,
    PasswordChange,
    PasswordOwner,
)
from fincon_tui.domain.secret_holders import Holding
from fincon_tui.domain.secret_kinds import TOLD_ORDER, SecretKind
from fincon_tui.domain.visible import visible
from fincon_tui.keystore.vault import PasswordVault
from fincon_tui.services import secret_changes
from fincon_tui.services.data_keys import listed
from fincon_tui.services.sealed_passwords import Passwords
from fincon_tui.storage import audit
from fincon_tui.storage.records import Keyed, Stored

if TYPE_CHECKING:
    from fincon_tui.services.lookup_index import LookupIndex
    from fincon_tui.storage.records import LoginTest, SpfVerdict
    from fincon_tui.storage.store import Records, Store

R = TypeVar("R", bound=Keyed)


def in_doubt(done: str, look: str) -> str:
    """What a write says whose COMMIT's answer was lost and whose fate the
    server could not be asked (ConnectionLost.in_doubt): it may have been
    written.  One wording for the CLI and the TUI; `done` is 'saved',
    'deleted' ..., `look` how to see what became of it."""
    return (f"the database server stopped answering while the change was being committed: it may or may not be "
            f"{done} – {look} once the server is back")


@dataclass(frozen=True)
class Loaded(Generic[R]):
    """A stored record, whether a password is stored for it, and why that
    password cannot be used (None when it can, or there is none)."""

    stored: Stored[R]
    has_password: bool
    password_problem: str | None = None
    attention: FieldError | None = None
    #: The kinds of secret stored for the record.
    secrets: frozenset[SecretKind] = frozenset()
    #: Its last login test (None: never tested).
    last_test: LoginTest | None = None
    #: What the last `check --dns` found of its sender domains' SPF (None: not checked).
    spf: SpfVerdict | None = None


@dataclass(frozen=True)
class Saved(Stored[R]):
    """A saved record; `rebound` kept passwords now go to `rebound_to`."""

    rebound: int = 0
    rebound_to: str = ""

    def along(self) -> str:
        """What else the save did, for its message ('' here; see Copied)."""
        return ""


class RecordService(Generic[R]):
    """One kind of record: its repository and how its password is bound."""

    def __init__(
        self, store: Store, vault: PasswordVault, repo: Records[R], owner: Callable[[str], PasswordOwner]
    ) -> None:
        self.store = store
        self.vault = vault
        self.repo = repo
        self.owner = owner
        self.passwords = Passwords(store, vault)

    @property
    def kind(self) -> str:
        return self.repo.kind

    def validate_key(self, raw: str) -> str:
        """The key as typed, checked and cleaned (FieldError if refused)."""
        raise NotImplementedError

    def get(self, key: str) -> Stored[R] | None:
        return self.repo.get(key)

    def load(self, key: str) -> Loaded[R] | None:
        stored = self.repo.get(key)
        if stored is None:
            return None
        owner = self.owner(stored.key)
        has = self.passwords.has(owner)
        problem = self.passwords.problem(owner) if has else None
        names = frozenset(self.passwords.expiries(owner))
        from fincon_tui.services.login_results import spf_of

        return Loaded(stored, has, problem, self.attention(stored, has), names, self.last_test(stored),
                      spf_of(self.store, self.owner(stored.key).kind, stored))

    def last_test(self, stored: Stored[R]) -> LoginTest | None:
        """The record's last login test (None: never tested)."""
        from fincon_tui.services.login_results import latest

        return latest(self.store, self.owner(stored.key).kind, stored)

    def reload(self, stored: Stored[R]) -> Loaded[R] | None:
        """The record `stored` as stored now: by its key, else under the key
        a rename gave it (its row_id); None once deleted."""
        loaded = self.load(stored.key)
        if loaded is None and stored.row_id is not None:
            renamed = self.repo.by_row_id(stored.row_id)
            loaded = self.load(renamed.key) if renamed is not None else None
        return loaded

    def search(self, text: str, limit: int = 200, offset: int = 0) -> list[Stored[R]]:
        return self.repo.search(text, limit, offset)

    def lookup_index(self, columns: Sequence[str], limit: int | None = None) -> LookupIndex:
        """Every record (the first `limit` if given) as a row of `columns`
        (its table's, the key first), for an F4 list to filter in memory."""
        from fincon_tui.services.lookup_index import LookupIndex

        return LookupIndex(self.repo.listing(columns, limit), len(columns))

    def chunks(self) -> Generator[list[Stored[R]], None, None]:
        """Every record in search('')'s order, a chunk at a time (Records.chunks):
        read them in the store's read(), which makes them one snapshot."""
        return self.repo.chunks()

    def check(self, record: R, has_password: bool) -> None:
        """Raise FormInvalid if the stored record breaks a rule Accept enforces."""
        raise NotImplementedError

    def attention(self, stored: Stored[R], has_password: bool | None = None) -> FieldError | None:
        """The first rule a stored row breaks (written by another tool, or
        before the rule existed), or None: such rows need attention."""
        if stored.same_name_as is not None:
            return FieldError(f"{visible(stored.same_name_as)} has the same name ignoring case: rename one of them",
                              self.repo.key_column)
        if has_password is None:
            has_password = self.passwords.has(self.owner(stored.key))
        try:
            self.check(stored.record, has_password)
        except FormInvalid as invalid:
            return invalid.first
        return None

    def attentions(
        self, found: list[Stored[R]], secrets: Mapping[PasswordOwner, frozenset[SecretKind]],
        linked: Mapping[object, Any] | None = None,
    ) -> list[FieldError | None]:
        """`attention` for each record of a list, without checking each value
        again: the database names the rows that break its rules (one query),
        which alone are checked in full; the others get the rules between
        fields (check_stored), with `secrets` (Passwords.names of the
        records' owners) and `linked` (what check_stored needs besides)."""
        broken = self.repo.breaking_rules([stored.key for stored in found])
        problems: list[FieldError | None] = []
        for stored in found:
            held = secrets.get(self.owner(stored.key), frozenset())
            if stored.same_name_as is not None or stored.key in broken:
                problems.append(self.attention(stored, SecretKind.PASSWORD in held))
                continue
            try:
                self.check_stored(stored.record, held, linked)
            except FormInvalid as invalid:
                problems.append(invalid.first)
            else:
                problems.append(None)
        return problems

    def check_stored(self, record: R, secrets: frozenset[SecretKind], linked: Mapping[object, Any] | None) -> None:
        """FormInvalid if `record`, whose values hold the database's rules,
        breaks a rule between its fields with the secrets stored for it."""
        raise NotImplementedError

    def binding(self, record: R) -> PasswordBinding:
        """Where this record sends its password (read inside the transaction)."""
        raise NotImplementedError

    def holding(self, record: R) -> Holding:
        """What the record's secrets hang on (read inside the transaction)."""
        raise NotImplementedError

    def dependents_follow(self, before: Stored[R], saved: Stored[R]) -> tuple[int, dict[str, str]]:
        """What a save does to the secrets of records that send through this
        one: how many passwords were re-sealed, and what the audit trail says."""
        return 0, {}

    def copyable_secrets(self, record: R) -> tuple[SecretKind, ...]:
        """The stored secrets a copy of `record` may take along when asked
        (never a sign-in's refresh token: the copy signs in for itself)."""
        return (SecretKind.PASSWORD,)

    def rename_dependents(self, before: Stored[R], after: Stored[R]) -> int:
        """Point the records that refer to this one at its new key; how many."""
        return 0

    def linked_count(self, key: str) -> int:
        """How many records refer to the record `key` (rename_dependents moves them)."""
        return 0

    def save(
        self, record: R, password: PasswordChange, expected: int | Stored[R] | None,
        secrets: dict[str, PasswordChange] | None = None,
    ) -> Saved[R]:
        """Write the row and its password in one transaction, or neither.

        `expected` is None for a new record, else the record as loaded (or
        its version), so a save never overwrites what another admin saved,
        deleted or created again meanwhile.  A kept password
        follows the record to a new login or mail server, and so do its
        other secrets (the secrets service says which stay)."""
        with self.store.transaction():
            if expected is None:
                before, held_before = None, None
                saved = self.repo.insert(record)
            else:
                before = self.repo.current(record.key, expected)
                held_before = self.holding(before.record)
                saved = self.repo.update(record, before)
            held = self.holding(saved.record)
            done = secret_changes.saved(self.passwords, held_before, held, password, secrets)
            rebound, told = int(done.rebound), done.told
            if before is not None:
                others, dependents_told = self.dependents_follow(before, saved)
                rebound += others
                told = {**dependents_told, **told}
            self.store.audit.record(
                self.kind,
                saved,
                "create" if before is None else "update",
                {**audit.differences(
                    self.repo.to_columns(before.record) if before else None,
                    self.repo.to_columns(saved.record),
                ), **told},
                password_changed=password.action != "keep",
            )
        return Saved(saved.record, saved.created_at, saved.updated_at, saved.version, saved.row_id,
                     rebound, held.binding.server if rebound else "")

    def delete(self, key: str, expected: int | Stored[R]) -> Stored[R]:
        """Remove the row and its password in one transaction, or neither."""
        with self.store.transaction():
            removed = self.repo.current(key, expected)
            self.check_can_delete(removed.key)
            self.passwords.remove(self.owner(removed.key))
            if removed.row_id:
                self.store.login_tests.forget(self.owner(removed.key).kind, removed.row_id)
                self.store.spf_verdicts.forget(self.owner(removed.key).kind, removed.row_id)
            self.repo.delete(removed)
            self.store.audit.record(
                self.kind,
                removed,
                "delete",
                audit.differences(self.repo.to_columns(removed.record), None),
                password_changed=False,
            )
        return removed

    def history(self, record: Stored[R] | str) -> list[audit.AuditEntry]:
        """The entries of `record` (as loaded, even if deleted since), or of
        the record stored under this key now: whatever keys it had."""
        stored = self.repo.get(record) if isinstance(record, str) else record
        return self.store.audit.history(self.kind, stored.row_id) if stored else []

    def check_can_delete(self, key: str) -> None:
        """Raise RecordInUse if others depend on the record."""

    def delete_question(self, key: str, expected: int | Stored[R]) -> str:
        """The Yes/No question before the record is deleted, naming each
        secret stored for it (they go with it).  Asked by every Delete (the
        form's and the lists' 4=Delete): RecordInUse when others depend on
        it, RecordChanged when it is not the version loaded, before anything
        is asked.  `delete` checks the same again as it writes."""
        current = self.repo.current(key, expected)
        self.check_can_delete(current.key)
        stored = self.stored_secrets(current.key)
        going = [kind.delete_word for kind in TOLD_ORDER if kind in stored]
        question = f"Delete {self.kind} {current.key}?"
        if going:
            question += f" Its {listed(going)} {'is' if len(going) == 1 else 'are'} removed too."
        return question

    def stored_secrets(self, key: str) -> set[SecretKind]:
        """Which secrets are stored for the record `key`: data_keys.named words them."""
        owner = self.owner(key)
        return set(self.passwords.expiries(owner)) | ({SecretKind.PASSWORD} if self.passwords.has(owner) else set())
