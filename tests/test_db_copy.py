"""`fincon-tui db copy SOURCE TARGET`: SQLite to PostgreSQL and back, and
between two PostgreSQL databases, on real databases (the embedded server of
postgres_server.py), in-process (cli.entry.main); its progress on a real
pty, and its silence when piped."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from pty_terminal import Terminal
from smtp_servers import smtp_server
from support import definition, user

from fincon_tui.cli.entry import main
from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.services.key_changes import rename
from fincon_tui.services.smtp_settings import SmtpSettings
from fincon_tui.services.user_settings import UserSettings
from fincon_tui.storage.records import LoginTest, utc_now
from fincon_tui.storage.store import open_store

BIN = Path(sys.executable).parent / "fincon-tui"


def fincon(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def seed(location: Path | str, vault, port: int = 587) -> None:
    """Definitions and users with passwords, a rename, a delete and an older
    keyring's password: every table holds rows, the audit trail several."""
    store = open_store(location)
    smtp, users = SmtpSettings(store, vault), UserSettings(store, vault)
    smtp.save(definition(name="OFFICE", mail_server="localhost", username="shared@corp.example", port=port,
                         timeout_seconds=5, use_tls=False), PasswordChange.set("shared-pw"), None)
    smtp.save(definition(name="Zürich", username="", port=465), PasswordChange.keep(), None)
    smtp.save(definition(name="GONE", username=""), PasswordChange.keep(), None)
    smtp.delete("GONE", smtp.get("GONE"))
    users.save(user("ALICE", "OFFICE", "alice"), PasswordChange.set("alice-pw"), None)
    users.save(user("BOB", "Zürich"), PasswordChange.keep(), None)
    rename(users, "BOB", users.get("BOB"), "ROBERT")
    with store.transaction() as work:
        work.login_tests.record(LoginTest("smtp", smtp.get("OFFICE").row_id, "OFFICE", utc_now(), "anna", False,
                                          "AUTH", "authentication rejected: 535", "2027-03-01"))
    store.close()


def smtp_row_id(store) -> str:
    stored = store.smtp.get("OFFICE")
    assert stored is not None and stored.row_id
    return stored.row_id


def contents(location: Path | str):
    """Everything the store at `location` holds, as Store.bulk reads it."""
    store = open_store(location, writable=False)
    try:
        with store.read() as reading:
            return reading.bulk.contents()
    finally:
        store.close()


def exported(capsys, location: Path | str) -> dict:
    status, out, err = fincon(capsys, "--db", str(location), "export", "--json")
    assert status == 0, err
    return json.loads(out)


def test_sqlite_to_postgresql_and_back_carries_everything_and_every_password_logs_in(
        capsys, tmp_path, vault, postgres_server, pg_empty_url, certs) -> None:
    first, last = tmp_path / "first.db", tmp_path / "last.db"
    with smtp_server() as (port, mailbox):
        seed(first, vault, port)
        with sqlite3.connect(first) as conn:  # a password an older version left in anna's keyring
            conn.execute("INSERT INTO legacy_passwords VALUES ('user', 'ROBERT', NULL, 'anna')")
        there = fincon(capsys, "db", "copy", str(first), pg_empty_url, "--check")
        back = fincon(capsys, "db", "copy", pg_empty_url, str(last), "--check")
        copied = contents(last)  # before the logins below record their results
        logins = [fincon(capsys, "--db", str(last), "smtp", "test", "OFFICE", "--allow-plaintext"),
                  fincon(capsys, "--db", str(last), "smtp", "test", "OFFICE", "--user", "ALICE",
                         "--allow-plaintext")]
    for status, out, err in (there, back):
        assert status == 0 and err == "", err
        assert ("2 SMTP definitions, 2 users, 2 sealed secrets, 1 password in an older keyring, 7 audit entries, "
                "1 login test; database id ") in out
        assert out.endswith("Check: the exports of both are the same; all 2 secrets open on the copy with this "
                            "machine's key.\n")
    assert [status for status, _, _ in logins] == [0, 0], logins
    assert mailbox.logins == [("shared@corp.example", "shared-pw"), ("alice", "alice-pw")]
    original = contents(first)
    assert len(original.tables["audit_log"]) == 7 and original.key_id
    assert contents(pg_empty_url) == original  # database id, key id, sealed bytes, row_ids, versions, times, ids
    assert copied == original
    assert len(contents(last).tables["login_tests"]) == 3  # the two logins' results follow the copied one
    assert exported(capsys, last) == exported(capsys, pg_empty_url) == exported(capsys, first)


