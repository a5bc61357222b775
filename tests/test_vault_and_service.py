"""Keyring and database stay consistent; secrets never leak into errors."""

from __future__ import annotations

import sqlite3

import keyring
import pytest
from conftest import definition, smtp_rows, stored_password
from keyring.backends import fail
from keyring_backends import BrokenKeyring, FileKeyring

from fincon_tui.domain.passwords import PasswordChange
from fincon_tui.secrets.vault import PasswordVault, SecretStoreError
from fincon_tui.services.smtp_settings import SmtpSettings
from fincon_tui.storage.database import open_database

OFFICE = definition()


def test_save_writes_row_and_keyring_but_no_password_column(db, vault) -> None:
    SmtpSettings(db, vault).save(OFFICE, PasswordChange.set("s3cret!"), None)
    assert stored_password("smtp:OFFICE") == "s3cret!"
    assert "password" not in {c.name for c in db["smtp_settings"].columns}
    assert all("s3cret!" not in str(value) for row in smtp_rows(db) for value in row.values())


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
    before = smtp_rows(db)
    keyring.set_keyring(BrokenKeyring())
    changed = definition(port=2525)
    with pytest.raises(SecretStoreError, match="keychain is locked") as caught:
        service.save(changed, PasswordChange.set("new-secret"), 1)
    assert "new-secret" not in str(caught.value)
    assert smtp_rows(db) == before


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
    assert smtp_rows(db) == []
    users_own = definition(username="")
    service.save(users_own, PasswordChange.keep(), None)
    assert len(smtp_rows(db)) == 1
    assert service.load("OFFICE").has_password is None


def test_plaintext_backends_are_flagged() -> None:
    from fincon_tui.secrets.vault import BackendInfo

    class PlaintextKeyring(BrokenKeyring):
        pass

    keyring.set_keyring(PlaintextKeyring())
    info = PasswordVault().info()
    assert info == BackendInfo(name=info.name, usable=True, plaintext=True)
    assert "WARNING" in info.summary() and "unencrypted" in info.summary()


def journal(db) -> list[tuple[str, str]]:
    return [(row["state"], row["action"]) for row in db["password_journal"].rows]


def test_a_keyring_that_refuses_deletes_leaves_the_removal_owed(db, vault) -> None:
    from fincon_tui.secrets.vault import PasswordNotSettled

    service = SmtpSettings(db, vault)
    service.save(OFFICE, PasswordChange.set("doomed-pw"), None)
    keyring.set_keyring(BrokenKeyring())
    with pytest.raises(PasswordNotSettled, match="keychain is locked; retried at every start") as caught:
        service.delete("OFFICE", 1)
    assert "doomed-pw" not in str(caught.value)
    assert caught.value.stored.key == "OFFICE" and smtp_rows(db) == []
    assert stored_password("smtp:OFFICE") == "doomed-pw"  # the keyring is behind...
    assert service.passwords.get("smtp:OFFICE") is None  # ...but nobody reads it
    assert service.passwords.recover() == 1 and journal(db) == [("committed", "clear")]
    keyring.set_keyring(FileKeyring())
    assert service.passwords.recover() == 0 and journal(db) == []
    assert stored_password("smtp:OFFICE") is None


def test_a_failed_staging_write_leaves_no_journal_entry(db, vault) -> None:
    service = SmtpSettings(db, vault)
    keyring.set_keyring(BrokenKeyring())
    with pytest.raises(SecretStoreError):
        service.save(OFFICE, PasswordChange.set("pw"), None)
    assert smtp_rows(db) == [] and journal(db) == []


def test_recovery_leaves_a_live_sessions_staged_password_alone(db, vault, db_path) -> None:
    from fincon_tui.services.passwords import Passwords, staged_account

    mine = Passwords(db, vault)
    staged = mine.stage(PasswordChange.set("in-flight"))
    other_session = open_database(db_path)
    assert Passwords(other_session, vault).recover() == 0
    assert journal(db) == [("prepared", "set")]
    assert stored_password(staged_account(staged.token)) == "in-flight"
    mine.abandon(staged)
    assert journal(db) == [] and stored_password(staged_account(staged.token)) is None


def test_recovery_throws_away_what_a_dead_session_staged(db, vault, db_path) -> None:
    import subprocess
    import sys

    from fincon_tui.services.passwords import Passwords, staged_account
    from fincon_tui.storage import journal as journal_table

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    passwords = Passwords(db, vault)
    staged = passwords.stage(PasswordChange.set("orphan"))
    owner = journal_table.this_process().rpartition(":")[0] + ":" + dead.stdout.strip()
    db.execute("UPDATE password_journal SET owner = ?", [owner])
    db.conn.commit()
    assert passwords.recover() == 0
    assert journal(db) == [] and stored_password(staged_account(staged.token)) is None


def test_a_newer_committed_change_supersedes_an_unfinished_one(db, vault) -> None:
    from fincon_tui.services.passwords import Passwords
    from fincon_tui.storage.transactions import write_transaction

    passwords = Passwords(db, vault)
    first, second = passwords.stage(PasswordChange.set("first")), passwords.stage(PasswordChange.set("second"))
    for staged in (first, second):
        with write_transaction(db):
            passwords.commit(staged, "smtp:OFFICE")
    assert sorted(journal(db)) == [("committed", "set"), ("superseded", "set")]
    assert passwords.get("smtp:OFFICE") == "second"
    passwords.settle(second, None)
    passwords.settle(first, None)  # late: must not overwrite the newer password
    assert stored_password("smtp:OFFICE") == "second" and journal(db) == []
