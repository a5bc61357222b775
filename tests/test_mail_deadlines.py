"""Time Out bounds every step, and twice Time Out the whole session:
a name server that never answers and a server that answers every command
within Time Out but slowly, in-process and as the real CLI process."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from smtp_servers import (
    can_use_dns_blackhole,
    dns_blackhole,
    scripted_server,
    tarpit,
)
from support import PATIENCE, definition, finishes

from fincon_tui.domain.login import effective_login
from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.mail.session import (
    Sender,
    check_login,
    deadline_seconds,
    send_test_email,
)
from fincon_tui.mail.transcript import Transcript
from fincon_tui.services.smtp_settings import SmtpSettings

BIN = Path(sys.executable).parent / "fincon-tui"


def test_the_deadline_is_twice_the_time_out() -> None:
    assert deadline_seconds(definition(timeout_seconds=30)) == 60


async def test_a_resolver_that_never_answers_is_left_behind() -> None:
    """The look-up answers only once the test has its outcome: any outcome
    came without it."""
    released, answered = threading.Event(), threading.Event()
    calls = []

    def never_answers(host, port, **kwargs):
        calls.append(host)
        released.wait(PATIENCE * 2)
        answered.set()
        raise OSError("released")

    smtp = definition(mail_server="mail.example.com", timeout_seconds=1)
    transcript = Transcript()
    try:
        outcome = await finishes(check_login(smtp, None, None, transcript, lookup=never_answers),
                                 "the login test leaves a look-up that never answers")
        assert not answered.is_set()
    finally:
        released.set()
    assert calls == ["mail.example.com"]
    assert not outcome.ok and outcome.step == "resolve"
    assert outcome.message == "could not resolve mail.example.com within 1 second"
    assert "DNS" in outcome.hint


async def test_a_tarpit_is_stopped_at_the_overall_deadline() -> None:
    """Each reply comes at half the Time Out, so no step runs out of time
    (a slow machine has the other half to spare), and the test email would
    take 4 or more (greeting, EHLO, AUTH, MAIL, RCPT, DATA, the message):
    only the session's deadline, twice the Time Out, stops it, whichever
    step it has reached by then."""
    steps: list[str] = []
    with scripted_server(tarpit(1.0)) as port:
        smtp = definition(mail_server="127.0.0.1", port=port, use_tls=False, timeout_seconds=2)
        outcome = await finishes(send_test_email(
            smtp, effective_login(smtp, "", ""), "bob-pw", Sender("Bob", "bob@corp.example"),
            "carol@client.example", Transcript(), steps.append,
        ), "the session's deadline stops a test email to a tarpit")
    assert not outcome.ok
    assert outcome.message == (
        "the whole session took longer than 4 seconds (twice the Time Out of 2 seconds), "
        f"so it stopped during {outcome.step}"
    )
    assert "slowly" in outcome.hint
    assert steps[-1] == outcome.step and "DATA" not in steps


async def test_no_step_begins_after_the_deadline_though_its_cancellation_was_lost() -> None:
    """Python 3.11's asyncio.wait_for (aiosmtplib's, each command) can
    swallow the deadline's cancellation when a reply comes with it, and a
    test email to a tarpit ran on to 'accepted' (make test beside two busy
    loops): the next step is not begun, and the session says it was too slow."""
    import asyncio

    from fincon_tui.mail.outcome import Outcome
    from fincon_tui.mail.session import Session, _run

    steps: list[str] = []
    session = Session(definition(timeout_seconds=1), Transcript(), steps.append)

    async def work() -> Outcome:
        session.enter_step("MAIL")
        try:
            await asyncio.sleep(PATIENCE)  # until the deadline cancels it
        except asyncio.CancelledError:
            pass  # lost, as wait_for loses it
        session.enter_step("RCPT")
        return Outcome(True, "RCPT", "accepted")

    outcome = await _run(session, work)
    assert not outcome.ok and outcome.step == "MAIL" and steps == ["MAIL"]
    assert outcome.message.startswith("the whole session took longer than 2 seconds")


@pytest.fixture
def blackhole(tmp_path: Path):
    reason = can_use_dns_blackhole()
    if reason:
        pytest.skip(reason)
    with dns_blackhole(tmp_path) as prefix:
        yield prefix


def test_the_cli_returns_when_the_name_server_never_answers(blackhole, store, db, vault, db_path) -> None:
    """Before: asyncio.run waited at exit for the getaddrinfo thread.  The
    name server here keeps the resolver waiting longer than a test waits
    for a process to end (see dns_blackhole): a CLI that waits for it does
    not end in time."""
    settings = SmtpSettings(store, vault)
    settings.save(definition(name="OFFICE", mail_server="mail.blackhole.test", timeout_seconds=2),
                  PasswordChange.set("bob-pw"), None)
    try:
        result = subprocess.run(
            [*blackhole, str(BIN), "--db", str(db_path), "smtp", "test", "OFFICE"],
            capture_output=True, text=True, timeout=PATIENCE, env=os.environ.copy(), stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"smtp test still waited for the name server after {PATIENCE:g} s")
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(
        "FAILED at resolve: could not resolve mail.blackhole.test within 2 seconds."
    )