def test_postgresql_to_postgresql_and_the_trail_goes_on_after_the_copied_entries(
        capsys, vault, pg_url, pg_empty_url) -> None:
    seed(pg_url, vault)
    status, _, err = fincon(capsys, "db", "copy", pg_url, pg_empty_url)
    assert status == 0, err
    assert contents(pg_empty_url) == contents(pg_url)
    with psycopg.connect(pg_empty_url) as conn:  # the planner knows the copied rows at once (ANALYZE)
        analyzed = {table for (table,) in conn.execute("SELECT DISTINCT tablename FROM pg_stats "
                                                        "WHERE schemaname = 'public'")}
    assert {"smtp_settings", "user_email_settings", "secrets", "audit_log"} <= analyzed, analyzed
    copy = open_store(pg_empty_url)
    SmtpSettings(copy, vault).save(definition(name="NEW"), PasswordChange.keep(), None)
    with copy.transaction() as work:  # a login test's id follows the copied ones too
        work.login_tests.record(LoginTest("smtp", smtp_row_id(copy), "OFFICE", utc_now(), "anna", True, "", "OK"))
    copy.close()
    ids = [row["id"] for row in contents(pg_empty_url).tables["audit_log"]]
    assert ids == sorted(ids) and len(set(ids)) == len(ids) == 8
    tests = [row["id"] for row in contents(pg_empty_url).tables["login_tests"]]
    assert tests == sorted(tests) and len(set(tests)) == len(tests) == 2


def test_a_target_that_holds_anything_is_refused_by_name(capsys, tmp_path, vault, pg_url) -> None:
    source = tmp_path / "source.db"
    seed(source, vault)
    SmtpSettings(store := open_store(pg_url), vault).save(definition(name="THERE"), PasswordChange.keep(), None)
    store.close()
    before = contents(pg_url)
    status, out, err = fincon(capsys, "db", "copy", str(source), pg_url)
    assert status == 2 and out == ""
    assert err == (f"fincon-tui: {pg_url} is not empty (1 SMTP definition, 1 audit entry): db copy writes only "
                   "into an empty database; nothing was copied\n")
    assert contents(pg_url) == before


def test_text_another_engine_cannot_hold_is_named_by_record_and_nothing_is_copied(
        capsys, tmp_path, vault, pg_empty_url) -> None:
    source, target = tmp_path / "legacy.db", tmp_path / "copy.db"
    seed(source, vault)
    with sqlite3.connect(source) as conn:  # as another tool, or a damaged disk, left them
        conn.execute("UPDATE user_email_settings SET job_title = CAST(x'4dfc6c6c6572' AS TEXT) "
                     "WHERE user_code = 'ALICE'")
        conn.execute("UPDATE audit_log SET who = 'anna' || char(0) WHERE action = 'delete'")
    for where in (pg_empty_url, str(target)):
        status, out, err = fincon(capsys, "db", "copy", str(source), where)
        assert status == 2 and out == ""
        assert err.splitlines()[1:] == ["fincon-tui: User email settings ALICE: job_title is not UTF-8 text",
                                        "fincon-tui: audit entry 4 (SMTP definition GONE): who holds a NUL character"]
        assert "holds text that cannot be copied as it is (2 values, below)" in err.splitlines()[0]
    assert sum(contents(pg_empty_url).counts().values()) == 0
    assert list(tmp_path.glob("copy.db*")) == []  # no new, empty file left behind, nor SQLite's files beside it
    with sqlite3.connect(source) as conn:  # never changed
        assert conn.execute("SELECT CAST(job_title AS BLOB) FROM user_email_settings "
                            "WHERE user_code = 'ALICE'").fetchone() == (b"M\xfcller",)


def test_a_missing_source_is_one_line(capsys, tmp_path) -> None:
    status, out, err = fincon(capsys, "db", "copy", str(tmp_path / "none.db"), str(tmp_path / "copy.db"))
    assert status == 2 and out == ""
    assert err == f"fincon-tui: there is no database at {tmp_path / 'none.db'} yet; nothing was copied\n"
    assert list(tmp_path.glob("*.db*")) == []  # neither of them: the target made for it is removed again


def test_a_sqlite_target_that_was_there_stays_when_refused(capsys, tmp_path, vault) -> None:
    """What db copy removes is only the file it made."""
    source, target = tmp_path / "source.db", tmp_path / "target.db"
    seed(source, vault)
    seed(target, vault)
    before = contents(target)
    status, out, err = fincon(capsys, "db", "copy", str(source), str(target))
    assert status == 2 and out == "" and "is not empty" in err
    assert contents(target) == before


