"""`fincon-tui check` (issue 25): the CLI run in-process against real SMTP
servers on 127.0.0.1, and the service on both engines for what needs only
the store."""

from __future__ import annotations

import io
import json
import socket
import ssl
import threading
from datetime import UTC, datetime, timedelta

import pytest
from smtp_servers import scripted_server, smtp_server
from support import definition, user

from fincon_tui.cli.entry import main
from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.services.check import CheckOptions, MailHealth, Status, worst
from fincon_tui.services.mail_checks import MailChecks
from fincon_tui.services.smtp_settings import SmtpSettings
from fincon_tui.services.user_settings import UserSettings

pytestmark = pytest.mark.engines


def save(store, vault, name: str, port: int, password: str = "bob-pw", **overrides) -> None:
    values = dict(name=name, mail_server="localhost", port=port, timeout_seconds=5)
    values.update(overrides)
    SmtpSettings(store, vault).save(definition(**values), PasswordChange.set(password), None)


def check(db_location, capsys, *words: str) -> tuple[int, list[str]]:
    """`fincon-tui check WORDS` in this process: its status and stdout's
    lines.  Not on a terminal, stderr gets nothing (no progress)."""
    status = main(["--db", str(db_location), "check", *words])
    out, err = capsys.readouterr()
    assert err == ""
    return status, out.splitlines()


