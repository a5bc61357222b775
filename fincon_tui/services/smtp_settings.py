"""Load and save SMTP setting definitions with their passwords."""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from fincon_tui.domain.passwords import PasswordChange
from fincon_tui.domain.smtp import SmtpDefinition
from fincon_tui.secrets.vault import PasswordVault, SecretStoreError, smtp_account
from fincon_tui.storage.database import write_transaction
from fincon_tui.storage.smtp_repo import SmtpRepository, StoredDefinition


@dataclass(frozen=True)
class Loaded:
    """A stored definition and whether a password is kept for it.

    `has_password` is None when the keyring could not be asked.
    """

    stored: StoredDefinition
    has_password: bool | None


class SmtpSettings:
    """The SMTP Settings use cases over one database and one vault."""

    def __init__(self, db: Database, vault: PasswordVault) -> None:
        self.repo = SmtpRepository(db)
        self.db = db
        self.vault = vault

    def load(self, name: str) -> Loaded | None:
        stored = self.repo.get(name)
        if stored is None:
            return None
        try:
            has_password: bool | None = self.vault.has(smtp_account(stored.name))
        except SecretStoreError:
            has_password = None
        return Loaded(stored, has_password)

    def save(
        self,
        definition: SmtpDefinition,
        password: PasswordChange,
        expected_version: int | None,
    ) -> StoredDefinition:
        """Write the row and the password together, or neither.

        `expected_version` is None for a new definition.  The keyring is
        changed inside the open database transaction: if it fails the row
        is rolled back; if the commit fails the keyring change is undone.
        """
        with write_transaction(self.db):
            if expected_version is None:
                saved = self.repo.insert(definition)
            else:
                saved = self.repo.update(definition, expected_version)
            undo = self.vault.apply(smtp_account(saved.name), password)
            try:
                self.db.conn.commit()
            except BaseException:
                undo()
                raise
        return saved
