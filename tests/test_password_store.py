"""Passwords encrypted in the database, the key in the keyring or a key file."""

from __future__ import annotations

import sqlite3
import stat

import keyring
import pytest
from keyring.backends import fail
from keyring_backends import BrokenKeyring, FileKeyring
from support import definition, keyring_entries, stored_password

from fincon_tui._exceptions import (
    KeyFileError,
    KeyMissing,
    PasswordUnusable,
    SecretStoreError,
    StorageError,
)
from fincon_tui.domain.password_binding import PasswordChange, smtp_owner, user_owner
from fincon_tui.domain.users import UserEmailSettings
from fincon_tui.keystore.vault import PasswordVault, this_host
from fincon_tui.services.sealed_passwords import Passwords
from fincon_tui.services.smtp_settings import SmtpSettings
from fincon_tui.services.user_settings import UserSettings

pytestmark = pytest.mark.engines

OFFICE = definition()


def alice(**overrides) -> UserEmailSettings:
    values = dict(
        user_code="ALICE", smtp_name="OFFICE", smtp_username="alice", sender_name="Alice",
        sender_email="alice@corp.example", job_title="", telephone="", user_defined=("",) * 6,
    )
    return UserEmailSettings(**{**values, **overrides})


def headless() -> None:
    """A server reached over SSH: no keyring backend at all."""
    keyring.set_keyring(fail.Keyring())


def default_key_file(tmp_path, store):
    return tmp_path / "home" / "config" / "fincon-tui" / "keys" / f"{store.info.database_id()}.key"


def test_save_seals_the_password_in_the_database(store, db, vault) -> None:
    SmtpSettings(store, vault).save(OFFICE, PasswordChange.set("s3cret!"), None)
    assert stored_password(store, "smtp:OFFICE") == "s3cret!"
    assert "password" not in {c.name for c in db["smtp_settings"].columns}
    [row] = db["secrets"].rows
    assert (row["owner_kind"], row["owner_key"], row["bound_login"], row["bound_server"]) == (
        "smtp", "OFFICE", "bob", "smtp.example.com")
    assert b"s3cret!" not in row["sealed"] and row["key_id"] == store.info.key_id()


def test_database_file_never_holds_the_password_or_the_key(store, db, vault, db_path) -> None:
    SmtpSettings(store, vault).save(OFFICE, PasswordChange.set("Unguessable-Pw-42"), None)
    [key_entry] = [v for k, v in keyring_entries().items() if k.startswith("key:")]
    key_text = key_entry.split(":", 1)[1].strip().encode()
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for path in db_path.parent.glob("fincon.db*"):
        data = path.read_bytes()
        assert b"Unguessable-Pw-42" not in data and key_text not in data


def test_keep_and_clear(store, vault) -> None:
    service = SmtpSettings(store, vault)
    service.save(OFFICE, PasswordChange.set("one"), None)
    loaded = service.load("office")
    assert loaded.has_password is True and loaded.password_problem is None
    service.save(OFFICE, PasswordChange.keep(), loaded.stored.version)
    assert stored_password(store, "smtp:OFFICE") == "one"
    service.save(OFFICE, PasswordChange.clear(), 2)
    assert stored_password(store, "smtp:OFFICE") is None
    assert service.load("OFFICE").has_password is False and store.secrets.all_sealed() == []


def test_a_failed_save_leaves_row_and_password_as_they_were(store, db, vault) -> None:
    service = SmtpSettings(store, vault)
    service.save(OFFICE, PasswordChange.set("old"), None)
    db.execute(
        "CREATE TRIGGER refuse BEFORE UPDATE ON smtp_settings "
        "BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END"
    )
    with pytest.raises(StorageError):
        service.save(definition(port=2525), PasswordChange.set("new"), 1)
    assert stored_password(store, "smtp:OFFICE") == "old" and store.smtp.get("OFFICE").record.port == 587


def test_headless_server_keeps_the_key_in_a_0600_key_file(store, tmp_path) -> None:
    headless()
    service = SmtpSettings(store, PasswordVault())
    service.save(OFFICE, PasswordChange.set("pw"), None)
    key_file = default_key_file(tmp_path, store)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    assert store.info.key_id() in key_file.read_text()
    assert stored_password(store, "smtp:OFFICE") == "pw" and keyring_entries() == {}
    assert "key in key file ~/" in Passwords(store, PasswordVault()).summary()


