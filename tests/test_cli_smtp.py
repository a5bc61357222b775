"""`fincon-tui smtp ...` as a script would run it, against real servers."""

from __future__ import annotations

import json
import subprocess

import pytest
from cli_runner import run_cli
from smtp_servers import smtp_server
from support import definition

from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.domain.users import UserEmailSettings
from fincon_tui.services.smtp_settings import SmtpSettings
from fincon_tui.services.user_settings import UserSettings


@pytest.fixture
def cli(db_path):
    def run(*args: str) -> subprocess.CompletedProcess:
        return run_cli(["--db", str(db_path), "smtp", *args])

    return run


def save(store, vault, port: int, password: str = "bob-pw", **overrides) -> None:
    values = dict(name="OFFICE", mail_server="localhost", port=port, timeout_seconds=5)
    values.update(overrides)
    SmtpSettings(store, vault).save(definition(**values), PasswordChange.set(password), None)


def test_list_and_show(cli, store, vault) -> None:
    save(store, vault, 2525, bcc="audit@corp.example")
    listed = cli("list")
    assert listed.returncode == 0 and "OFFICE" in listed.stdout and "STARTTLS" in listed.stdout
    [row] = json.loads(cli("list", "--json").stdout)
    assert row["name"] == "OFFICE" and row["port"] == 2525 and row["security"] == "STARTTLS"
    shown = json.loads(cli("show", "office", "--json").stdout)
    assert shown["password_stored"] is True and shown["bcc"] == "audit@corp.example"
    assert "bob-pw" not in cli("show", "OFFICE").stdout


def test_unknown_definition_exits_2(cli, store) -> None:
    result = cli("test", "NOPE")
    assert result.returncode == 2
    assert result.stderr.strip() == "fincon-tui: SMTP definition NOPE does not exist"


def test_login_test_succeeds_with_json(cli, store, vault, certs) -> None:
    with smtp_server(starttls=certs.server_context()) as (port, mailbox):
        save(store, vault, port)
        result = cli("test", "OFFICE", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] and "no message was sent" in report["message"]
    assert "C: AUTH PLAIN ***" in report["transcript"]
    assert "bob-pw" not in result.stdout + result.stderr
    assert mailbox.messages == []


def test_login_test_failure_exits_1_with_the_same_message(cli, store, vault, certs) -> None:
    with smtp_server(starttls=certs.server_context()) as (port, _):
        save(store, vault, port, password="wrong-pw")
        result = cli("test", "OFFICE")
    assert result.returncode == 1
    assert result.stderr.startswith("FAILED at AUTH: authentication rejected: 535")
    assert "wrong-pw" not in result.stderr
    shown = json.loads(cli("show", "OFFICE", "--json").stdout)["last_test"]  # the test was recorded
    assert (shown["ok"], shown["step"], shown["warns"]) == (False, "AUTH", True)
    assert shown["message"].startswith("authentication rejected: 535") and shown["certificate_expires"]
    assert "last_test        tested_at: " in cli("show", "OFFICE").stdout


def test_send_test_as_a_user(cli, store, vault, certs) -> None:
    with smtp_server(starttls=certs.server_context()) as (port, mailbox):
        save(store, vault, port, username="shared@corp.example", password="shared-pw")
        UserSettings(store, vault).save(
            UserEmailSettings("ALICE", "OFFICE", "alice", "Alice Smith", "alice@corp.example"),
            PasswordChange.set("alice-pw"),
            None,
        )
        result = cli("send-test", "OFFICE", "--to", "carol@client.example", "--user", "alice", "-v")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK: test email accepted")
    assert mailbox.logins == [("alice", "alice-pw")]
    [(mail_from, rcpt_tos, _)] = mailbox.messages
    assert (mail_from, rcpt_tos) == ("alice@corp.example", ["carol@client.example"])
    assert "C: AUTH PLAIN ***" in result.stderr and "alice-pw" not in result.stderr


def test_bad_recipient_is_refused_before_connecting(cli, store, vault) -> None:
    save(store, vault, 2525)
    result = cli("send-test", "OFFICE", "--to", "not-an-address")
    assert result.returncode == 2 and result.stderr.startswith("fincon-tui: --to is not a valid email address")


