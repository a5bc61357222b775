"""Load, save and delete keyed records whose password lives in the keyring."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from fincon_tui.domain.passwords import PasswordChange
from fincon_tui.secrets.vault import PasswordVault, SecretStoreError
from fincon_tui.services.passwords import Passwords
from fincon_tui.storage import audit
from fincon_tui.storage.records import Repository, Stored
from fincon_tui.storage.transactions import write_transaction

if TYPE_CHECKING:
    from sqlite_utils import Database

R = TypeVar("R")


@dataclass(frozen=True)
class Loaded(Generic[R]):
    """A stored record and whether a password is kept for it
    (None when the keyring could not be asked)."""

    stored: Stored[R]
    has_password: bool | None


class RecordService(Generic[R]):
    """One kind of record: its repository and how its password is named."""

    def __init__(
        self, db: Database, vault: PasswordVault, repo: Repository[R], account: Callable[[str], str]
    ) -> None:
        self.db = db
        self.vault = vault
        self.repo = repo
        self.account = account
        self.passwords = Passwords(db, vault)

    @property
    def kind(self) -> str:
        return self.repo.kind

    def get(self, key: str) -> Stored[R] | None:
        return self.repo.get(key)

    def load(self, key: str) -> Loaded[R] | None:
        stored = self.repo.get(key)
        if stored is None:
            return None
        try:
            has_password: bool | None = self.passwords.has(self.account(stored.key))
        except SecretStoreError:
            has_password = None
        return Loaded(stored, has_password)

    def search(self, text: str, limit: int = 200) -> list[Stored[R]]:
        return self.repo.search(text, limit)

    def save(self, record: R, password: PasswordChange, expected_version: int | None) -> Stored[R]:
        """Write the row and the password together, or neither.

        `expected_version` is None for a new record.  A new password is
        staged in the keyring first and moved into place after the commit
        (see services/passwords.py); raises PasswordNotSettled, carrying the
        saved record, if only that last move failed.
        """
        staged = self.passwords.stage(password)
        try:
            with write_transaction(self.db):
                if expected_version is None:
                    before, saved = None, self.repo.insert(record)
                else:
                    before = self.repo.current(record.key, expected_version)  # type: ignore[attr-defined]
                    saved = self.repo.update(record, before)
                audit.record(
                    self.db,
                    self.kind,
                    saved.key,
                    "create" if before is None else "update",
                    audit.differences(
                        self.repo.to_columns(before.record) if before else None,
                        self.repo.to_columns(saved.record),
                    ),
                    password_changed=staged is not None,
                )
                if staged is not None:
                    self.passwords.commit(staged, self.account(saved.key))
        except BaseException:
            if staged is not None:
                self.passwords.abandon(staged)
            raise
        if staged is not None:
            self.passwords.settle(staged, saved)
        return saved

    def delete(self, key: str, expected_version: int) -> Stored[R]:
        """Remove the row and its password together, or neither."""
        staged = self.passwords.removal()
        with write_transaction(self.db):
            removed = self.repo.current(key, expected_version)
            self.check_can_delete(removed.key)
            self.repo.delete(removed)
            audit.record(
                self.db,
                self.kind,
                removed.key,
                "delete",
                audit.differences(self.repo.to_columns(removed.record), None),
                password_changed=False,
            )
            self.passwords.commit(staged, self.account(removed.key))
        self.passwords.settle(staged, removed)
        return removed

    def history(self, key: str) -> list[audit.AuditEntry]:
        return audit.history(self.db, self.kind, key)

    def check_can_delete(self, key: str) -> None:
        """Raise RecordInUse if others depend on the record."""