def test_progress_on_a_terminal_and_none_when_piped(tmp_path, vault) -> None:
    source = tmp_path / "source.db"
    seed(source, vault)
    terminal = Terminal(["db", "copy", str(source), str(tmp_path / "tty.db")], "xterm-256color")
    assert terminal.wait_exit() == 0
    piped = subprocess.run([str(BIN), "db", "copy", str(source), str(tmp_path / "piped.db")],
                           capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    output = bytes(terminal.output)
    assert b"\rcopied 14 of 14 records, secrets, audit entries and login tests\x1b[K" in output
    assert b" s left\x1b[K" in output  # the first tables written, before the rest
    assert b"\r\x1b[KCopied " in output  # the line wiped for what follows
    assert piped.returncode == 0 and piped.stderr == "" and piped.stdout.startswith("Copied ")


def test_check_names_each_difference_by_record(capsys, tmp_path, vault) -> None:
    from dataclasses import replace

    from fincon_tui.services import db_copy

    source, target = tmp_path / "source.db", tmp_path / "copy.db"
    seed(source, vault)
    assert fincon(capsys, "db", "copy", str(source), str(target))[0] == 0
    original, copy = open_store(source), open_store(target)
    users = UserSettings(copy, vault)
    alice = users.get("ALICE")
    users.save(replace(alice.record, sender_name="Alicia"), PasswordChange.keep(), alice)
    sealed = next(found for found in copy.secrets.all_sealed() if found.binding.owner.key == "OFFICE")
    with copy.transaction() as work:  # bytes changed on the way
        work.secrets.put(replace(sealed, sealed=sealed.sealed[:-1] + bytes([sealed.sealed[-1] ^ 1])))
    checked = db_copy.check(original, copy, vault)
    original.close()
    copy.close()
    assert checked.opened == 1
    assert checked.differences == (
        "the password of SMTP definition OFFICE does not open on the copy: enter the password again: the password "
        "of SMTP definition OFFICE does not decrypt (altered or damaged outside fincon-tui)",
        "users ALICE: sender_name differs ('Alice' on the source, 'Alicia' on the copy)",
    )


def test_import_shows_the_same_progress_between_its_lines_and_none_when_piped(capsys, tmp_path, vault) -> None:
    source, file = tmp_path / "source.db", tmp_path / "settings.json"
    seed(source, vault)
    file.write_text(fincon(capsys, "--db", str(source), "export", "--json")[1])
    terminal = Terminal(["--db", str(tmp_path / "tty.db"), "import", str(file)], "xterm-256color")
    assert terminal.wait_exit() == 0
    piped = subprocess.run([str(BIN), "--db", str(tmp_path / "piped.db"), "import", str(file)],
                           capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    output = bytes(terminal.output)
    assert b"\rimported 1 of 4 records, about " in output and b"\rimported 4 of 4 records\x1b[K" in output
    assert re.search(rb"left\x1b\[K\r\x1b\[K(SMTP definition|User email settings) \S+ created", output)  # wiped first
    assert piped.returncode == 0 and piped.stderr == "" and "\r" not in piped.stdout
    assert piped.stdout.count("\n") == 5  # a line a record, and the summary


def test_the_time_left_is_the_pace_so_far_and_redraws_are_ten_a_second_at_most() -> None:
    import io

    from fincon_tui.cli.progress import Progress

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    now = [100.0]
    stream = Tty()
    with Progress(1000, "copied", "rows", stream, clock=lambda: now[0]) as step:
        now[0] += 2.0
        step(100)  # 100 in 2 s: 900 more take 18 s
        now[0] += 0.05
        step(100)  # too soon to draw again
        now[0] += 0.06
        step(300)
        step(500)  # the last is always drawn
    assert stream.getvalue() == ("\rcopied 100 of 1,000 rows, about 18 s left\x1b[K"
                                 "\rcopied 500 of 1,000 rows, about 2 s left\x1b[K"
                                 "\rcopied 1,000 of 1,000 rows\x1b[K\r\x1b[K")


def test_a_row_stored_before_a_rule_is_refused_by_the_target_naming_its_record(
        capsys, tmp_path, vault, pg_empty_url) -> None:
    source, target = tmp_path / "legacy.db", tmp_path / "copy.db"
    seed(source, vault)
    with sqlite3.connect(source) as conn:  # as a version before the rule stored it
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                    "AND tbl_name = 'user_email_settings' AND name LIKE '%rules%'").fetchall():
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute("UPDATE user_email_settings SET job_title = 'Boss' || char(7) WHERE user_code = 'ALICE'")
    for where in (pg_empty_url, str(target)):
        status, out, err = fincon(capsys, "db", "copy", str(source), where)
        assert status == 2 and out == "" and err.count("\n") == 1, err
        assert err.startswith("fincon-tui: User email settings ALICE could not be written (Sender's Job Title "
                              "refused by the database's rules"), err
        assert err.endswith("): nothing was copied\n")
    assert sum(contents(pg_empty_url).counts().values()) == 0
    assert list(tmp_path.glob("copy.db*")) == []  # no new, empty file left behind, nor SQLite's files beside it


def test_ctrl_c_during_the_copy_leaves_the_target_empty_in_one_line(capsys, tmp_path, vault, monkeypatch) -> None:
    """Ctrl+C as the first rows are written (raised where the progress is told)."""
    from fincon_tui.cli import progress

    def interrupted(self, more: int) -> None:
        raise KeyboardInterrupt

    source, target = tmp_path / "source.db", tmp_path / "copy.db"
    seed(source, vault)
    monkeypatch.setattr(progress.Progress, "__call__", interrupted)
    status, out, err = fincon(capsys, "db", "copy", str(source), str(target))
    assert (status, out, err) == (130, "", "fincon-tui: cancelled: nothing was copied\n")
    assert list(tmp_path.glob("copy.db*")) == []  # no new, empty target left behind
