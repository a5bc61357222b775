"""Passwords that change together with their rows, even across a crash.

A save that sets a password stages it in the keyring under
`staged:<token>` first, commits the row with a journal entry, then moves
the password into place (`smtp:<name>` or `user:<code>`).  Whatever moment
a process dies at, the row and the password it owns agree: `get` reads
through the journal, and `recover` finishes or throws away what a dead
process left.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fincon_tui.domain.passwords import PasswordChange
from fincon_tui.secrets.vault import PasswordNotSettled, PasswordVault, SecretStoreError
from fincon_tui.storage import journal
from fincon_tui.storage.transactions import write_transaction

if TYPE_CHECKING:
    from sqlite_utils import Database


@dataclass(frozen=True)
class Staged:
    """A password change waiting for its row's transaction."""

    token: str
    action: str


def staged_account(token: str) -> str:
    return f"staged:{token}"


class Passwords:
    """Reads and changes keyring passwords in step with the database."""

    def __init__(self, db: Database, vault: PasswordVault) -> None:
        self.db = db
        self.vault = vault

    def get(self, account: str) -> str | None:
        """The password that the committed row for `account` owns."""
        entry = journal.committed_for(self.db, account)
        if entry is not None:
            if entry.action == "clear":
                return None
            staged = self.vault.get(staged_account(entry.token))
            if staged is not None:
                return staged
            # Already moved into place by a settle that has not finished.
        return self.vault.get(account)

    def has(self, account: str) -> bool:
        return self.get(account) is not None

    def stage(self, change: PasswordChange) -> Staged | None:
        """Before the row's transaction: put a new password aside."""
        if change.action == "keep":
            return None
        if change.action == "clear":
            return self.removal()
        self.vault.require_usable()
        staged = Staged(journal.new_token(), "set")
        with write_transaction(self.db):
            journal.prepare(self.db, staged.token, "set")
        try:
            self.vault.set(staged_account(staged.token), change.value)
        except BaseException:
            self.abandon(staged)
            raise
        return staged

    def removal(self) -> Staged:
        """Removing a password stages nothing: it is journalled with the row."""
        return Staged(journal.new_token(), "clear")

    def commit(self, staged: Staged, account: str) -> None:
        """Inside the row's transaction."""
        journal.commit(self.db, staged.token, account, staged.action)

    def abandon(self, staged: Staged) -> None:
        """The row's transaction failed: throw the staged password away.
        If even that fails, the journal keeps it for `recover`."""
        try:
            self._finish(staged.token)
        except (SecretStoreError, OSError):
            pass

    def settle(self, staged: Staged, stored: object) -> None:
        """After the row's commit: move the password into place."""
        try:
            self._finish(staged.token)
        except SecretStoreError as error:
            raise PasswordNotSettled(stored, error) from None

    def recover(self) -> int:
        """Finish committed changes and throw away abandoned ones (a live
        session's prepared change is left to it); return how many the
        keyring refused."""
        refused = 0
        for entry in journal.entries(self.db):
            if entry.state == "prepared" and not entry.abandoned():
                continue
            try:
                self._finish(entry.token)
            except SecretStoreError:
                refused += 1
        return refused

    def _finish(self, token: str) -> None:
        """Carry out a committed entry, or drop any other, under the write lock
        (so that no newer change can commit in between)."""
        with write_transaction(self.db):
            entry = journal.get(self.db, token)
            if entry is None:
                return
            staged = staged_account(token)
            value = self.vault.get(staged) if entry.action == "set" else None
            if entry.state == "committed" and entry.account is not None:
                if entry.action == "clear":
                    self.vault.delete(entry.account)
                elif value is not None:  # None: moved already, before a crash
                    self.vault.set(entry.account, value)
            if value is not None:
                self.vault.delete(staged)
            journal.remove(self.db, token)
