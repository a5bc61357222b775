"""`fincon-tui smtp|user copy|rename` as a script runs them: the installed
command, a real database, the passwords sealed in it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from support import definition, stored_password, user

from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.services.smtp_settings import SmtpSettings
from fincon_tui.services.user_settings import UserSettings

pytestmark = pytest.mark.engines

BIN = Path(sys.executable).parent / "fincon-tui"


@pytest.fixture
def seeded(store, vault):
    SmtpSettings(store, vault).save(definition(name="OFFICE", username="shared@corp.example"),
                                    PasswordChange.set("shared-pw"), None)
    UserSettings(store, vault).save(user("ALICE", "OFFICE", "alice"), PasswordChange.set("alice-pw"), None)
    return store


def history(store, key: str) -> list:
    """The audit entries of the SMTP definition `key`, newest first."""
    stored = store.smtp.get(key)
    return store.audit.history(store.smtp.kind, stored.row_id) if stored else []


def test_copy_with_changed_fields_and_the_password_then_again_unchanged(fincon, seeded) -> None:
    argv = ("smtp", "copy", "OFFICE", "BRANCH", "--mail-server", "smtp.branch.example", "--with-password",
            "--detailed-exitcode")
    first = fincon(*argv)
    audit_after_first = history(seeded, "BRANCH")
    second = fincon(*argv)
    assert first.returncode == 3, first.stderr
    assert first.stdout == "SMTP definition BRANCH created: copy of OFFICE with its password\n"
    assert second.returncode == 0 and second.stdout == "SMTP definition BRANCH unchanged: already a copy of OFFICE\n"
    assert history(seeded, "BRANCH") == audit_after_first  # the second run wrote nothing
    assert stored_password(seeded, "smtp:BRANCH") == "shared-pw"
    row = seeded.smtp.get("BRANCH").record
    assert (row.mail_server, row.username, row.port) == ("smtp.branch.example", "shared@corp.example", 587)
    differs = fincon("smtp", "copy", "OFFICE", "BRANCH")  # BRANCH is on another server now
    assert differs.returncode == 2
    assert differs.stderr == ("fincon-tui: SMTP definition BRANCH refused: already exists and differs "
                              "(change it with `smtp set`)\n")


def test_copy_without_the_password_or_with_a_new_one(fincon, seeded) -> None:
    plain = fincon("smtp", "copy", "OFFICE", "PLAIN")
    own = fincon("user", "copy", "ALICE", "bob", "--smtp-username", "bob", "--sender-email", "bob@corp.example",
                 "--password-stdin", stdin="bob-pw\n")
    assert plain.returncode == 0 and plain.stdout == "SMTP definition PLAIN created: copy of OFFICE\n"
    assert own.returncode == 0 and own.stdout == "User email settings BOB created: copy of ALICE with a password\n"
    assert stored_password(seeded, "smtp:PLAIN") is None
    assert stored_password(seeded, "user:BOB") == "bob-pw" and stored_password(seeded, "user:ALICE") == "alice-pw"
    assert "bob-pw" not in own.stdout + own.stderr


def test_copy_refusals_name_the_reason(fincon, seeded) -> None:
    missing = fincon("smtp", "copy", "NOPE", "X")
    same = fincon("smtp", "copy", "OFFICE", "office")
    bad = fincon("smtp", "copy", "OFFICE", "NEW", "--port", "0")
    on_command_line = fincon("smtp", "copy", "OFFICE", "NEW", "--password", "hunter2")
    assert missing.returncode == 2 and missing.stderr == "fincon-tui: SMTP definition NOPE refused: does not exist\n"
    assert same.returncode == 2 and "is the record it would be copied from" in same.stderr
    assert bad.returncode == 2 and "Port must be from 1 to 65535 (not 0)" in bad.stderr
    assert on_command_line.returncode == 2 and "never taken on the command line" in on_command_line.stderr
    assert "hunter2" not in on_command_line.stderr
    assert [stored.key for stored in seeded.smtp.search("", 10)] == ["OFFICE"]


def test_rename_then_again_unchanged(fincon, seeded) -> None:
    first = fincon("smtp", "rename", "office", "MAIN", "--detailed-exitcode")
    audit_after_first = history(seeded, "MAIN")
    second = fincon("smtp", "rename", "office", "MAIN", "--detailed-exitcode")
    assert first.returncode == 3, first.stderr
    assert first.stdout == "SMTP definition OFFICE renamed to MAIN; its password and 1 linked user go with it\n"
    assert second.returncode == 0
    assert second.stdout == "SMTP definition office unchanged: does not exist; MAIN does (renamed already?)\n"
    assert history(seeded, "MAIN") == audit_after_first
    assert stored_password(seeded, "smtp:MAIN") == "shared-pw"
    assert seeded.users.get("ALICE").record.smtp_name == "MAIN"
    user_rename = fincon("user", "rename", "alice", "alice.smith")
    assert user_rename.stdout == "User email settings ALICE renamed to ALICE.SMITH; its password goes with it\n"
    assert stored_password(seeded, "user:ALICE.SMITH") == "alice-pw"


def test_rename_refusals(fincon, seeded, vault) -> None:
    SmtpSettings(seeded, vault).save(definition(name="OTHER", username=""), PasswordChange.keep(), None)
    taken = fincon("smtp", "rename", "OFFICE", "other")
    missing = fincon("smtp", "rename", "NOPE", "NEW")
    bad = fincon("user", "rename", "ALICE", "ALICE SMITH")
    assert taken.returncode == 2
    assert taken.stderr == "fincon-tui: SMTP definition OFFICE refused: SMTP definition OTHER already exists\n"
    assert missing.returncode == 2 and missing.stderr == "fincon-tui: SMTP definition NOPE refused: does not exist\n"
    assert bad.returncode == 2 and "User takes 1-20 letters, digits" in bad.stderr
    assert seeded.smtp.get("OFFICE").version == 1
