"""Two admins, two homes, two keyrings, one database and one key file:
real processes, and a real SMTP server that checks the password."""

from __future__ import annotations

import contextlib
import grp
import json
import os
import sqlite3
import stat
import subprocess

import pytest
from admins import admin
from smtp_servers import smtp_server
from support import unwritable

from fincon_tui.storage.store import open_store

SAVE_OFFICE = """
from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.domain.smtp import SmtpDefinition
from fincon_tui.services.smtp_settings import SmtpSettings
SmtpSettings(store, vault).save(SmtpDefinition(
    name="OFFICE", mail_server="localhost", authenticate=True, username="bob", port={port},
    use_tls=True, timeout_seconds=5, bcc=""), PasswordChange.{change}, {version})
"""
SAVE_TWO = """
from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.domain.smtp import SmtpDefinition
from fincon_tui.services.smtp_settings import SmtpSettings
for name in ("OFFICE", "SHOP"):
    SmtpSettings(store, vault).save(SmtpDefinition(name, "smtp.example.com", True, "bob", 587, True, 30, ""),
                                 PasswordChange.set(name + "-pw"), None)
"""


def test_two_admins_share_passwords_through_one_key_file(tmp_path, db_path, certs) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    key_file = shared / "fincon.key"
    group = grp.getgrgid(os.getgid()).gr_name
    first = admin(tmp_path, "anna", db_path, keyring=True)
    made = first.cli("key", "create-file", str(key_file), "--group", group)
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o640 and key_file.stat().st_gid == os.getgid()
    assert "FINCON_TUI_KEY_FILE" in made.stdout

    anna = admin(tmp_path, "anna", db_path, key_file=key_file)
    ben = admin(tmp_path, "ben", db_path, key_file=key_file, keyring=False)
    with smtp_server(starttls=certs.server_context()) as (port, mailbox):
        anna.python(SAVE_OFFICE.format(port=port, change='set("bob-pw")', version=None))
        tested = ben.cli("smtp", "test", "OFFICE")
        assert tested.returncode == 0, tested.stderr
        assert mailbox.logins == [("bob", "bob-pw")]
    status = json.loads(ben.cli("key", "status", "--json").stdout)
    assert status["this_account_has_key"] and status["passwords_opened"] == 1
    assert status["key_location"] == str(key_file)


@pytest.mark.engines
def test_delete_and_create_again_by_the_other_admin_leaves_no_password(tmp_path, db_location) -> None:
    key_file = tmp_path / "fincon.key"
    anna = admin(tmp_path, "anna", db_location, key_file=key_file)
    ben = admin(tmp_path, "ben", db_location, key_file=key_file, keyring=False)
    anna.python(SAVE_OFFICE.format(port=587, change='set("anna-pw")', version=None))
    ben.python(
        "from fincon_tui.services.smtp_settings import SmtpSettings\n"
        "SmtpSettings(store, vault).delete('OFFICE', 1)\n"
    )
    ben.python(SAVE_OFFICE.format(port=2525, change="keep()", version=None))
    shown = json.loads(anna.cli("smtp", "show", "OFFICE", "--json").stdout)
    assert shown["port"] == 2525 and shown["password_stored"] is False


def test_an_admin_without_the_key_is_told_which_key_and_can_still_work(tmp_path, db_path) -> None:
    anna = admin(tmp_path, "anna", db_path)  # her key: in her own keyring
    carl = admin(tmp_path, "carl", db_path, keyring=False, host="app2.corp.example")
    anna.python(SAVE_OFFICE.format(port=587, change='set("anna-pw")', version=None))
    key_id = json.loads(anna.cli("key", "status", "--json").stdout)["key_id"]
    status = carl.cli("key", "status")
    assert status.returncode == 1 and "Key found in    nowhere (see below)\n" in status.stdout  # not a sentence
    expected = carl.home / ".config" / "fincon-tui" / "keys"
    assert (f"\nThe passwords of this database were saved with key {key_id}; this account on host "
            f"app2.corp.example has no such key (looked in key file ~/{expected.relative_to(carl.home)}/") \
        in status.stdout, status.stdout
    assert f", which holds none): copy the key file that holds key {key_id} from a server" in status.stdout
    shown = carl.cli("smtp", "show", "OFFICE", "--json")
    assert shown.returncode == 0 and "no such key" in json.loads(shown.stdout)["password_problem"]
    tested = carl.cli("smtp", "test", "OFFICE")
    assert tested.returncode == 2 and "Traceback" not in tested.stderr
    assert f"cannot use the stored password: the passwords of this database were saved with key {key_id}" \
        in tested.stderr  # one sentence, no capital in its middle