def test_the_forms_line_names_where_the_key_is_and_asks_no_keyring_before_there_is_one(
        store, vault, monkeypatch) -> None:
    """Before the first secret is saved there is no key: the line says the
    first makes it, without loading the keyring to say where it would go
    (issue 26); then it names where the key was put."""
    def asked(self) -> None:
        raise AssertionError("the keyring was asked")

    with monkeypatch.context() as patched:
        patched.setattr(PasswordVault, "backend", asked)
        assert Passwords(store, vault).summary() == (
            "Passwords: encrypted in the database, key made with the first one saved")
    SmtpSettings(store, vault).save(OFFICE, PasswordChange.set("pw"), None)
    assert Passwords(store, PasswordVault()).summary() == (
        f"Passwords: encrypted in the database, key in the keyring ({keyring.get_keyring().name})")


def test_a_key_in_the_default_key_file_is_found_without_asking_the_keyring(store, tmp_path, monkeypatch) -> None:
    """A server without a keyring keeps its key in the default key file: the
    start's look for it, and opening a password, load no keyring library
    (issue 26); a key it does not hold is still looked for in the keyring."""
    headless()
    SmtpSettings(store, PasswordVault()).save(OFFICE, PasswordChange.set("pw"), None)
    keyring.set_keyring(FileKeyring())  # a keyring that would answer, were it asked

    def asked(self) -> None:
        raise AssertionError("the keyring was asked")

    with monkeypatch.context() as patched:
        patched.setattr(PasswordVault, "backend", asked)
        found = PasswordVault().find(store.info.database_id(), store.info.key_id())
        assert found.source.where == str(default_key_file(tmp_path, store))
        assert stored_password(store, "smtp:OFFICE") == "pw"
        with pytest.raises(AssertionError, match="keyring was asked"):
            PasswordVault().find(store.info.database_id(), "0" * 16)


def test_a_desktop_keeps_the_key_in_the_keyring(store, vault, tmp_path) -> None:
    SmtpSettings(store, vault).save(OFFICE, PasswordChange.set("pw"), None)
    database_id = store.info.database_id()
    assert list(keyring_entries()) == [f"key:{database_id}"]
    assert not default_key_file(tmp_path, store).exists()


def test_a_world_readable_key_file_is_refused_and_nothing_is_saved(store, tmp_path) -> None:
    headless()
    key_file = tmp_path / "shared.key"
    SmtpSettings(store, PasswordVault(key_file)).save(OFFICE, PasswordChange.set("pw"), None)
    key_file.chmod(0o644)
    service = SmtpSettings(store, PasswordVault(key_file))
    with pytest.raises(KeyFileError, match=r"every local account \(mode 0644\): run chmod 600"):
        service.save(definition(port=2525), PasswordChange.set("new"), 1)
    assert store.smtp.get("OFFICE").record.port == 587
    key_file.chmod(0o640)  # a group of admins may read it
    assert stored_password_with(store, key_file, "smtp:OFFICE") == "pw"


def stored_password_with(store, key_file, account: str) -> str | None:
    kind, _, key = account.partition(":")
    return Passwords(store, PasswordVault(key_file)).get(smtp_owner(key) if kind == "smtp" else user_owner(key))


def test_a_key_that_cannot_be_stored_refuses_the_save_without_leaking(store, vault) -> None:
    keyring.set_keyring(BrokenKeyring())
    service = SmtpSettings(store, PasswordVault())
    with pytest.raises(SecretStoreError, match="keychain is locked") as caught:
        service.save(OFFICE, PasswordChange.set("new-secret"), None)
    assert "new-secret" not in str(caught.value)
    assert store.smtp.search("", 1) == [] and store.info.key_id() is None


