"""Keyring and database stay consistent; secrets never leak into errors."""

from __future__ import annotations

import sqlite3

import keyring
import pytest
from conftest import definition, stored_password
from keyring.backends import fail
from keyring_backends import BrokenKeyring

from fincon_tui.domain.passwords import PasswordChange
from fincon_tui.secrets.vault import PasswordVault, SecretStoreError
from fincon_tui.services.smtp_settings import SmtpSettings

OFFICE = definition()


def rows(db) -> list[dict]:
    return list(db["smtp_settings"].rows)


def test_save_writes_row_and_keyring_but_no_password_column(db, vault) -> None:
    SmtpSettings(db, vault).save(OFFICE, PasswordChange.set("s3cret!"), None)
    assert stored_password("smtp:OFFICE") == "s3cret!"
    assert "password" not in {c.name for c in db["smtp_settings"].columns}
    assert all("s3cret!" not in str(value) for row in rows(db) for value in row.values())


def test_database_file_never_holds_the_password(db, vault, db_path) -> None:
    SmtpSettings(db, vault).save(OFFICE, PasswordChange.set("Unguessable-Pw-42"), None)
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for path in db_path.parent.glob("fincon.db*"):
        assert b"Unguessable-Pw-42" not in path.read_bytes()


def test_keep_and_clear(db, vault) -> None:
    service = SmtpSettings(db, vault)
    service.save(OFFICE, PasswordChange.set("one"), None)
    loaded = service.load("office")
    assert loaded.has_password is True
    service.save(OFFICE, PasswordChange.keep(), loaded.stored.version)
    assert stored_password("smtp:OFFICE") == "one"
    service.save(OFFICE, PasswordChange.clear(), 2)
    assert stored_password("smtp:OFFICE") is None
    assert service.load("OFFICE").has_password is False


def test_keyring_write_failure_leaves_the_row_unchanged(db, vault) -> None:
    service = SmtpSettings(db, vault)
    service.save(OFFICE, PasswordChange.keep(), None)
    before = rows(db)
    keyring.set_keyring(BrokenKeyring())
    changed = definition(port=2525)
    with pytest.raises(SecretStoreError, match="keychain is locked") as caught:
        service.save(changed, PasswordChange.set("new-secret"), 1)
    assert "new-secret" not in str(caught.value)
    assert rows(db) == before


def test_database_failure_puts_the_keyring_back(db, vault) -> None:
    service = SmtpSettings(db, vault)
    service.save(OFFICE, PasswordChange.set("old"), None)
    # Another tool holds a trigger that refuses every update: the commit path fails.
    db.execute(
        "CREATE TRIGGER refuse BEFORE UPDATE ON smtp_settings "
        "BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END"
    )
    with pytest.raises(sqlite3.IntegrityError):
        service.save(OFFICE, PasswordChange.set("new"), 1)
    assert stored_password("smtp:OFFICE") == "old"


def test_failed_commit_restores_the_previous_password(db, vault) -> None:
    service = SmtpSettings(db, vault)
    service.save(OFFICE, PasswordChange.set("old"), None)
    original_commit = db.conn

    class FailingCommit:
        """Wraps the connection: COMMIT fails as if the disk were full."""

        def __init__(self, conn):
            self._conn = conn

        def commit(self):
            raise sqlite3.OperationalError("database or disk is full")

        def __getattr__(self, name):
            return getattr(self._conn, name)

    db.conn = FailingCommit(original_commit)
    try:
        with pytest.raises(sqlite3.OperationalError, match="disk is full"):
            service.save(OFFICE, PasswordChange.set("new"), 1)
    finally:
        db.conn = original_commit
    assert stored_password("smtp:OFFICE") == "old"
    assert service.load("OFFICE").stored.version == 1


def test_no_keyring_refuses_passwords_but_saves_the_rest(db) -> None:
    keyring.set_keyring(fail.Keyring())
    vault = PasswordVault()
    assert not vault.info().usable
    assert "README" in vault.info().summary()
    service = SmtpSettings(db, vault)
    with pytest.raises(SecretStoreError, match="no keyring backend"):
        service.save(OFFICE, PasswordChange.set("pw"), None)
    assert rows(db) == []
    users_own = definition(username="")
    service.save(users_own, PasswordChange.keep(), None)
    assert len(rows(db)) == 1
    assert service.load("OFFICE").has_password is None


def test_plaintext_backends_are_flagged() -> None:
    from fincon_tui.secrets.vault import BackendInfo

    class PlaintextKeyring(BrokenKeyring):
        pass

    keyring.set_keyring(PlaintextKeyring())
    info = PasswordVault().info()
    assert info == BackendInfo(name=info.name, usable=True, plaintext=True)
    assert "WARNING" in info.summary() and "unencrypted" in info.summary()
