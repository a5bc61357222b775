"""`fincon-tui smtp set|delete` and `user ...` as a script would run them:
the installed command, a real database, real SMTP servers for the passwords."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pexpect
import pytest
from processes import started
from smtp_servers import smtp_server
from support import PATIENCE, definition, stored_password

from fincon_tui._exceptions import FormInvalid
from fincon_tui.cli import smtp as cli_smtp
from fincon_tui.cli import user as cli_user
from fincon_tui.domain import smtp, users
from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.domain.users import UserEmailSettings
from fincon_tui.services.smtp_settings import SmtpSettings
from fincon_tui.services.user_settings import UserSettings
from fincon_tui.storage import audit

BIN = Path(sys.executable).parent / "fincon-tui"
COLUMNS = ("name", "mail_server", "authenticate", "username", "port", "use_tls", "timeout_seconds", "bcc")
#: The tests of what a command stores run on both engines; the password's
#: bytes in the SQLite file and the prompt's echo stay on SQLite.
pytestmark = pytest.mark.engines


def row(store, name: str) -> dict:
    stored = store.smtp.get(name)
    columns = store.smtp.to_columns(stored.record)
    return {**{column: columns[column] for column in COLUMNS}, "version": stored.version}


def counts(store) -> dict[str, int]:
    return store.bulk.counts()


def test_the_options_are_the_forms_fields() -> None:
    assert [dest for _, dest, _, _ in cli_smtp.FIELDS] == [
        key for key in smtp.LABELS if key not in ("name", "password", "client_secret")]
    assert [dest for _, dest, _, _ in cli_user.FIELDS] == [
        key for key in users.LABELS if key not in ("user_code", "password")]


def test_set_creates_with_the_forms_defaults_then_changes_only_what_is_given(fincon, store, vault) -> None:
    created = fincon("smtp", "set", "Office", "--mail-server", "Smtp.Example.com", "--username", "bob")
    changed = fincon("smtp", "set", "OFFICE", "--port", "2525", "--bcc", "audit@corp.example", "--detailed-exitcode")
    assert (created.returncode, created.stdout, created.stderr) == (0, "SMTP definition Office created\n", "")
    assert changed.returncode == 3, changed.stderr
    assert changed.stdout == "SMTP definition Office changed: port: 587 -> 2525; bcc: (none) -> audit@corp.example\n"
    assert row(store, "Office") == dict(
        name="Office", mail_server="smtp.example.com", authenticate="Y", username="bob", port=2525,
        use_tls="Y", timeout_seconds=30, bcc="audit@corp.example", version=2,
    )
    history = SmtpSettings(store, vault).history("OFFICE")
    assert [(entry.action, entry.who) for entry in history] == [("update", audit.who()), ("create", audit.who())]
    assert history[0].changes == {"port": [587, 2525], "bcc": [None, "audit@corp.example"]}


def test_a_field_the_form_refuses_is_refused_in_its_words_and_nothing_is_written(fincon, store) -> None:
    typed = {"mail_server": "smtp://mail.example.com", "port": "70000"}
    result = fincon("smtp", "set", "NEW", "--mail-server", typed["mail_server"], "--port", typed["port"])
    with pytest.raises(FormInvalid) as form:  # what Accept says about the same values
        smtp.parse_definition({**smtp.NEW_DEFAULTS, "name": "NEW", **typed}, PasswordChange.keep())
    assert result.returncode == 2
    assert result.stderr == f"fincon-tui: SMTP definition NEW refused: {form.value}\n"
    assert "Mail Server takes the host name only" in result.stderr and "Port must be from 1 to 65535" in result.stderr
    assert counts(store)["smtp_settings"] == counts(store)["audit_log"] == 0


def test_a_password_from_stdin_logs_in_and_is_shown_nowhere(fincon, db, db_path, certs) -> None:
    with smtp_server(starttls=certs.server_context()) as (port, mailbox):
        argv = ("smtp", "set", "OFFICE", "--mail-server", "localhost", "--port", str(port), "--timeout", "5",
                "--username", "bob", "--password-stdin")
        saved = fincon(*argv, stdin="bob-pw\n")
        tested = fincon("smtp", "test", "OFFICE", "-v")
    on_command_line = fincon("smtp", "set", "OFFICE", "--password", "bob-pw")
    assert saved.returncode == 0 and saved.stdout == "SMTP definition OFFICE created: with a password\n"
    assert tested.returncode == 0, tested.stderr
    assert mailbox.logins == [("bob", "bob-pw")]
    assert on_command_line.returncode == 2 and "use --password-stdin" in on_command_line.stderr
    assert "bob-pw" not in " ".join(argv)
    for result in (saved, tested, on_command_line):
        assert "bob-pw" not in result.stdout + result.stderr
    assert [json.loads(r["changes"])["password"] for r in db["audit_log"].rows] == ["password changed"]
    for path in db_path.parent.glob(f"{db_path.name}*"):  # the database, its -wal and -shm
        assert b"bob-pw" not in path.read_bytes()


def test_the_same_set_twice_changes_nothing_the_second_time(fincon, store) -> None:
    argv = ("smtp", "set", "OFFICE", "--mail-server", "smtp.example.com", "--username", "bob",
            "--password-stdin", "--detailed-exitcode")
    first = fincon(*argv, stdin="bob-pw\n")
    second = fincon(*argv, stdin="bob-pw\n")
    after_second = (counts(store)["audit_log"], row(store, "OFFICE")["version"])
    new_password = fincon(*argv, stdin="new-pw\n")
    nothing_on_stdin = fincon(*argv, stdin="")
    assert (first.returncode, second.returncode, new_password.returncode) == (3, 0, 3)
    assert nothing_on_stdin.returncode == 2 and "no password given" in nothing_on_stdin.stderr
    assert second.stdout == "SMTP definition OFFICE unchanged\n"
    assert after_second == (1, 1)
    assert new_password.stdout == "SMTP definition OFFICE changed: password changed\n"
    assert stored_password(store, "smtp:OFFICE") == "new-pw"


def test_a_typed_password_is_asked_for_without_echo(db_path, store, db) -> None:
    child = pexpect.spawn(
        str(BIN), ["--db", str(db_path), "smtp", "set", "OFFICE", "--mail-server", "smtp.example.com",
                   "--username", "bob", "--password-stdin"],
        env=os.environ.copy(), timeout=PATIENCE,
    )
    started(child.pid)
    child.expect_exact("Password for OFFICE: ")
    child.sendline("typed-pw")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "typed-pw" not in child.before.decode() and "created" in child.before.decode()
    assert stored_password(store, "smtp:OFFICE") == "typed-pw"


def test_delete_is_refused_while_users_are_linked(fincon, store, vault) -> None:
    SmtpSettings(store, vault).save(definition(name="OFFICE"), PasswordChange.set("bob-pw"), None)
    UserSettings(store, vault).save(
        UserEmailSettings("ALICE", "OFFICE", "", "Alice Smith", "alice@corp.example"), PasswordChange.keep(), None
    )
    row_ids = store.smtp.get("OFFICE").row_id, store.users.get("ALICE").row_id
    refused = fincon("smtp", "delete", "office")
    user_deleted = fincon("user", "delete", "alice", "--detailed-exitcode")
    deleted = fincon("smtp", "delete", "office", "--detailed-exitcode")
    again = fincon("smtp", "delete", "office", "--detailed-exitcode")
    assert refused.returncode == 2
    assert refused.stderr == (
        "fincon-tui: SMTP definition OFFICE refused: "
        "it is used by 1 user (ALICE): link them to another definition first\n"
    )
    assert (user_deleted.returncode, user_deleted.stdout) == (3, "User email settings ALICE deleted\n")
    assert (deleted.returncode, deleted.stdout) == (3, "SMTP definition OFFICE deleted\n")
    assert (again.returncode, again.stdout) == (0, "SMTP definition office unchanged: does not exist\n")
    assert counts(store)["smtp_settings"] == counts(store)["secrets"] == 0
    assert [[entry.action for entry in store.audit.history(kind, row_id)] for kind, row_id in zip(
        ("SMTP definition", "User email settings"), row_ids, strict=True)] == [["delete", "create"]] * 2


def test_user_set_list_and_show(fincon, store, vault) -> None:
    SmtpSettings(store, vault).save(definition(name="OWN", username=""), PasswordChange.keep(), None)
    created = fincon(
        "user", "set", "alice", "--smtp-definition", "own", "--smtp-username", "alice", "--sender-name",
        "Alice Smith", "--sender-email", "alice@corp.example", "--password-stdin", stdin="alice-pw\n",
    )
    changed = fincon("user", "set", "ALICE", "--job-title", "Accountant", "--user-defined-6", "Leeds")
    refused = fincon("user", "set", "BOB", "--smtp-definition", "NOPE", "--sender-name", "Bob",
                     "--sender-email", "bob@corp.example")
    listed = fincon("user", "list")
    shown = json.loads(fincon("user", "show", "alice", "--json").stdout)
    assert (created.returncode, created.stdout) == (0, "User email settings ALICE created: with a password\n")
    assert changed.stdout == (
        "User email settings ALICE changed: job_title: (none) -> Accountant; user_defined_6: (none) -> Leeds\n"
    )
    assert refused.returncode == 2 and "SMTP Definition NOPE does not exist" in refused.stderr
    assert listed.stdout.splitlines()[1].split() == ["ALICE", "OWN", "alice", "Alice", "Smith", "<alice@corp.example>"]
    expected = {"smtp_name": "OWN", "sender_name": "Alice Smith", "job_title": "Accountant",
                "user_defined_5": "", "user_defined_6": "Leeds"}
    assert {key: shown[key] for key in expected} == expected
    assert shown["password_stored"] is True and shown["login_used"] == "alice (from user settings)"
    assert stored_password(store, "user:ALICE") == "alice-pw"
    assert [entry.action for entry in store.audit.history("User email settings", store.users.get("ALICE").row_id)] == [
        "update", "create"]