def expiring_in(certs, days: int) -> ssl.SSLContext:
    """A server context whose certificate expires in `days` days."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    now = datetime.now(UTC)
    certs.ca.issue_cert("localhost", "127.0.0.1", not_before=now - timedelta(days=30),
                        not_after=now + timedelta(days=days)).configure_cert(context)
    return context


def test_a_fine_server_and_a_refused_login(db_path, store, vault, certs, capsys) -> None:
    """The summary, a line a problem with its hint (the worst first), the
    status of the worst, no password anywhere, nothing sent; a user's own
    login is tested as the user; no password crosses unencrypted."""
    with smtp_server(starttls=certs.server_context()) as (port, mailbox):
        save(store, vault, "FINE", port)
        save(store, vault, "REFUSED", port, password="wrong-pw")
        SmtpSettings(store, vault).save(definition(name="OWN", username="", mail_server="localhost", port=port,
                                                   timeout_seconds=5), PasswordChange.keep(), None)
        UserSettings(store, vault).save(user("ALICE", "OWN", "alice"), PasswordChange.set("alice-pw"), None)
        SmtpSettings(store, vault).save(definition(name="PLAIN", mail_server="localhost", port=port, use_tls=False,
                                                   timeout_seconds=5), PasswordChange.set("plain-pw"), None)
        status, lines = check(db_path, capsys)
    assert lines[0] == "SMTP CRITICAL - 1 critical, 1 warning, 3 ok | ok=3 warning=1 critical=1 unknown=0"
    assert lines[1] == ("CRITICAL REFUSED: login test failed at AUTH: authentication rejected: 535 5.7.8 "
                        "Authentication credentials invalid – check the username and password")
    assert lines[2] == ("WARNING PLAIN: Use TLS is N: the password would cross the network unencrypted, so check "
                        "did not log in – set Use TLS = Y")
    assert len(lines) == 3 and status == 2
    assert not any(password in "\n".join(lines) for password in ("wrong-pw", "bob-pw", "alice-pw", "plain-pw"))
    assert mailbox.messages == []  # a login test sends nothing
    assert sorted(mailbox.logins) == [("alice", "alice-pw"), ("bob", "bob-pw"), ("bob", "wrong-pw")]


def test_json_of_a_fine_server(db_path, store, vault, certs, capsys) -> None:
    with smtp_server(starttls=certs.server_context()) as (port, _):
        save(store, vault, "FINE", port)
        status, lines = check(db_path, capsys, "--json")
    report = json.loads("\n".join(lines))
    assert status == 0 and report["status"] == "OK" and report["counts"]["ok"] == 1
    [record] = report["records"]
    assert {key: record[key] for key in ("kind", "name", "status", "step", "hint", "expires", "findings")} == {
        "kind": "smtp", "name": "FINE", "status": "OK", "step": "", "hint": "", "expires": None, "findings": []}
    assert record["message"].startswith("connection and login OK – no message was sent")


def test_certificate_expiring_in_five_days(db_path, store, vault, certs, capsys) -> None:
    """WARNING within --warn-days (14), CRITICAL within --critical-days;
    --json gives the date; OK when the days are fewer."""
    with smtp_server(starttls=expiring_in(certs, 5)) as (port, _):
        save(store, vault, "SOON", port)
        warned, lines = check(db_path, capsys)
        critical, json_lines = check(db_path, capsys, "--json", "--critical-days", "7")
        ok, ok_lines = check(db_path, capsys, "--warn-days", "2", "--critical-days", "1")
    expires = (datetime.now(UTC) + timedelta(days=5)).date().isoformat()
    assert warned == 1 and lines == [
        "SMTP WARNING - 1 warning, 0 ok | ok=0 warning=1 critical=0 unknown=0",
        f"WARNING SOON: the server's certificate expires on {expires} (in 5 days) – ask the mail server's "
        "operator to renew its certificate"]
    report = json.loads("\n".join(json_lines))
    assert critical == 2 and report["status"] == "CRITICAL"
    assert report["summary"] == "SMTP CRITICAL - 1 critical, 0 ok | ok=0 warning=0 critical=1 unknown=0"
    [record] = report["records"]
    assert {key: record[key] for key in ("kind", "name", "status", "step", "expires")} == {
        "kind": "smtp", "name": "SOON", "status": "CRITICAL", "step": "certificate", "expires": expires}
    assert (ok, ok_lines) == (0, ["SMTP OK - 1 ok | ok=1 warning=0 critical=0 unknown=0"])


def test_each_login_test_is_kept_as_check_run_by(db_location, store, vault, certs, capsys) -> None:
    """The results go where smtp test's go (services/mail_checks.py), by
    'check run by' the OS account, and hold no password."""
    from fincon_tui.storage.audit import who

    with smtp_server(starttls=certs.server_context()) as (port, _):
        save(store, vault, "FINE", port)
        save(store, vault, "REFUSED", port, password="wrong-pw")
        status, _ = check(db_location, capsys)
    assert status == 2
    smtp = SmtpSettings(store, vault)
    rows = {name: smtp.get(name).row_id for name in ("FINE", "REFUSED")}
    with store.read() as work:
        kept = work.login_tests.latest_for("smtp", rows.values())
    fine, refused = kept[rows["FINE"]], kept[rows["REFUSED"]]
    assert (fine.ok, fine.tested_by) == (True, f"check run by {who()}")
    assert (refused.ok, refused.step) == (False, "AUTH") and refused.tested_by == fine.tested_by
    assert fine.certificate_expires is not None
    assert "wrong-pw" not in repr(kept) and "bob-pw" not in repr(kept)


def test_an_oauth_client_secret_expiring_in_ten_days(db_path, store, vault, idp, smtp, capsys) -> None:
    """The real OAuth server and an XOAUTH2 mail server: the app-only login
    works, and its client secret, which expires in 10 days, is a WARNING
    (CRITICAL with --critical-days 10)."""
    from oauth_fixtures import microsoft

    expires = (datetime.now(UTC) + timedelta(days=10, hours=1)).isoformat(timespec="seconds")
    SmtpSettings(store, vault).save(microsoft(smtp[0], client_id="daemon"), PasswordChange.keep(), None,
                                    {"client_secret": PasswordChange.set("daemon-secret", expires)})
    warned, lines = check(db_path, capsys)
    critical, _ = check(db_path, capsys, "--no-connect", "--critical-days", "10")
    assert warned == 1 and lines[0] == "SMTP WARNING - 1 warning, 0 ok | ok=0 warning=1 critical=0 unknown=0"
    assert lines[1].startswith(f"WARNING M365: the client secret expires on {expires[:10]} (in 10 days) – make a new")
    assert critical == 2
    assert len(smtp[1].logins) == 1  # the test logged in once, with a token; --no-connect did not
    assert "daemon-secret" not in "\n".join(lines)


def test_no_connect_checks_the_records_only(db_location, store, vault, capsys) -> None:
    """Nothing listens at the port: --no-connect never connects.  A
    Microsoft 365 password login is a WARNING naming OAuth 2.0; a user
    whose definition cannot serve them is CRITICAL; a user with a complete
    login of their own is OK; one who sends with the shared login is not a
    record of its own."""
    save(store, vault, "OFFICE", 9, username="shared@corp.example")
    save(store, vault, "M365", 9, mail_server="smtp.office365.com")
    SmtpSettings(store, vault).save(definition(name="OWN", username="", port=9), PasswordChange.keep(), None)
    users = UserSettings(store, vault)
    users.save(user("ALICE", "OWN", "alice"), PasswordChange.set("alice-pw"), None)
    users.save(user("BOB", "OWN"), PasswordChange.keep(), None)
    users.save(user("CAROL", "OFFICE"), PasswordChange.keep(), None)
    status, lines = check(db_location, capsys, "--no-connect")
    assert lines[0] == "SMTP CRITICAL - 1 critical, 1 warning, 3 ok | ok=3 warning=1 critical=1 unknown=0"
    assert lines[1] == ("CRITICAL user BOB: cannot send: User BOB has no SMTP login, and SMTP definition OWN "
                        "has no shared one")
    assert lines[2].startswith("WARNING M365: Microsoft turns password SMTP logins off")
    assert "OAuth 2.0" in lines[2]
    assert status == 2 and len(lines) == 3


def test_only_and_a_name_that_is_nothing(db_location, store, vault, capsys) -> None:
    """--only takes names and user codes in any case; a user named who
    sends with the shared login is checked with it."""
    save(store, vault, "OFFICE", 9)
    save(store, vault, "M365", 9, mail_server="smtp.office365.com")
    UserSettings(store, vault).save(user("ANN", "M365"), PasswordChange.keep(), None)
    status, lines = check(db_location, capsys, "--no-connect", "--only", "office")
    assert (status, lines) == (0, ["SMTP OK - 1 ok | ok=1 warning=0 critical=0 unknown=0"])
    status, lines = check(db_location, capsys, "--no-connect", "--only", "Ann")
    assert status == 1 and lines[0] == "SMTP WARNING - 1 warning, 0 ok | ok=0 warning=1 critical=0 unknown=0"
    assert lines[1].startswith("WARNING user ANN: Microsoft turns password SMTP logins off")
    status, lines = check(db_location, capsys, "--no-connect", "--only", "office", "nope")
    assert status == 3
    assert lines == ["SMTP UNKNOWN - 1 unknown, 1 ok | ok=1 warning=0 critical=0 unknown=1",
                     "UNKNOWN NOPE: --only nope: no SMTP definition or user has this name or code – check the name "
                     "(`fincon-tui smtp list`, `fincon-tui user list`)"]


def test_a_key_this_machine_lacks_is_unknown(db_location, store, vault, capsys, tmp_path, monkeypatch) -> None:
    save(store, vault, "OFFICE", 9)
    monkeypatch.setenv("FINCON_TUI_KEY_FILE", str(tmp_path / "no-such.key"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "elsewhere"))
    import keyring
    from keyring_backends import FileKeyring

    monkeypatch.setenv("FINCON_TEST_KEYRING", str(tmp_path / "empty-keyring.json"))
    keyring.set_keyring(FileKeyring())
    status, lines = check(db_location, capsys, "--no-connect")
    assert status == 3 and lines[0] == "SMTP UNKNOWN - 1 unknown, 0 ok | ok=0 warning=0 critical=0 unknown=1"
    assert lines[1].startswith("UNKNOWN OFFICE: cannot open the stored password: ")


def test_what_cannot_run_is_unknown_in_one_line(tmp_path, capsys) -> None:
    status, lines = check(tmp_path / "missing.db", capsys)
    assert status == 3 and len(lines) == 1 and lines[0].startswith("SMTP UNKNOWN - there is no database at ")
    with pytest.raises(SystemExit) as refused:
        main(["--db", str(tmp_path / "missing.db"), "check", "--deadline", "soon"])
    assert refused.value.code == 3


def test_a_tarpit_ends_by_the_deadline_and_at_most_four_at_a_time(db_path, store, vault, capsys) -> None:
    """Six definitions on a server that accepts and never speaks, each with
    a Time Out of 60 s, and a deadline of 2 s: the run returns, every
    record UNKNOWN (never OK), and the server never held more than four
    connections at once."""
    held, most = [0], [0]
    lock = threading.Lock()

    def tarpit(connection: socket.socket) -> None:
        with lock:
            held[0] += 1
            most[0] = max(most[0], held[0])
        try:
            while connection.recv(1024):  # until the client hangs up
                pass
        finally:
            with lock:
                held[0] -= 1

    with scripted_server(tarpit) as port:
        for number in range(6):
            save(store, vault, f"SLOW{number}", port, timeout_seconds=60)
        status, lines = check(db_path, capsys, "--deadline", "2")
    assert status == 3
    assert lines[0] == "SMTP UNKNOWN - 6 unknown, 0 ok | ok=0 warning=0 critical=0 unknown=6"
    assert all(line.startswith("UNKNOWN SLOW") and "did not finish within the deadline of 2 s" in line
               for line in lines[1:]) and len(lines) == 7
    assert 1 <= most[0] <= 4


def test_statuses_combine_as_max_state_alt() -> None:
    assert worst([Status.OK, Status.UNKNOWN]) is Status.UNKNOWN
    assert worst([Status.UNKNOWN, Status.WARNING]) is Status.WARNING
    assert worst([Status.WARNING, Status.CRITICAL, Status.UNKNOWN]) is Status.CRITICAL
    assert worst([]) is Status.OK


def test_the_service_alone(store, vault) -> None:
    """What the TUI would call: nothing stored is UNKNOWN (nothing was checked), never OK."""
    health = MailHealth(MailChecks(SmtpSettings(store, vault), UserSettings(store, vault)))
    seen: list[tuple[int, int, list[str]]] = []
    result = health.check(CheckOptions(connect=False), lambda *told: seen.append(told))
    assert result.status is Status.UNKNOWN and result.records == []
    assert seen[-1] == (0, 0, [])


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_count_shows_on_stderr_and_goes(db_path, store, vault, monkeypatch, capsys) -> None:
    save(store, vault, "OFFICE", 9)
    shown = Terminal()
    monkeypatch.setattr("sys.stderr", shown)
    assert main(["--db", str(db_path), "check", "--no-connect"]) == 0
    assert "checked 1 of 1 records" in shown.getvalue() and shown.getvalue().endswith("\r\x1b[K")
    assert capsys.readouterr().out.startswith("SMTP OK - 1 ok")


def test_progress_names_the_ones_waiting() -> None:
    from fincon_tui.cli.progress import Progress

    shown = Terminal()
    progress = Progress(6, "checked", "records", stream=shown, clock=lambda: 0.0, estimate=False)
    progress.detail = "waiting on OFFICE, user ALICE"
    progress(2)
    assert shown.getvalue().startswith("\rchecked 2 of 6 records, waiting on OFFICE, user ALICE")
