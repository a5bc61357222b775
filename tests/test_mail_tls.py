"""TLS failures are explained alike for STARTTLS and TLS from the first byte
(port 465), and each hint fits what happened; real servers and certificates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from smtp_servers import (
    make_certificates,
    scripted_server,
    silent_server,
    smtp_server,
    stripping_starttls,
)
from support import definition

from fincon_tui.domain.login import effective_login
from fincon_tui.mail.session import IMPLICIT_TLS_ENV, check_login
from fincon_tui.mail.transcript import Transcript


async def login_test(port: int, transcript: Transcript | None = None):
    smtp = definition(mail_server="localhost", port=port, timeout_seconds=2, username="bob")
    return await check_login(smtp, effective_login(smtp, "", ""), "bob-pw", transcript or Transcript())


def trust_another_ca(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "other").mkdir()
    monkeypatch.setenv("SSL_CERT_FILE", str(make_certificates(tmp_path / "other").ca_file))


@pytest.mark.parametrize("mode", ["implicit", "starttls"])
@pytest.mark.parametrize(
    ("problem", "message", "hint"),
    [
        ("untrusted", "the server's certificate is not trusted (unable to get local issuer certificate)",
         "install the issuing CA in the system trust store, or point SSL_CERT_FILE at it"),
        ("another host", "the server's certificate is for another host, not localhost",
         "use the host name the certificate was issued for as Mail Server"),
        ("expired", "the server's certificate has expired (certificate has expired)",
         "the mail server's administrator must renew the certificate; if it should still be valid, "
         "check this computer's date and time"),
    ],
)
async def test_certificate_problems_are_explained(
    certs, tmp_path, monkeypatch, mode, problem, message, hint
) -> None:
    if problem == "another host":
        context = certs.server_context("mail.elsewhere.example")
    else:
        context = certs.server_context(expired=problem == "expired")
    with smtp_server(**{mode: context}) as (port, mailbox):
        if mode == "implicit":
            monkeypatch.setenv(IMPLICIT_TLS_ENV, str(port))
        if problem == "untrusted":
            trust_another_ca(tmp_path, monkeypatch)
        outcome = await login_test(port)
    assert (outcome.ok, outcome.step, outcome.message, outcome.hint) == (False, "TLS", message, hint)
    assert "CERTIFICATE_VERIFY_FAILED" not in outcome.text()
    assert mailbox.logins == []


async def test_plain_text_after_starttls_220_is_not_a_port_problem() -> None:
    commands: list[str] = []
    transcript = Transcript()
    with scripted_server(stripping_starttls(commands)) as port:
        outcome = await login_test(port, transcript)
    assert not outcome.ok and outcome.step == "STARTTLS"
    assert outcome.message.startswith(
        f"localhost:{port} accepted STARTTLS but then answered in plain text instead of TLS"
    )
    assert outcome.message.endswith("nothing more was sent")
    # No other port is suggested (the test server's own random port may hold the digits).
    assert not re.search(r"(?<![\d:])(587|465)(?!\d)", outcome.text()), outcome.text()
    assert outcome.hint.startswith("the port is not the problem")
    assert "strips TLS" in outcome.hint
    assert [c.split(" ")[0] for c in commands] == ["EHLO", "STARTTLS"]  # no AUTH, no password
    assert transcript.lines[-2:] == ["C: STARTTLS", f"-- failed at STARTTLS: {outcome.message}"]


@pytest.mark.parametrize("mode", ["implicit", "starttls"])
async def test_the_certificate_is_checked_for_the_name_not_the_resolved_address(
    certs, monkeypatch, mode
) -> None:
    transcript = Transcript()
    with smtp_server(**{mode: certs.server_context("localhost")}) as (port, mailbox):
        if mode == "implicit":
            monkeypatch.setenv(IMPLICIT_TLS_ENV, str(port))
        outcome = await login_test(port, transcript)
    assert outcome.ok, outcome
    assert f"-- connecting to localhost:{port} at " in transcript.lines[0]  # by address
    assert mailbox.logins == [("bob", "bob-pw")]


async def test_a_silent_tls_handshake_on_465_is_named(monkeypatch) -> None:
    with silent_server() as port:
        monkeypatch.setenv(IMPLICIT_TLS_ENV, str(port))
        smtp = definition(mail_server="127.0.0.1", port=port, timeout_seconds=1)
        outcome = await check_login(smtp, effective_login(smtp, "", ""), "bob-pw", Transcript())
    assert (outcome.step, outcome.message) == (
        "TLS", f"the TLS handshake with 127.0.0.1:{port} got no answer within 1 second"
    )
    assert not re.search(r"(?<![\d:])587(?!\d)", outcome.hint), outcome.hint  # the server's own port aside
