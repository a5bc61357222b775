"""Every Accept and Delete leaves an audit entry in the same transaction."""

from __future__ import annotations

import getpass
import json

import pytest
from support import definition, open_form

from fincon_tui._exceptions import StorageError
from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.services.smtp_settings import SmtpSettings
from fincon_tui.ui.screens.history import HistoryScreen

pytestmark = pytest.mark.engines


def entries(db) -> list[dict]:
    return list(db["audit_log"].rows_where(order_by="id"))


def test_create_update_delete_are_recorded_without_passwords(store, vault) -> None:
    smtp = SmtpSettings(store, vault)
    smtp.save(definition(), PasswordChange.set("Secret-Pw-1"), None)
    smtp.save(definition(port=2525), PasswordChange.set("Secret-Pw-2"), 1)
    removed = smtp.delete("OFFICE", 2)
    history = smtp.history(removed)  # the deleted record's, by its row_id; no record is called OFFICE now
    assert [e.action for e in history] == ["delete", "update", "create"]
    assert all(e.who == getpass.getuser() and e.at.endswith("+00:00") for e in history)
    assert history[1].changes == {"port": [587, 2525], "password": "password changed"}
    with store.read() as reading:
        assert "Secret-Pw" not in repr(reading.bulk.contents().tables["audit_log"])
    assert smtp.history("office") == []
    assert history[1].describe() == "port: 587 -> 2525; password changed"


def test_an_audit_row_names_its_record_as_stored(db, store, vault) -> None:
    """SQLite's rows: the kind and key beside the changes (the trail's layout)."""
    smtp = SmtpSettings(store, vault)
    smtp.save(definition(), PasswordChange.set("Secret-Pw-1"), None)
    smtp.save(definition(port=2525), PasswordChange.set("Secret-Pw-2"), 1)
    log = entries(db)
    assert all(e["kind"] == "SMTP definition" and e["record_key"] == "OFFICE" for e in log)
    assert json.loads(log[1]["changes"]) == {"port": [587, 2525], "password": "password changed"}


def test_a_failed_save_leaves_no_audit_entry(store, db, vault) -> None:
    smtp = SmtpSettings(store, vault)
    smtp.save(definition(), PasswordChange.keep(), None)
    db.execute(
        "CREATE TRIGGER refuse BEFORE UPDATE ON smtp_settings "
        "BEGIN SELECT RAISE(ABORT, 'refused'); END"
    )
    with pytest.raises(StorageError):
        smtp.save(definition(port=2525), PasswordChange.keep(), 1)
    assert [e["action"] for e in entries(db)] == ["create"]


async def test_f9_shows_the_history_of_the_open_record(app, db) -> None:
    app.smtp.save(definition(), PasswordChange.keep(), None)
    app.smtp.save(definition(port=2525), PasswordChange.keep(), 1)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_form(pilot, 1, key="office")
        await pilot.press("f9")
        assert isinstance(app.screen, HistoryScreen)
        heads = [str(label.content) for label in app.screen.query(".history-head")]
        changes = [str(text.content) for text in app.screen.query(".history-changes")]
        assert len(heads) == 2
        assert "update" in heads[0] and changes[0] == "Port: 587 -> 2525"  # the form's label
        assert "create" in heads[1] and "Time Out (Seconds): (none) -> 30" in changes[1].splitlines()
        await pilot.press("escape")
        await pilot.press("ctrl+y")
        assert isinstance(app.screen, HistoryScreen)


def test_who_comes_from_the_real_uid_not_the_environment(monkeypatch) -> None:
    import os
    import pwd

    from fincon_tui.storage.audit import who

    monkeypatch.setenv("LOGNAME", "ceo")
    monkeypatch.setenv("USER", "ceo")
    monkeypatch.delenv("SUDO_USER", raising=False)
    assert who() == pwd.getpwuid(os.getuid()).pw_name != "ceo"
    if os.getuid() == 0:
        monkeypatch.setenv("SUDO_USER", "anna")
        assert who() == "root (sudo by anna)"


