"""Two application servers on one PostgreSQL database: two CLI processes,
each with its own HOME and keyring, sharing one key file
(FINCON_TUI_KEY_FILE), each saving a password that the other then logs in
with on a real SMTP server (which checks it)."""

from __future__ import annotations

import grp
import os

import pytest
from admins import admin
from smtp_servers import smtp_server


@pytest.mark.slow  # seven CLI processes: about 5 s on the 2-core machine
def test_two_servers_share_one_database_and_one_key_file(tmp_path, pg_url: str, certs) -> None:
    key_file = tmp_path / "shared" / "fincon.key"
    key_file.parent.mkdir()
    made = admin(tmp_path, "anna", pg_url).cli("key", "create-file", str(key_file),
                                                "--group", grp.getgrgid(os.getgid()).gr_name)
    assert made.returncode == 0, made.stderr
    anna = admin(tmp_path, "anna", pg_url, key_file=key_file)
    ben = admin(tmp_path, "ben", pg_url, key_file=key_file)
    assert anna.home != ben.home and anna.env()["FINCON_TEST_KEYRING"] != ben.env()["FINCON_TEST_KEYRING"]
    with smtp_server(starttls=certs.server_context()) as (port, mailbox):
        mailbox.accounts = {"anna": "anna-pw", "ben": "ben-pw"}
        for who, name, login in ((anna, "OFFICE", "anna"), (ben, "SHOP", "ben")):
            saved = who.cli("smtp", "set", name, "--mail-server", "localhost", "--port", str(port), "--username",
                            login, "--password-stdin", stdin=f"{login}-pw\n")
            assert saved.returncode == 0, saved.stderr
        for who, name in ((ben, "OFFICE"), (anna, "SHOP")):  # each the other's
            tested = who.cli("smtp", "test", name)
            assert tested.returncode == 0, tested.stdout + tested.stderr
        assert mailbox.logins == [("anna", "anna-pw"), ("ben", "ben-pw")]
    changed = ben.cli("smtp", "set", "OFFICE", "--password-stdin", stdin="anna-new-pw\n")  # over anna's
    assert changed.returncode == 0, changed.stderr
    shown = anna.cli("key", "status", "--json")
    assert shown.returncode == 0 and '"passwords_opened": 2' in shown.stdout, shown.stdout + shown.stderr
