"""The SMTP engine against real servers on 127.0.0.1 with real TLS."""

from __future__ import annotations

import time
from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime

from smtp_servers import free_port, silent_server, smtp_server
from support import definition, finishes

from fincon_tui.domain.login import effective_login
from fincon_tui.mail.session import (
    IMPLICIT_TLS_ENV,
    Sender,
    check_login,
    send_test_email,
)
from fincon_tui.mail.transcript import Transcript


def smtp_def(port: int, **overrides):
    values = dict(mail_server="localhost", port=port, timeout_seconds=5, username="bob")
    values.update(overrides)
    return definition(**values)


def login_for(smtp, user_code: str = "", user_username: str = ""):
    return effective_login(smtp, user_code, user_username)


async def test_plain_connection_without_login() -> None:
    with smtp_server(auth=False) as (port, mailbox):
        smtp = smtp_def(port, use_tls=False, authenticate=False, username="")
        outcome = await check_login(smtp, None, None, Transcript())
    assert outcome.ok, outcome
    assert outcome.message.startswith("connection OK – no message was sent")
    assert mailbox.messages == []


async def test_starttls_and_auth_plain(certs) -> None:
    transcript = Transcript()
    with smtp_server(starttls=certs.server_context()) as (port, mailbox):
        smtp = smtp_def(port)
        outcome = await check_login(smtp, login_for(smtp), "bob-pw", transcript)
    assert outcome.ok, outcome
    assert outcome.message.startswith("connection and login OK – no message was sent")
    assert "STARTTLS" in outcome.message
    assert mailbox.logins == [("bob", "bob-pw")] and mailbox.messages == []
    log = "\n".join(transcript.lines)
    assert "C: STARTTLS" in log and "C: AUTH PLAIN ***" in log and "C: QUIT" in log
    # Our own name as an address literal: socket.getfqdn() is a DNS query that can hang.
    assert log.count("C: EHLO [127.0.0.1]") == 2
    assert "bob-pw" not in log and "Ym9i" not in log  # neither clear nor base64


async def test_auth_login_mechanism(certs) -> None:
    transcript = Transcript()
    with smtp_server(starttls=certs.server_context(), mechanisms_excluded=("PLAIN",)) as (port, _mailbox):
        smtp = smtp_def(port)
        outcome = await check_login(smtp, login_for(smtp), "bob-pw", transcript)
    assert outcome.ok, outcome
    assert "C: AUTH LOGIN ***" in transcript.lines
    assert transcript.lines.count("C: ***") >= 1
    assert "bob-pw" not in "\n".join(transcript.lines)


async def test_authentication_rejected(certs) -> None:
    with smtp_server(starttls=certs.server_context()) as (port, _):
        smtp = smtp_def(port)
        outcome = await check_login(smtp, login_for(smtp), "wrong", Transcript())
    assert not outcome.ok and outcome.step == "AUTH"
    assert outcome.message.startswith("authentication rejected: 535")
    assert outcome.hint == "check the username and password"


async def test_implicit_tls_on_a_port_treated_as_465(certs, monkeypatch) -> None:
    from datetime import UTC, datetime, timedelta

    ends = datetime.now(UTC) + timedelta(days=5)
    with smtp_server(implicit=certs.server_context(not_after=ends)) as (port, mailbox):
        monkeypatch.setenv(IMPLICIT_TLS_ENV, str(port))
        smtp = smtp_def(port)
        outcome = await check_login(smtp, login_for(smtp), "bob-pw", Transcript())
    assert outcome.ok, outcome
    assert "(TLS)" in outcome.message and mailbox.logins == [("bob", "bob-pw")]
    assert outcome.certificate_expires == ends.date().isoformat()  # the server certificate's notAfter


async def test_no_starttls_offered_stops_before_any_credential() -> None:
    with smtp_server() as (port, mailbox):
        smtp = smtp_def(port)
        outcome = await check_login(smtp, login_for(smtp), "bob-pw", Transcript())
    assert not outcome.ok and outcome.step == "STARTTLS"
    assert "does not offer STARTTLS" in outcome.message
    assert "AUTH" not in mailbox.commands and mailbox.logins == []


async def test_a_server_that_never_answers_is_left_at_its_time_out() -> None:
    """The greeting's own Time Out ends it: the session's deadline (twice as
    long) would say the whole session took too long."""
    with silent_server() as port:
        smtp = smtp_def(port, timeout_seconds=2)
        outcome = await finishes(check_login(smtp, login_for(smtp), "bob-pw", Transcript()),
                                 "the login test gives up on a silent server")
    assert not outcome.ok and "no answer" in outcome.message and "within 2 seconds" in outcome.message
    assert "port 465" in outcome.hint