def test_plaintext_login_needs_consent(cli, store, vault) -> None:
    with smtp_server() as (port, mailbox):
        save(store, vault, port, use_tls=False)
        refused = cli("test", "OFFICE")
        allowed = cli("test", "OFFICE", "--allow-plaintext")
    assert refused.returncode == 2 and "--allow-plaintext" in refused.stderr
    assert allowed.returncode == 0, allowed.stderr
    assert "warning: SMTP definition OFFICE has Use TLS = N" in allowed.stderr
    assert mailbox.logins == [("bob", "bob-pw")]  # only the consented attempt logged in


def test_users_login_missing_is_explained(cli, store, vault) -> None:
    SmtpSettings(store, vault).save(definition(name="OWN", username=""), PasswordChange.keep(), None)
    result = cli("test", "OWN")
    assert result.returncode == 2
    assert "has no shared one" in result.stderr


def test_login_test_as_a_user_who_brings_their_own_login(cli, store, vault, certs) -> None:
    with smtp_server(starttls=certs.server_context()) as (port, mailbox):
        save(store, vault, port, name="OWN", username="", password="")
        UserSettings(store, vault).save(
            UserEmailSettings("ALICE", "OWN", "alice", "Alice Smith", "alice@corp.example"),
            PasswordChange.set("alice-pw"),
            None,
        )
        without_user = cli("test", "OWN")
        as_alice = cli("test", "OWN", "--user", "alice")
    assert without_user.returncode == 2 and "has no shared one" in without_user.stderr
    assert as_alice.returncode == 0, as_alice.stderr
    assert as_alice.stdout.startswith("OK: ") and "alice-pw" not in as_alice.stdout + as_alice.stderr
    assert mailbox.logins == [("alice", "alice-pw")]
    assert mailbox.messages == []


def test_login_test_as_a_user_against_a_server_that_only_takes_the_users_login(cli, store, vault, certs) -> None:
    with smtp_server(starttls=certs.server_context()) as (port, mailbox):
        mailbox.accounts = {"alice": "alice-pw"}
        save(store, vault, port)  # OFFICE with the shared login bob
        UserSettings(store, vault).save(
            UserEmailSettings("ALICE", "OFFICE", "alice", "Alice Smith", "alice@corp.example"),
            PasswordChange.set("alice-pw"),
            None,
        )
        shared = cli("test", "OFFICE")
        as_alice = cli("test", "OFFICE", "--user", "ALICE")
    assert shared.returncode == 1 and "FAILED at AUTH: authentication rejected" in shared.stderr
    assert as_alice.returncode == 0 and as_alice.stdout.startswith("OK: "), as_alice.stderr
    assert mailbox.logins == [("bob", "bob-pw"), ("alice", "alice-pw")]
    assert "alice-pw" not in as_alice.stdout + as_alice.stderr + shared.stdout + shared.stderr


def test_send_test_from_an_address_the_login_is_not(cli, store, vault, certs) -> None:
    """A relay's login is often no address (bob here, apikey at SendGrid): --from gives the sender."""
    with smtp_server(starttls=certs.server_context()) as (port, mailbox):
        save(store, vault, port)  # login bob
        missing = cli("send-test", "OFFICE", "--to", "carol@client.example")
        wrong = cli("send-test", "OFFICE", "--to", "carol@client.example", "--from", "relay at corp")
        sent = cli("send-test", "OFFICE", "--to", "carol@client.example", "--from", "relay@corp.example")
    assert missing.returncode == 2 and "give a From address" in missing.stderr
    assert wrong.returncode == 2 and wrong.stderr.startswith("fincon-tui: --from is not a valid email address")
    assert sent.returncode == 0, sent.stderr
    [(mail_from, rcpt_tos, content)] = mailbox.messages
    assert mail_from == "relay@corp.example" and rcpt_tos == ["carol@client.example"]
    assert b"From: fincon-tui test <relay@corp.example>" in content