async def test_history_follows_the_record_through_renames_not_its_name(app, db) -> None:
    """Issue 21: OFFICE changed, MAIN created and deleted, OFFICE renamed MAIN
    and then HQ.  HQ's history is its own, whole; no MAIN inherits any of it."""
    from fincon_tui.services.key_changes import copy, rename

    smtp = app.smtp
    smtp.save(definition(), PasswordChange.keep(), None)
    smtp.save(definition(port=2525), PasswordChange.keep(), 1)
    smtp.save(definition(name="MAIN"), PasswordChange.keep(), None)
    deleted = smtp.delete("MAIN", 1)
    rename(smtp, "OFFICE", smtp.get("OFFICE"), "MAIN")
    assert [e.verb for e in smtp.history("MAIN")] == ["rename", "update", "create"]
    rename(smtp, "MAIN", smtp.get("MAIN"), "HQ")
    assert [(e.verb, e.describe()) for e in smtp.history("HQ")] == [
        ("rename", "name: MAIN -> HQ"), ("rename", "name: OFFICE -> MAIN"), ("update", "port: 587 -> 2525"),
        ("create", smtp.history("HQ")[-1].describe())]
    assert smtp.history("HQ")[-1].changes["name"] == [None, "OFFICE"]
    assert smtp.history("MAIN") == [] and [e.action for e in smtp.history(deleted)] == ["delete", "create"]
    smtp.save(definition(name="MAIN"), PasswordChange.keep(), None)
    assert [e.action for e in smtp.history("MAIN")] == ["create"]
    copy(smtp, "HQ", definition(name="BRANCH", port=2525), PasswordChange.keep(), False)
    assert [e.describe_changes()[0] for e in smtp.history("BRANCH")] == ["copy of HQ"]  # starts afresh
    async with app.run_test(size=(80, 24)) as pilot:
        await open_form(pilot, 1, key="hq")
        await pilot.press("f9")
        assert isinstance(app.screen, HistoryScreen)
        assert [str(label.content).split()[-1] for label in app.screen.query(".history-head")] == [
            "rename", "rename", "update", "create"]


def test_a_users_history_follows_them_through_renames(store, vault) -> None:
    from support import user

    from fincon_tui.services.key_changes import rename
    from fincon_tui.services.user_settings import UserSettings

    SmtpSettings(store, vault).save(definition(username=""), PasswordChange.keep(), None)
    users = UserSettings(store, vault)
    users.save(user("ALICE", "OFFICE"), PasswordChange.keep(), None)
    users.save(user("BOB", "OFFICE"), PasswordChange.keep(), None)
    users.delete("BOB", 1)
    rename(users, "ALICE", users.get("ALICE"), "BOB")
    rename(users, "BOB", users.get("BOB"), "CAROL")
    assert [e.describe() for e in users.history("CAROL")] == [
        "user_code: BOB -> CAROL", "user_code: ALICE -> BOB", users.history("CAROL")[-1].describe()]
    assert users.history("CAROL")[-1].changes["user_code"] == [None, "ALICE"]
    users.save(user("BOB", "OFFICE"), PasswordChange.keep(), None)
    assert [e.action for e in users.history("BOB")] == ["create"]


def test_rows_other_tools_insert_or_copy_get_a_row_id_of_their_own(store, db, vault) -> None:
    """Every row has its own row_id, which its history hangs on: a row a tool
    inserts without one, or copies with another row's, is given one."""
    smtp = SmtpSettings(store, vault)
    smtp.save(definition(), PasswordChange.keep(), None)
    db.execute("INSERT INTO smtp_settings (name, mail_server, authenticate, port, use_tls, timeout_seconds, "
               "created_at, updated_at) VALUES ('RAW', 'smtp.example.com', 'N', 25, 'N', 30, 'x', 'x')")
    columns = "mail_server, authenticate, username, port, use_tls, timeout_seconds, bcc, created_at, updated_at, " \
              "version, row_id, login_method, tenant, client_id"
    db.execute(f"INSERT INTO smtp_settings (name, {columns}) SELECT 'COPIED', {columns} "
               "FROM smtp_settings WHERE name = 'OFFICE'")
    db.execute("UPDATE smtp_settings SET row_id = NULL WHERE name = 'RAW'")
    db.conn.commit()
    row_ids = [row["row_id"] for row in db["smtp_settings"].rows]
    assert None not in row_ids and len(set(row_ids)) == 3
    smtp.save(definition(name="COPIED", port=2525), PasswordChange.keep(), 1)
    assert [e.action for e in smtp.history("COPIED")] == ["update"]
    assert [e.action for e in smtp.history("OFFICE")] == ["create"]