async def test_tls_from_the_first_byte_against_a_starttls_server(certs, monkeypatch) -> None:
    with smtp_server(starttls=certs.server_context()) as (port, mailbox):
        monkeypatch.setenv(IMPLICIT_TLS_ENV, str(port))
        smtp = smtp_def(port)
        outcome = await check_login(smtp, login_for(smtp), "bob-pw", Transcript())
    assert not outcome.ok
    assert "WRONG_VERSION_NUMBER" in outcome.message and "STARTTLS" in outcome.message
    assert "587" in outcome.hint and mailbox.logins == []


async def test_starttls_client_against_a_tls_from_the_start_server(certs) -> None:
    with smtp_server(implicit=certs.server_context()) as (port, mailbox):
        smtp = smtp_def(port, timeout_seconds=2)
        outcome = await finishes(check_login(smtp, login_for(smtp), "bob-pw", Transcript()),
                                 "the login test gives up waiting for a greeting that TLS holds back")
    # Ended by the greeting's Time Out (the session's deadline gives another hint).
    assert not outcome.ok and "port 465" in outcome.hint
    assert mailbox.logins == []


async def test_connection_refused() -> None:
    smtp = smtp_def(free_port(), use_tls=False)
    outcome = await check_login(smtp, login_for(smtp), "bob-pw", Transcript())
    assert not outcome.ok and outcome.step == "connect"
    assert outcome.message == f"connection refused by localhost:{smtp.port}"


async def test_unresolvable_host() -> None:
    smtp = smtp_def(25, mail_server="no-such-host.invalid", timeout_seconds=2)
    outcome = await check_login(smtp, login_for(smtp), "x", Transcript())
    assert not outcome.ok and outcome.step == "resolve"


async def test_bcc_is_an_envelope_recipient_without_a_header(certs) -> None:
    with smtp_server(starttls=certs.server_context()) as (port, mailbox):
        smtp = smtp_def(port, bcc="audit@corp.example")
        outcome = await send_test_email(
            smtp, login_for(smtp), "bob-pw", Sender("Bob Smith", "bob@corp.example"),
            "carol@client.example", Transcript(),
        )
    assert outcome.ok, outcome
    [(mail_from, rcpt_tos, content)] = mailbox.messages
    assert mail_from == "bob@corp.example"
    assert rcpt_tos == ["carol@client.example", "audit@corp.example"]
    message = message_from_bytes(content)
    assert message["Bcc"] is None and b"audit@corp.example" not in content
    assert message["From"] == "Bob Smith <bob@corp.example>"
    assert message["To"] == "carol@client.example"


async def test_the_users_login_replaces_the_definitions(certs) -> None:
    with smtp_server(starttls=certs.server_context()) as (port, mailbox):
        smtp = smtp_def(port, username="shared@corp.example")
        login = login_for(smtp, "ALICE", "alice")
        assert login.source == "user"
        outcome = await send_test_email(
            smtp, login, "alice-pw", Sender("Alice", "alice@corp.example"), "x@client.example", Transcript()
        )
    assert outcome.ok, outcome
    assert mailbox.logins == [("alice", "alice-pw")]


async def test_the_test_email_is_a_complete_rfc_5322_message_and_data_is_shown(certs) -> None:
    transcript = Transcript()
    with smtp_server(starttls=certs.server_context()) as (port, mailbox):
        smtp = smtp_def(port)
        outcome = await send_test_email(
            smtp, login_for(smtp), "bob-pw", Sender("Bøb Smith", "bob@corp.example"),
            "carol@client.example", transcript,
        )
    assert outcome.ok and outcome.step == "DATA", outcome
    [(_, _, content)] = mailbox.messages
    message = message_from_bytes(content, policy=policy.default)
    assert abs(time.time() - parsedate_to_datetime(message["Date"]).timestamp()) < 60
    assert message["Message-ID"].startswith("<") and message["Message-ID"].endswith("@corp.example>")
    assert message["MIME-Version"] == "1.0"
    assert message.get_content_type() == "text/plain" and message.get_content_charset() == "utf-8"
    assert message["From"] == "Bøb Smith <bob@corp.example>"
    assert "through the SMTP definition\r\nOFFICE (localhost:" in message.get_content()
    lines = transcript.lines
    data = lines.index("C: DATA")
    assert lines[data + 1].startswith("S: 354 ")
    assert lines[data + 2].startswith("-- message of ") and lines[data + 2].endswith(
        "bytes with headers Date, From, To, Subject, Message-ID, Content-Type, "
        "Content-Transfer-Encoding, MIME-Version"
    )
    assert lines[data + 3 :] == ["C: .", "S: 250 OK queued", "C: QUIT", "S: 221 Bye"]


def test_saved_logs_are_private_and_never_overwrite_each_other(tmp_path) -> None:
    import stat

    from fincon_tui.mail.transcript import Transcript

    folder = tmp_path / "log"
    transcript = Transcript()
    transcript.note("one")
    first = transcript.save(folder, "Relay [/] A")
    second = transcript.save(folder, "Relay [/] A")  # the same second
    assert first != second and first.exists() and second.exists()
    assert {stat.S_IMODE(p.stat().st_mode) for p in (first, second)} == {0o600}
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