def test_a_row_changed_behind_the_apps_back_cannot_get_the_password(store, db, vault) -> None:
    service = SmtpSettings(store, vault)
    service.save(OFFICE, PasswordChange.set("pw"), None)
    db.execute("UPDATE smtp_settings SET mail_server = 'evil.example' WHERE name = 'OFFICE'")
    with pytest.raises(PasswordUnusable, match=r"^enter the password again: .*saved for bob at smtp.example.com.*"
                       r"mail server smtp.example.com -> evil.example \(changed outside fincon-tui\)$"):
        service.passwords.get(smtp_owner("OFFICE"))
    assert "enter the password again" in service.load("OFFICE").password_problem
    # Saving other fields in fincon-tui does not launder the change.
    service.save(definition(mail_server="evil.example", port=25), PasswordChange.keep(), 1)
    with pytest.raises(PasswordUnusable):
        service.passwords.get(smtp_owner("OFFICE"))
    # Typing the password again binds it to the row as it is.
    service.save(definition(mail_server="evil.example"), PasswordChange.set("pw2"), 2)
    assert stored_password(store, "smtp:OFFICE") == "pw2"


def test_altered_ciphertext_or_binding_columns_are_refused(store, db, vault) -> None:
    service = SmtpSettings(store, vault)
    service.save(OFFICE, PasswordChange.set("pw"), None)
    sealed = bytearray(next(db["secrets"].rows)["sealed"])
    sealed[-1] ^= 1
    db.execute("UPDATE secrets SET sealed = ?", [bytes(sealed)])
    with pytest.raises(PasswordUnusable, match=r"^enter the password again: .* does not decrypt \(altered"):
        service.passwords.get(smtp_owner("OFFICE"))


def test_moving_a_definition_in_the_app_rebinds_it_and_its_users(store, vault) -> None:
    smtp, users = SmtpSettings(store, vault), UserSettings(store, vault)
    smtp.save(OFFICE, PasswordChange.set("shared-pw"), None)
    users.save(alice(), PasswordChange.set("alice-pw"), None)
    users.save(alice(user_code="CAROL", smtp_username=""), PasswordChange.keep(), None)
    saved = smtp.save(definition(mail_server="smtp.new.example"), PasswordChange.keep(), 1)
    assert (saved.rebound, saved.rebound_to) == (2, "smtp.new.example")
    assert stored_password(store, "smtp:OFFICE") == "shared-pw"
    assert stored_password(store, "user:ALICE") == "alice-pw"
    bound = {(sealed.binding.owner.key, sealed.binding.server) for sealed in store.secrets.all_sealed()}
    assert bound == {("OFFICE", "smtp.new.example"), ("ALICE", "smtp.new.example")}
    # A user who changes login in the app keeps the password, re-bound.
    users.save(alice(smtp_username="alice2"), PasswordChange.keep(), 1)
    assert stored_password(store, "user:ALICE") == "alice-pw"


def test_delete_then_create_again_has_no_password(store, vault) -> None:
    service = SmtpSettings(store, vault)
    service.save(OFFICE, PasswordChange.set("old-pw"), None)
    service.delete("OFFICE", 1)
    service.save(definition(mail_server="other.example"), PasswordChange.keep(), None)
    assert service.load("OFFICE").has_password is False
    assert stored_password(store, "smtp:OFFICE") is None


def test_a_row_deleted_by_another_tool_takes_its_password(store, db, vault) -> None:
    SmtpSettings(store, vault).save(OFFICE, PasswordChange.set("pw"), None)
    db.execute("DELETE FROM smtp_settings")
    assert list(db["secrets"].rows) == []


def test_restoring_a_backup_brings_back_rows_and_passwords_together(store, db, vault, db_path, tmp_path) -> None:
    service = SmtpSettings(store, vault)
    service.save(OFFICE, PasswordChange.set("before-backup"), None)
    backup = tmp_path / "backup.db"
    with sqlite3.connect(backup) as copy:
        db.conn.backup(copy)
    service.save(definition(mail_server="smtp.later.example"), PasswordChange.set("after-backup"), 1)
    db.close()
    with sqlite3.connect(backup) as source, sqlite3.connect(db_path) as target:
        source.backup(target)
    from fincon_tui.storage.store import open_store

    restored = open_store(db_path)
    assert restored.smtp.get("OFFICE").record.mail_server == "smtp.example.com"
    assert stored_password(restored, "smtp:OFFICE") == "before-backup"


