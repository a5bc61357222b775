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


def entries(db) -> list[dict]:
    return list(db["audit_log"].rows_where(order_by="id"))


def test_create_update_delete_are_recorded_without_passwords(db, vault) -> None:
    smtp = SmtpSettings(db, vault)
    smtp.save(definition(), PasswordChange.set("Secret-Pw-1"), None)
    smtp.save(definition(port=2525), PasswordChange.set("Secret-Pw-2"), 1)
    smtp.delete("OFFICE", 2)
    log = entries(db)
    assert [e["action"] for e in log] == ["create", "update", "delete"]
    assert all(e["who"] == getpass.getuser() and e["kind"] == "SMTP definition" for e in log)
    assert all(e["at"].endswith("+00:00") and e["record_key"] == "OFFICE" for e in log)
    update = json.loads(log[1]["changes"])
    assert update == {"port": [587, 2525], "password": "password changed"}
    assert "Secret-Pw" not in json.dumps(log)
    history = smtp.history("office")
    assert history[1].describe() == "port: 587 -> 2525; password changed"


def test_a_failed_save_leaves_no_audit_entry(db, vault) -> None:
    smtp = SmtpSettings(db, vault)
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
