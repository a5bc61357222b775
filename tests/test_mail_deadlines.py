"""Time Out bounds every step, and twice Time Out the whole session:
a name server that never answers and a server that answers every command
just in time, in-process and as the real CLI process."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from smtp_servers import (
    can_use_dns_blackhole,
    dns_blackhole,
    free_port,
    scripted_server,
    tarpit,
)
from support import definition

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
    released = threading.Event()
    calls = []

    def never_answers(host, port, **kwargs):
        calls.append(host)
        released.wait(30)
        raise OSError("released")

    smtp = definition(mail_server="mail.example.com", timeout_seconds=1)
    transcript = Transcript()
    try:
        start = time.monotonic()
        outcome = await check_login(smtp, None, None, transcript, lookup=never_answers)
        elapsed = time.monotonic() - start
    finally:
        released.set()
    assert calls == ["mail.example.com"]
    assert elapsed < 1.5
    assert not outcome.ok and outcome.step == "resolve"
    assert outcome.message == "could not resolve mail.example.com within 1 second"
    assert "DNS" in outcome.hint


async def test_a_tarpit_is_stopped_at_the_overall_deadline() -> None:
    steps: list[str] = []
    with scripted_server(tarpit(0.7)) as port:
        smtp = definition(mail_server="127.0.0.1", port=port, use_tls=False, timeout_seconds=1)
        start = time.monotonic()
        outcome = await send_test_email(
            smtp, effective_login(smtp, "", ""), "bob-pw", Sender("Bob", "bob@corp.example"),
            "carol@client.example", Transcript(), steps.append,
        )
        elapsed = time.monotonic() - start
    # greeting 0.7 s, EHLO 1.4 s, AUTH would answer at 2.1 s: past 2 × Time Out.
    assert 1.9 < elapsed < 2.5
    assert not outcome.ok and outcome.step == "AUTH"
    assert outcome.message == (
        "the whole session took longer than 2 seconds (twice the Time Out of 1 second), "
        "so it stopped during AUTH"
    )
    assert "slowly" in outcome.hint
    assert steps[-1] == "AUTH" and "DATA" not in steps


@pytest.fixture
def blackhole(tmp_path: Path):
    reason = can_use_dns_blackhole()
    if reason:
        pytest.skip(reason)
    with dns_blackhole(tmp_path) as prefix:
        yield prefix


def test_the_cli_returns_when_the_name_server_never_answers(blackhole, db, vault, db_path) -> None:
    """Before: asyncio.run waited at exit for the getaddrinfo thread (here 15 s)."""
    settings = SmtpSettings(db, vault)
    settings.save(definition(name="OFFICE", mail_server="mail.blackhole.test", timeout_seconds=2),
                  PasswordChange.set("bob-pw"), None)
    # Start-up cost on this machine right now: a test that fails at once.
    settings.save(definition(name="REFUSED", mail_server="127.0.0.1", port=free_port(), timeout_seconds=2),
                  PasswordChange.set("bob-pw"), None)

    def timed(name: str) -> tuple[float, subprocess.CompletedProcess]:
        start = time.monotonic()
        result = subprocess.run(
            [*blackhole, str(BIN), "--db", str(db_path), "smtp", "test", name],
            capture_output=True, text=True, timeout=60, env=os.environ.copy(), stdin=subprocess.DEVNULL,
        )
        return time.monotonic() - start, result

    start_up, refused = timed("REFUSED")
    assert refused.stderr.startswith("FAILED at connect: connection refused"), refused.stderr
    elapsed, result = timed("OFFICE")
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(
        "FAILED at resolve: could not resolve mail.blackhole.test within 2 seconds."
    )
    assert elapsed < start_up + 2 + 1, (start_up, elapsed)