def test_a_missing_key_is_named_and_nothing_else_stops(store, vault, tmp_path) -> None:
    service = SmtpSettings(store, vault)
    service.save(OFFICE, PasswordChange.set("pw"), None)
    key_id = store.info.key_id()
    headless()  # another admin: no keyring, no key file
    other = SmtpSettings(store, PasswordVault())
    loaded = other.load("OFFICE")
    assert loaded.has_password and (f"saved with key {key_id}; this account on host {this_host()} has no such key"
                                    in loaded.password_problem)
    with pytest.raises(KeyMissing, match="README, 'Password storage'"):
        other.passwords.get(smtp_owner("OFFICE"))
    # Other fields save, the password stays for the admin who has the key.
    other.save(definition(port=2525), PasswordChange.keep(), 1)
    other.save(definition(name="RELAY", authenticate=False, username=""), PasswordChange.keep(), None)
    # A change that would re-bind the password needs the key: refused, nothing lost.
    with pytest.raises(KeyMissing):
        other.save(definition(port=2525, mail_server="moved.example"), PasswordChange.keep(), 2)
    assert store.smtp.get("OFFICE").record.mail_server == "smtp.example.com"
    keyring.set_keyring(FileKeyring())  # back to the first admin: nothing was lost
    assert stored_password(store, "smtp:OFFICE") == "pw"


def test_a_wrong_key_file_is_named(store, tmp_path) -> None:
    headless()
    SmtpSettings(store, PasswordVault(tmp_path / "right.key")).save(OFFICE, PasswordChange.set("pw"), None)
    wrong = tmp_path / "wrong.key"
    from fincon_tui.keystore import cipher, keyfile

    keyfile.update(wrong, lambda _: [cipher.new_key()])
    other = SmtpSettings(store, PasswordVault(wrong))
    message = other.load("OFFICE").password_problem
    assert f"saved with key {store.info.key_id()}" in message and f"{wrong}, which holds key" in message


def test_a_keyring_that_never_answers_is_given_up_on_and_key_files_take_over(store, tmp_path) -> None:
    """The keyring never answers (HangingKeyring): a save that ends at all
    has given up on it."""
    import threading

    from keyring_backends import HangingKeyring
    from support import PATIENCE

    keyring.set_keyring(HangingKeyring())
    vault = PasswordVault(timeout=0.3)
    service = SmtpSettings(store, vault)
    saving = threading.Thread(target=service.save, args=(OFFICE, PasswordChange.set("pw"), None), daemon=True)
    saving.start()
    saving.join(PATIENCE)
    assert not saving.is_alive(), f"the save still waited for the keyring after {PATIENCE:g} s"
    assert default_key_file(tmp_path, store).exists()
    assert "did not answer within 0.3 s" in vault.backend().why_not
    assert service.passwords.get(smtp_owner("OFFICE")) == "pw"


def test_key_files_name_a_bad_line_and_never_show_a_key(tmp_path) -> None:
    from fincon_tui.keystore import cipher, keyfile
    from fincon_tui.keystore.vault import FoundKey, KeySource

    key = cipher.new_key()
    path = tmp_path / "fincon.key"
    keyfile.update(path, lambda _: [key])
    assert keyfile.read(path) == [key]
    path.write_text(path.read_text() + "garbage:line\n")
    path.chmod(0o600)
    with pytest.raises(KeyFileError, match=r"fincon.key, line 3: not a fincon-tui key"):
        keyfile.read(path)
    assert key.hex() not in repr(FoundKey(key, KeySource("key file", str(path))))


def test_a_configured_key_file_is_home_and_found_without_asking_the_keyring(store, tmp_path, monkeypatch) -> None:
    """The form's line says where keys go, and the start looks for the
    database's key: with a key file configured, and the key in it, the
    keyring, whichever it is, has nothing to add (and is not loaded)."""
    key_file = tmp_path / "shared.key"

    def asked(self) -> None:
        raise AssertionError("the keyring was asked")

    SmtpSettings(store, PasswordVault(key_file)).save(OFFICE, PasswordChange.set("pw"), None)
    monkeypatch.setattr(PasswordVault, "backend", asked)
    vault = PasswordVault(key_file)
    database_id = store.info.database_id()
    assert vault.home(database_id).where == str(key_file)
    assert Passwords(store, vault).summary() == f"Passwords: encrypted in the database, key in key file {key_file}"
    assert vault.find(database_id, store.info.key_id()).source.where == str(key_file)
