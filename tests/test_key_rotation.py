"""`key rotate`: a new key, every password re-encrypted in one transaction;
a crash at any moment leaves a key that opens every password."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import keyring
import pytest
from admins import admin
from keyring.backends import fail
from processes import popen
from support import definition

from fincon_tui.domain.password_binding import PasswordChange, smtp_owner
from fincon_tui.keystore import keyfile
from fincon_tui.keystore.cipher import key_id
from fincon_tui.keystore.vault import PasswordVault
from fincon_tui.services.data_keys import rotate
from fincon_tui.services.sealed_passwords import Passwords
from fincon_tui.services.smtp_settings import SmtpSettings
from fincon_tui.storage.store import open_store

pytestmark = pytest.mark.engines

TESTS = Path(__file__).resolve().parent
COUNT = 40


def seed(store, key_file: Path) -> dict[str, str]:
    service = SmtpSettings(store, PasswordVault(key_file))
    owned = {}
    for n in range(COUNT):
        name = f"DEF{n:03}"
        service.save(definition(name=name), PasswordChange.set(f"pw-{n}"), None)
        owned[name] = f"pw-{n}"
    return owned


def check_all_open(location: Path | str, key_file: Path, owned: dict[str, str]) -> None:
    store = open_store(location)
    if isinstance(location, Path):
        assert store.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)  # the file itself, after a kill
    passwords = Passwords(store, PasswordVault(key_file))
    assert {name: passwords.get(smtp_owner(name)) for name in owned} == owned
    assert {sealed.key_id for sealed in store.secrets.all_sealed()} == {store.info.key_id()}
    store.close()


def test_rotate_re_encrypts_everything_and_keeps_the_old_key_for_backups(store, db_location, tmp_path) -> None:
    keyring.set_keyring(fail.Keyring())
    key_file = tmp_path / "fincon.key"
    owned = seed(store, key_file)
    old = store.info.key_id()
    done = rotate(Passwords(store, PasswordVault(key_file)))
    assert (done.old, done.secrets) == (old, {"password": COUNT}) and done.new == store.info.key_id() != old
    assert [key_id(k) for k in keyfile.read(key_file)] == [done.new, old]
    check_all_open(db_location, key_file, owned)


def test_a_rotation_that_fails_before_commit_changes_nothing(store, db, db_path, tmp_path) -> None:
    """SQLite: the failure is a trigger of its own dialect (the transaction is the store's, as on PostgreSQL)."""
    keyring.set_keyring(fail.Keyring())
    key_file = tmp_path / "fincon.key"
    owned = seed(store, key_file)
    old = store.info.key_id()
    db.execute(
        "CREATE TRIGGER refuse_rotation BEFORE UPDATE ON database_info "
        "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    with pytest.raises(Exception, match="disk full"):
        rotate(Passwords(store, PasswordVault(key_file)))
    db.execute("DROP TRIGGER refuse_rotation")
    assert store.info.key_id() == old
    check_all_open(db_path, key_file, owned)


def rotate_child(db_path: Path | str, key_file: Path, *how: str) -> subprocess.Popen:
    """tests/rotate_child.py as its own process (see there for `how`)."""
    env = {**os.environ, "PYTHONPATH": str(TESTS), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    return popen(
        [sys.executable, str(TESTS / "rotate_child.py"), str(db_path), str(key_file), *how],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
    )


def copies_beside(key_file: Path) -> list[str]:
    """Files other than the key file itself in its folder (a temporary copy, say)."""
    return sorted(name for name in os.listdir(key_file.parent) if name.startswith(f".{key_file.name}"))


def current_key_id(db_path: Path | str) -> str | None:
    store = open_store(db_path)
    try:
        return store.info.key_id()
    finally:
        store.close()


def kill_rotations(db_path: Path | str, key_file: Path, owned: dict[str, str], rounds: int) -> set[bool]:
    first = current_key_id(db_path)
    changed = set()
    for _ in range(rounds):
        child = rotate_child(db_path, key_file)
        assert child.stdout.readline() == b"rotating\n"
        time.sleep(random.uniform(0.0, 0.3))  # the moment of the kill, at random: not a wait for anything
        child.send_signal(signal.SIGKILL)
        child.wait()
        check_all_open(db_path, key_file, owned)
        changed.add(current_key_id(db_path) != first)
    store = open_store(db_path)
    rotate(Passwords(store, PasswordVault(key_file)))  # the next run leaves no copy of the key behind
    store.close()
    assert copies_beside(key_file) == []
    return changed


def test_a_rotation_killed_while_it_writes_the_key_file_leaves_no_copy_of_the_key(
        store, db_location, tmp_path) -> None:
    keyring.set_keyring(fail.Keyring())
    key_file = tmp_path / "keys" / "fincon.key"
    owned = seed(store, key_file)
    child = rotate_child(db_location, key_file, "hold")
    assert child.stdout.readline() == b"writing\n"  # its new key file is half done
    child.send_signal(signal.SIGKILL)
    child.wait()
    check_all_open(db_location, key_file, owned)
    rotate(Passwords(store, PasswordVault(key_file)))
    assert copies_beside(key_file) == []
    check_all_open(db_location, key_file, owned)


def race_rotations(tmp_path: Path, rounds: int) -> None:
    """Two databases with one key file (as one FINCON_TUI_KEY_FILE gives
    every --db), rotated by two processes at once, `rounds` times each."""
    keyring.set_keyring(fail.Keyring())
    key_file = tmp_path / "fincon.key"
    owned = {}
    for name in ("one.db", "two.db"):
        store = open_store(tmp_path / name)
        owned[name] = seed(store, key_file)
        store.close()
    children = [rotate_child(tmp_path / name, key_file, str(rounds)) for name in owned]
    for child in children:
        assert child.stdout.readline() == b"ready\n"
    for child in children:
        child.stdin.write(b"go\n")
        child.stdin.close()
    assert [child.wait(timeout=600) for child in children] == [0, 0]
    for name, passwords in owned.items():
        check_all_open(tmp_path / name, key_file, passwords)
    assert len({key_id(key) for key in keyfile.read(key_file)}) == 1 + 2 * rounds  # the first key and each new one


def test_two_databases_rotating_at_once_through_one_key_file(tmp_path) -> None:
    race_rotations(tmp_path, rounds=8)


@pytest.mark.slow
def test_two_databases_rotating_at_once_many_times(tmp_path) -> None:
    race_rotations(tmp_path, rounds=int(os.environ.get("FINCON_RACE_ROUNDS", "200")))


def test_sigkill_at_random_moments_during_rotation(store, db_location, tmp_path) -> None:
    keyring.set_keyring(fail.Keyring())
    key_file = tmp_path / "fincon.key"
    owned = seed(store, key_file)
    store.close()
    assert True in kill_rotations(db_location, key_file, owned, rounds=4)


@pytest.mark.slow
def test_many_kills_during_rotation(store, db_path, tmp_path) -> None:
    keyring.set_keyring(fail.Keyring())
    key_file = tmp_path / "fincon.key"
    owned = seed(store, key_file)
    store.close()
    kill_rotations(db_path, key_file, owned, rounds=int(os.environ.get("FINCON_CRASH_ROUNDS", "60")))


def test_key_rotate_command(tmp_path, db_location) -> None:
    anna = admin(tmp_path, "anna", db_location, keyring=False)
    anna.python(
        "from fincon_tui.domain.password_binding import PasswordChange\n"
        "from fincon_tui.domain.smtp import SmtpDefinition\n"
        "from fincon_tui.services.smtp_settings import SmtpSettings\n"
        "SmtpSettings(store, vault).save(SmtpDefinition('OFFICE', 'smtp.example.com', True, 'bob', 587, True, 30, ''),"
        " PasswordChange.set('pw'), None)\n"
    )
    before = anna.cli("key", "status", "--json").stdout
    rotated = anna.cli("key", "rotate")
    assert rotated.returncode == 0 and "; 1 password re-encrypted." in rotated.stdout
    after = anna.cli("key", "status", "--json").stdout
    assert before != after and '"passwords_opened": 1' in after


def test_key_rotate_and_status_name_what_they_count(tmp_path, db_path) -> None:
    anna = admin(tmp_path, "anna", db_path, keyring=False)
    anna.python(
        "from fincon_tui.domain.password_binding import PasswordChange, smtp_owner\n"
        "from fincon_tui.domain.smtp import SmtpDefinition\n"
        "from fincon_tui.services.smtp_settings import SmtpSettings\n"
        "service = SmtpSettings(store, vault)\n"
        "for name in ('OFFICE', 'SHOP'):\n"
        "    service.save(SmtpDefinition(name, 'smtp.example.com', True, 'bob', 587, True, 30, ''),"
        " PasswordChange.set('pw'), None)\n"
        "with store.transaction():\n"
        "    binding = service.passwords.bound_now(smtp_owner('OFFICE'))\n"
        "    service.passwords.put(binding, 'client_secret', 'secret')\n"
        "    service.passwords.put(binding, 'refresh_token', 'token')\n"
    )
    rotated = anna.cli("key", "rotate")
    assert rotated.returncode == 0, rotated.stderr
    assert "; 2 passwords, 1 client secret and 1 sign-in re-encrypted." in rotated.stdout
    with sqlite3.connect(db_path) as conn:  # each secret is opened as itself, not as its record's password
        conn.execute("UPDATE secrets SET sealed = zeroblob(40) WHERE name = 'client_secret'")
    status = anna.cli("key", "status")
    assert status.returncode == 1
    assert "Stored          2 passwords, 1 client secret and 1 sign-in; 3 opened with this account's key" in (
        status.stdout)
    assert ("Unusable        enter the client secret again: the client secret of SMTP definition OFFICE "
            "does not decrypt") in status.stdout
