"""Every login test is remembered (issue 25): the service records each
result, passed or failed, for the record whose login it used, in a table
of its own (no version, no audit entry), with the certificate's end."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from smtp_servers import free_port, silent_server, smtp_server
from support import definition

from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.domain.users import UserEmailSettings
from fincon_tui.mail.transcript import Transcript
from fincon_tui.services.key_changes import rename
from fincon_tui.services.mail_checks import MailChecks
from fincon_tui.services.smtp_settings import SmtpSettings
from fincon_tui.services.user_settings import UserSettings
from fincon_tui.storage.records import LOGIN_TESTS_KEPT, LoginTest, utc_now

pytestmark = pytest.mark.engines


def services(store, vault) -> tuple[SmtpSettings, UserSettings, MailChecks]:
    smtp, users = SmtpSettings(store, vault), UserSettings(store, vault)
    return smtp, users, MailChecks(smtp, users, tested_by="anna")


def save(smtp: SmtpSettings, port: int, password: str = "bob-pw", **overrides) -> None:
    values = dict(name="OFFICE", mail_server="localhost", port=port, timeout_seconds=5)
    smtp.save(definition(**{**values, **overrides}), PasswordChange.set(password), None)


def latest(store, kind: str, key: str, service) -> LoginTest | None:
    stored = service.get(key)
    return store.login_tests.latest_for(kind, [stored.row_id]).get(stored.row_id)


def test_a_passed_test_is_recorded_with_the_certificates_end_and_no_new_version(store, vault, certs) -> None:
    smtp, _, checks = services(store, vault)
    ends = datetime.now(UTC) + timedelta(days=5)
    with smtp_server(starttls=certs.server_context(not_after=ends)) as (port, _):
        save(smtp, port)
        before = smtp.get("OFFICE")
        outcome = asyncio.run(checks.login_test(before.record).run(Transcript()))
    assert outcome.ok and outcome.certificate_expires == ends.date().isoformat() and outcome.note == ""
    result = latest(store, "smtp", "OFFICE", smtp)
    assert result is not None
    assert (result.ok, result.step, result.tested_by, result.record_key) == (True, "", "anna", "OFFICE")
    assert result.certificate_expires == ends.date().isoformat() and result.secret_expires is None
    assert "no message was sent" in result.message
    after = smtp.get("OFFICE")
    assert (after.version, after.updated_at) == (before.version, before.updated_at)
    assert len(smtp.history("OFFICE")) == 1  # the create, nothing for the test


def test_a_refused_login_is_recorded_with_its_step_and_never_the_password(store, vault, certs) -> None:
    smtp, _, checks = services(store, vault)
    with smtp_server(starttls=certs.server_context()) as (port, _):
        save(smtp, port, password="wrong-pw-4711")
        outcome = asyncio.run(checks.login_test(smtp.get("OFFICE").record).run(Transcript()))
    assert not outcome.ok
    result = latest(store, "smtp", "OFFICE", smtp)
    assert result is not None and (result.ok, result.step) == (False, "AUTH")
    assert result.message == outcome.message and result.certificate_expires is not None
    with store.read() as reading:
        rows = reading.bulk.contents().tables["login_tests"]
    assert len(rows) == 1 and rows[0]["outcome"] == "failed"
    assert "wrong-pw-4711" not in repr(rows)


def test_a_refused_connection_is_recorded_and_a_rename_carries_the_results(store, vault) -> None:
    smtp, _, checks = services(store, vault)
    save(smtp, free_port(), use_tls=False)  # nothing listens there
    outcome = asyncio.run(checks.login_test(smtp.get("OFFICE").record).run(Transcript()))
    assert not outcome.ok and outcome.step == "connect"
    rename(smtp, "OFFICE", smtp.get("OFFICE"), "HEAD-OFFICE")
    result = latest(store, "smtp", "HEAD-OFFICE", smtp)
    assert result is not None and (result.ok, result.step, result.certificate_expires) == (False, "connect", None)


def test_a_users_own_login_is_recorded_for_the_user(store, vault, certs) -> None:
    smtp, users, checks = services(store, vault)
    with smtp_server(starttls=certs.server_context()) as (port, mailbox):
        save(smtp, port, name="OWN", username="", password="")
        users.save(UserEmailSettings("ALICE", "OWN", "alice", "Alice Smith", "alice@corp.example"),
                   PasswordChange.set("alice-pw"), None)
        outcome = asyncio.run(checks.login_test(smtp.get("OWN").record, user_code="alice").run(Transcript()))
    assert outcome.ok and mailbox.logins == [("alice", "alice-pw")]
    assert latest(store, "user", "ALICE", users) is not None
    assert latest(store, "smtp", "OWN", smtp) is None


def test_a_cancelled_test_records_nothing(store, vault) -> None:
    smtp, _, checks = services(store, vault)

    async def cancelled(prepared) -> None:
        connecting = asyncio.Event()
        task = asyncio.create_task(prepared.run(Transcript(), lambda step: step == "connect" and connecting.set()))
        await connecting.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    with silent_server() as port:
        save(smtp, port, use_tls=False)
        asyncio.run(cancelled(checks.login_test(smtp.get("OFFICE").record)))
    assert latest(store, "smtp", "OFFICE", smtp) is None


def test_each_record_keeps_its_last_results_and_a_delete_drops_them(store, vault) -> None:
    smtp, _, _ = services(store, vault)
    save(smtp, 2525)
    row_id = smtp.get("OFFICE").row_id
    for number in range(LOGIN_TESTS_KEPT + 3):
        with store.transaction() as work:
            work.login_tests.record(LoginTest("smtp", row_id, "OFFICE", utc_now(), "anna", number % 2 == 0,
                                              "AUTH", f"test {number} " + "x" * 400))
    kept = store.login_tests.history("smtp", row_id)
    assert [test.message.split()[1] for test in kept] == [str(n) for n in range(LOGIN_TESTS_KEPT + 2, 2, -1)]
    assert len(kept[0].message) == 300 and kept[0].message.endswith("…")
    assert (kept[0].ok, kept[0].step, kept[1].step) == (True, "", "AUTH")  # a passed test has no failed step
    assert store.login_tests.latest_for("smtp", [row_id, "0123456789abcdef"]) == {row_id: kept[0]}
    smtp.delete("OFFICE", smtp.get("OFFICE"))
    assert store.login_tests.history("smtp", row_id) == []


def test_a_pages_tests_and_verdicts_in_one_query_are_each_tables_own(store, vault) -> None:
    """latest_with_verdicts (a Work with page's Last test column) finds what
    latest_for finds in each table: a record with both, with a test only,
    with a verdict only, with neither; and nothing of another kind."""
    from fincon_tui.storage.records import SpfVerdict

    smtp, _, _ = services(store, vault)
    for name in ("BOTH", "TEST", "SPF", "NONE"):
        save(smtp, 2525, name=name)
    rows = {name: smtp.get(name).row_id for name in ("BOTH", "TEST", "SPF", "NONE")}
    with store.transaction() as work:
        for number, name in enumerate(["BOTH", "TEST", "BOTH"]):
            work.login_tests.record(LoginTest("smtp", rows[name], name, utc_now(), "anna", number == 2, "AUTH",
                                              f"test {number}", "2027-01-01T00:00:00+00:00" if number else None))
        for name in ("BOTH", "SPF"):
            work.spf_verdicts.put(SpfVerdict("smtp", rows[name], name, utc_now(), "corp.example", name == "SPF",
                                             f"{name} finding"))
    wanted = [*rows.values(), "0123456789abcdef"]
    tests, verdicts = store.login_tests.latest_with_verdicts("smtp", wanted)
    assert (tests, verdicts) == (store.login_tests.latest_for("smtp", wanted),
                                 store.spf_verdicts.latest_for("smtp", wanted))
    assert sorted(tests) == sorted([rows["BOTH"], rows["TEST"]]) and tests[rows["BOTH"]].message == "test 2"
    assert sorted(verdicts) == sorted([rows["BOTH"], rows["SPF"]]) and verdicts[rows["SPF"]].fails
    assert store.login_tests.latest_with_verdicts("user", wanted) == ({}, {})
    assert store.login_tests.latest_with_verdicts("smtp", []) == ({}, {})


def test_a_result_that_cannot_be_recorded_leaves_the_test_passed_with_a_note(db, store, vault, certs) -> None:
    smtp, _, checks = services(store, vault)
    with smtp_server(starttls=certs.server_context()) as (port, _):
        save(smtp, port)
        prepared = checks.login_test(smtp.get("OFFICE").record)
        db.execute("DROP TABLE login_tests")  # as another tool might
        transcript = Transcript()
        outcome = asyncio.run(prepared.run(transcript))
    assert outcome.ok
    assert outcome.note.startswith("the result was not recorded: ") and "login_tests" in outcome.note
    assert transcript.lines[-1].endswith(outcome.note)