def test_moving_a_desktop_key_into_a_shared_file(tmp_path, db_path) -> None:
    anna = admin(tmp_path, "anna", db_path)
    anna.python(SAVE_OFFICE.format(port=587, change='set("anna-pw")', version=None))
    key_file = tmp_path / "fincon.key"
    moved = anna.cli("key", "move-to-file", str(key_file))
    assert moved.returncode == 0, moved.stderr
    keyring_file = anna.home / "keyring.json"
    assert "key:" not in keyring_file.read_text()
    config = anna.home / ".config" / "fincon-tui" / "config.toml"
    assert f'key_file = "{key_file}"' in config.read_text()
    status = json.loads(anna.cli("key", "status", "--json").stdout)
    assert status["key_location"] == str(key_file) and status["passwords_opened"] == 1
    ben = admin(tmp_path, "ben", db_path, key_file=key_file, keyring=False)
    assert json.loads(ben.cli("key", "status", "--json").stdout)["passwords_opened"] == 1


def test_a_mail_server_changed_behind_the_apps_back_gets_no_auth(tmp_path, db_path, certs) -> None:
    anna = admin(tmp_path, "anna", db_path)
    with smtp_server(starttls=certs.server_context()) as (port, mailbox):
        anna.python(SAVE_OFFICE.format(port=port, change='set("bob-pw")', version=None))
        with sqlite3.connect(db_path) as conn:  # another tool points the row elsewhere
            conn.execute("UPDATE smtp_settings SET mail_server = '127.0.0.1'")
        tested = anna.cli("smtp", "test", "OFFICE")
        assert tested.returncode == 2
        assert "mail server localhost -> 127.0.0.1 (changed outside fincon-tui)" in tested.stderr
        assert "AUTH" not in mailbox.commands and mailbox.logins == []
        sent = anna.cli("smtp", "send-test", "OFFICE", "--to", "x@corp.example")
        assert sent.returncode == 2 and mailbox.logins == [] and mailbox.messages == []


def test_a_keyring_that_never_answers_does_not_hold_up_the_cli(tmp_path, db_path) -> None:
    """The keyring never answers (HangingKeyring): a command that ends at
    all has given up on it, and did not wait for its thread at exit."""
    from admins import BIN
    from support import PATIENCE

    anna = admin(tmp_path, "anna", db_path)
    anna.python(SAVE_OFFICE.format(port=587, change='set("anna-pw")', version=None))
    hanging = anna.env() | {"PYTHON_KEYRING_BACKEND": "keyring_backends.HangingKeyring",
                            "FINCON_TUI_KEYRING_TIMEOUT": "1"}
    try:
        shown = subprocess.run([str(BIN), "--db", str(db_path), "smtp", "show", "OFFICE", "--json"], env=hanging,
                               capture_output=True, text=True, timeout=PATIENCE, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        pytest.fail(f"smtp show still waited for the keyring after {PATIENCE:g} s")
    assert shown.returncode == 0, shown.stderr
    problem = json.loads(shown.stdout)["password_problem"]
    assert problem.startswith("the keyring did not answer within 1 s: key ")  # the cause first
    assert "may be there; no other place holds it" in problem


def test_a_key_file_behind_a_symlink_is_written_through_keeping_owner_group_and_mode(tmp_path, db_path) -> None:
    shared = tmp_path / "srv"
    shared.mkdir()
    real = shared / "fincon.key"
    anna = admin(tmp_path, "anna", db_path, key_file=tmp_path / "home-anna" / "k", keyring=False)
    (anna.home / "k").symlink_to(real)
    anna.python(SAVE_TWO)  # the first key goes to the shared file too
    assert (anna.home / "k").is_symlink() and real.is_file()
    owner = (4242, 4343) if os.getuid() == 0 else (os.getuid(), os.getgid())
    os.chown(real, *owner)
    real.chmod(0o640)
    rotated = anna.cli("key", "rotate")
    assert rotated.returncode == 0, rotated.stderr
    assert (anna.home / "k").is_symlink() and os.readlink(anna.home / "k") == str(real)
    kept = real.stat()
    assert (kept.st_uid, kept.st_gid, stat.S_IMODE(kept.st_mode)) == (*owner, 0o640)
    ben = admin(tmp_path, "ben", db_path, key_file=real, keyring=False)
    status = json.loads(ben.cli("key", "status", "--json").stdout)
    assert (status["passwords_opened"], status["key_id"]) == (2, rotated.stdout.split()[2])


def test_a_key_file_in_a_folder_the_admin_cannot_write_is_refused_not_rewritten_in_place(tmp_path, db_path) -> None:
    """The file can be written, its folder cannot: the file cannot be
    replaced whole, and it is not rewritten in place (a crash there would
    lose the keys): refused, with what to do, and nothing changes."""
    shared = tmp_path / "srv"
    shared.mkdir()
    key_file = shared / "fincon.key"
    anna = admin(tmp_path, "anna", db_path, key_file=key_file, keyring=False)
    anna.python(SAVE_OFFICE.format(port=587, change='set("anna-pw")', version=None))
    key_file.chmod(0o660)

    def stored() -> tuple[bytes, list]:
        with contextlib.closing(open_store(db_path)) as store:
            return key_file.read_bytes(), [(sealed.key_id, sealed.sealed) for sealed in store.secrets.all_sealed()]

    before = stored()
    with unwritable(shared):
        refused = anna.cli("key", "rotate")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert f"cannot write key file {key_file}: this account may not create files in {shared}" in refused.stderr
    assert stored() == before and os.listdir(shared) == ["fincon.key"]
