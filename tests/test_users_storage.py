"""User email settings storage, deletion rules and the look-up search."""

from __future__ import annotations

import sqlite3

import pytest
from support import definition, stored_password

from fincon_tui._exceptions import RecordChanged, RecordInUse
from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.domain.users import UserEmailSettings
from fincon_tui.services.smtp_settings import SmtpSettings
from fincon_tui.services.user_settings import UserSettings

pytestmark = pytest.mark.engines


def user(code: str = "ALICE", smtp_name: str = "OFFICE", username: str = "") -> UserEmailSettings:
    return UserEmailSettings(code, smtp_name, username, f"{code.title()} Smith", f"{code.lower()}@corp.example")


@pytest.fixture
def smtp(store, vault) -> SmtpSettings:
    service = SmtpSettings(store, vault)
    service.save(definition(), PasswordChange.set("shared-pw"), None)
    return service


@pytest.fixture
def users(store, vault, smtp) -> UserSettings:
    return UserSettings(store, vault)


def test_user_round_trip_with_own_password(users, store, db) -> None:
    saved = users.save(user(username="alice"), PasswordChange.set("alice-pw"), None)
    assert saved.version == 1
    loaded = users.load("alice")
    assert loaded.stored.record == user(username="alice") and loaded.has_password
    assert stored_password(store, "user:ALICE") == "alice-pw"
    row = next(db["user_email_settings"].rows)
    assert row["smtp_username"] == "alice" and row["job_title"] is None
    assert "password" not in row


def test_user_must_link_an_existing_definition(db) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "INSERT INTO user_email_settings (user_code, smtp_name, sender_name, sender_email,"
            " created_at, updated_at) VALUES ('BOB', 'NOWHERE', 'Bob', 'bob@x.example', 'n', 'n')"
        )


@pytest.mark.parametrize("code", ["bob", "B B", "", "X" * 21])
def test_user_code_check_constraint(db, smtp, code: str) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "INSERT INTO user_email_settings (user_code, smtp_name, sender_name, sender_email,"
            " created_at, updated_at) VALUES (?, 'OFFICE', 'Bob', 'bob@x.example', 'n', 'n')",
            [code],
        )


def test_deleting_a_user_removes_row_and_password(users, store) -> None:
    users.save(user(username="alice"), PasswordChange.set("alice-pw"), None)
    users.delete("ALICE", 1)
    assert users.load("ALICE") is None and stored_password(store, "user:ALICE") is None


def test_delete_checks_the_version(users) -> None:
    users.save(user(), PasswordChange.keep(), None)
    users.save(user(username="x"), PasswordChange.keep(), 1)
    with pytest.raises(RecordChanged):
        users.delete("ALICE", 1)
    assert users.load("ALICE") is not None


def test_a_linked_definition_cannot_be_deleted(users, smtp) -> None:
    for code in ("ZED", "AMY", "BOB", "CAT", "DAN"):
        users.save(user(code), PasswordChange.keep(), None)
    with pytest.raises(RecordInUse) as caught:
        smtp.delete("office", 1)
    assert str(caught.value) == (
        "SMTP definition OFFICE is used by 5 users (AMY, BOB, CAT and 2 more): "
        "link them to another definition first"
    )
    assert smtp.load("OFFICE") is not None and stored_password(users.store, "smtp:OFFICE") == "shared-pw"


def test_an_unlinked_definition_is_deleted_with_its_password(smtp) -> None:
    smtp.delete("office", 1)
    assert smtp.load("OFFICE") is None and stored_password(smtp.store, "smtp:OFFICE") is None


def test_users_without_login_are_counted(users, smtp) -> None:
    users.save(user("AMY"), PasswordChange.keep(), None)
    users.save(user("BOB", username="bob"), PasswordChange.keep(), None)
    assert smtp.users_without_login("office") == 1


def test_search_matches_any_column_ignoring_case(smtp) -> None:
    smtp.save(definition(name="Branch_1", mail_server="mail.branch.example"), PasswordChange.keep(), None)
    smtp.save(definition(name="GMAIL", mail_server="smtp.gmail.com"), PasswordChange.keep(), None)
    keys = lambda text: [s.key for s in smtp.search(text)]  # noqa: E731
    assert keys("") == ["Branch_1", "GMAIL", "OFFICE"]
    assert keys("GMAIL.COM") == ["GMAIL"]
    assert keys("_1") == ["Branch_1"]  # _ is literal, not a wildcard
    assert keys("%") == []
    assert len(smtp.search("", 2)) == 2
