"""Talk to the SMTP server of a definition: login test and test email.

Every step is bounded by the definition's Time Out.  Use TLS = Y means TLS
from the first byte on an implicit-TLS port (465) and STARTTLS on any other
port; when STARTTLS is not offered the attempt stops before any credential
is sent.  Certificates are verified against the system trust store
(SSL_CERT_FILE can point elsewhere).  Failures come back as an Outcome that
names the step and gives a hint a person can act on.
"""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import aiosmtplib
from aiosmtplib.typing import Default

from fincon_tui.domain.login import Login
from fincon_tui.domain.smtp import SmtpDefinition
from fincon_tui.mail.transcript import Transcript

#: Ports where Use TLS = Y means TLS from the first byte (RFC 8314).
IMPLICIT_TLS_ENV = "FINCON_TUI_IMPLICIT_TLS_PORTS"


def implicit_tls_ports() -> frozenset[int]:
    """465, or the comma-separated ports in $FINCON_TUI_IMPLICIT_TLS_PORTS."""
    raw = os.environ.get(IMPLICIT_TLS_ENV, "465")
    return frozenset(int(part) for part in raw.split(",") if part.strip().isdigit())


def security(definition: SmtpDefinition) -> str:
    """How the connection is secured: 'implicit TLS', 'STARTTLS' or 'none'."""
    if not definition.use_tls:
        return "none"
    return "implicit TLS" if definition.port in implicit_tls_ports() else "STARTTLS"


@dataclass(frozen=True)
class Outcome:
    """The result of a session: what was checked, or which step failed and why."""

    ok: bool
    step: str
    message: str
    hint: str = ""

    def text(self) -> str:
        if not self.hint:
            return self.message
        return f"{self.message}. {self.hint[0].upper()}{self.hint[1:]}."


@dataclass(frozen=True)
class Sender:
    name: str
    address: str


class StepFailed(Exception):
    """A step failed with an explanation already worked out."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.message)
        self.outcome = outcome


class _LoggingSMTP(aiosmtplib.SMTP):
    """aiosmtplib.SMTP that writes every command and reply to a transcript,
    with AUTH arguments and the replies to its challenges shown as ***."""

    def __init__(self, transcript: Transcript, **kwargs) -> None:
        super().__init__(**kwargs)
        self.transcript = transcript
        self._in_auth = False

    async def execute_command(self, *args: bytes, timeout=Default.token):
        verb = args[0].upper() if args else b""
        if verb == b"AUTH":
            shown = f"AUTH {args[1].decode(errors='replace')} ***" if len(args) > 1 else "AUTH ***"
            self._in_auth = True
        elif self._in_auth:
            shown = "***"
        else:
            shown = b" ".join(args).decode(errors="replace")
        self.transcript.client(shown)
        response = await super().execute_command(*args, timeout=timeout)
        self.transcript.server(response.code, response.message)
        self._in_auth = response.code == 334
        return response


def _certificate_problem(error: ssl.SSLCertVerificationError, host: str) -> Outcome:
    reason = error.verify_message or str(error)
    if "mismatch" in reason.lower():
        return Outcome(
            False,
            "TLS",
            f"the server's certificate is for another host, not {host}",
            "use the host name the certificate was issued for as Mail Server",
        )
    return Outcome(
        False,
        "TLS",
        f"the server's certificate is not trusted ({reason})",
        "install the issuing CA in the system trust store, or point SSL_CERT_FILE at it",
    )


def explain(step: str, error: BaseException, definition: SmtpDefinition) -> Outcome:
    """Turn an exception from `step` into an Outcome with a hint."""
    host, port, timeout = definition.mail_server, definition.port, definition.timeout_seconds
    where = f"{host}:{port}"
    if isinstance(error, StepFailed):
        return error.outcome
    if isinstance(error, ssl.SSLCertVerificationError):
        return _certificate_problem(error, host)
    if isinstance(error, ssl.SSLError) or "WRONG_VERSION_NUMBER" in str(error):
        if "WRONG_VERSION_NUMBER" in str(error) or "wrong version number" in str(error):
            return Outcome(
                False,
                step,
                f"{where} expects a plain connection upgraded with STARTTLS, not TLS "
                "from the first byte (OpenSSL: WRONG_VERSION_NUMBER)",
                "use port 587 (or 25) with Use TLS = Y, which means STARTTLS there",
            )
        return Outcome(False, step, f"the TLS handshake with {where} failed: {error}")
    if isinstance(error, socket.gaierror):
        return Outcome(False, "resolve", f"cannot resolve host {host}", "check the Mail Server name")
    if isinstance(error, aiosmtplib.SMTPAuthenticationError):
        return Outcome(
            False, "AUTH", f"authentication rejected: {error.code} {error.message}",
            "check the username and password",
        )
    if isinstance(error, aiosmtplib.SMTPSenderRefused):
        return Outcome(
            False, "MAIL FROM", f"sender {error.sender} refused: {error.code} {error.message}",
            "the login may not be allowed to send as this address",
        )
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        refused = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in error.recipients)
        return Outcome(False, "RCPT TO", f"recipient refused ({refused})", "check the address")
    if isinstance(error, (aiosmtplib.SMTPConnectTimeoutError, asyncio.TimeoutError, TimeoutError)) or (
        isinstance(error, aiosmtplib.SMTPTimeoutError)
    ):
        if step == "connect" and security(definition) != "implicit TLS":
            return Outcome(
                False, step,
                f"no answer from {where} within {timeout} seconds",
                "a firewall may drop the connection, or the server speaks TLS from the first "
                "byte (use port 465 with Use TLS = Y)",
            )
        return Outcome(False, step, f"no answer from {where} within {timeout} seconds during {step}",
                       "check the host, the port and any firewall")
    if isinstance(error, ConnectionRefusedError) or isinstance(
        error.__cause__, ConnectionRefusedError
    ):
        return Outcome(
            False, "connect", f"connection refused by {where}",
            "check the Port, and that the mail server is running",
        )
    if isinstance(error, aiosmtplib.SMTPServerDisconnected):
        return Outcome(False, step, f"{where} closed the connection during {step}")
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return Outcome(False, step, f"{step} refused: {error.code} {error.message}")
    if isinstance(error, aiosmtplib.SMTPConnectError):
        return Outcome(False, "connect", f"cannot connect to {where}: {error}")
    if isinstance(error, OSError):
        return Outcome(False, step, f"{step} failed: {error.strerror or error}")
    return Outcome(False, step, f"{step} failed: {type(error).__name__}: {error}")


class Session:
    """One conversation with a definition's server."""

    def __init__(
        self,
        definition: SmtpDefinition,
        transcript: Transcript,
        on_step: Callable[[str], None] = lambda step: None,
    ) -> None:
        self.definition = definition
        self.transcript = transcript
        self.on_step = on_step
        self.step = "resolve"
        self.smtp: _LoggingSMTP | None = None

    def enter_step(self, step: str) -> None:
        self.step = step
        self.on_step(step)

    async def open(self, login: Login | None, password: str | None) -> str:
        """Resolve, connect, EHLO, secure, log in.  Returns what was checked."""
        d = self.definition
        mode = security(d)
        self.enter_step("resolve")
        loop = asyncio.get_running_loop()
        await asyncio.wait_for(
            loop.getaddrinfo(d.mail_server, d.port, type=socket.SOCK_STREAM), d.timeout_seconds
        )
        self.enter_step("connect")
        self.transcript.note(f"connecting to {d.mail_server}:{d.port} ({mode})")
        context = ssl.create_default_context() if mode != "none" else None
        self.smtp = _LoggingSMTP(
            self.transcript,
            hostname=d.mail_server,
            port=d.port,
            timeout=d.timeout_seconds,
            use_tls=mode == "implicit TLS",
            start_tls=False,
            tls_context=context,
        )
        greeting = await self.smtp.connect()
        self.transcript.server(greeting.code, greeting.message)
        self.enter_step("EHLO")
        await self.smtp.ehlo()
        if mode == "STARTTLS":
            self.enter_step("STARTTLS")
            if not self.smtp.supports_extension("starttls"):
                raise StepFailed(
                    Outcome(
                        False, "STARTTLS",
                        f"{d.mail_server}:{d.port} does not offer STARTTLS, so nothing was sent "
                        "(no credentials)",
                        "use port 465 if the server speaks TLS from the first byte; "
                        "Use TLS = N only on a trusted network",
                    )
                )
            self.transcript.client("STARTTLS")
            reply = await self.smtp.starttls(tls_context=context)
            self.transcript.server(reply.code, reply.message)
            self.transcript.note("TLS established, certificate verified")
            await self.smtp.ehlo()
        elif mode == "implicit TLS":
            self.transcript.note("TLS from the first byte, certificate verified")
        checked = {"none": "without TLS", "STARTTLS": "STARTTLS", "implicit TLS": "TLS"}[mode]
        if login is None:
            return f"connected to {d.mail_server}:{d.port} ({checked}), no login needed"
        self.enter_step("AUTH")
        if not self.smtp.supports_extension("auth"):
            raise StepFailed(
                Outcome(False, "AUTH", f"{d.mail_server} offers no authentication (AUTH)",
                        "set Authenticate = N if the server takes mail without a login")
            )
        # One mechanism, the strongest plain one offered: retrying others after
        # a refusal only repeats the same password to the same server.
        methods = self.smtp.supported_auth_methods
        method = next((m for m in ("plain", "login") if m in methods), None)
        if method is None:
            raise StepFailed(
                Outcome(False, "AUTH", f"{d.mail_server} offers only {', '.join(methods)} "
                        "authentication, which fincon-tui does not use", "ask for AUTH PLAIN or LOGIN over TLS")
            )
        authenticate = self.smtp.auth_plain if method == "plain" else self.smtp.auth_login
        await authenticate(login.username, password or "")
        return f"connected to {d.mail_server}:{d.port} ({checked}) and logged in as {login.username}"

    async def close(self) -> None:
        if self.smtp is None or not self.smtp.is_connected:
            return
        self.enter_step("QUIT")
        try:
            await self.smtp.quit()
        except aiosmtplib.SMTPException:
            self.smtp.close()

    def abort(self) -> None:
        if self.smtp is not None and self.smtp.is_connected:
            self.smtp.close()


async def _run(session: Session, work) -> Outcome:
    try:
        outcome = await work()
        await session.close()
        return outcome
    except asyncio.CancelledError:
        session.transcript.note("cancelled")
        session.abort()
        raise
    except Exception as error:  # every failure becomes an explained Outcome
        session.abort()
        outcome = explain(session.step, error, session.definition)
        session.transcript.note(f"failed at {outcome.step}: {outcome.message}")
        return outcome


async def check_login(
    definition: SmtpDefinition,
    login: Login | None,
    password: str | None,
    transcript: Transcript,
    on_step: Callable[[str], None] = lambda step: None,
) -> Outcome:
    """Connect, secure, log in and QUIT.  Never sends a message."""
    session = Session(definition, transcript, on_step)

    async def work() -> Outcome:
        checked = await session.open(login, password)
        what = "connection and login OK" if login else "connection OK"
        return Outcome(True, "QUIT", f"{what} – no message was sent ({checked})")

    return await _run(session, work)


def build_test_message(definition: SmtpDefinition, sender: Sender, recipient: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((sender.name, sender.address))
    message["To"] = recipient
    message["Subject"] = f"fincon-tui test email through SMTP definition {definition.name}"
    message["Message-ID"] = make_msgid(domain="fincon-tui.invalid")
    message.set_content(
        f"This test email was sent by fincon-tui through the SMTP definition "
        f"{definition.name} ({definition.mail_server}:{definition.port}).\n"
    )
    return message


async def send_test_email(
    definition: SmtpDefinition,
    login: Login | None,
    password: str | None,
    sender: Sender,
    recipient: str,
    transcript: Transcript,
    on_step: Callable[[str], None] = lambda step: None,
) -> Outcome:
    """Send a short message; the definition's BCC is an envelope recipient only."""
    session = Session(definition, transcript, on_step)

    async def work() -> Outcome:
        await session.open(login, password)
        message = build_test_message(definition, sender, recipient)
        recipients = [recipient] + ([definition.bcc] if definition.bcc else [])
        session.enter_step("MAIL FROM")
        assert session.smtp is not None
        transcript.note(f"sending {len(message.as_bytes())} bytes to {', '.join(recipients)}")
        refused, _ = await session.smtp.sendmail(sender.address, recipients, message.as_bytes())
        if refused:
            listed = "; ".join(f"{who}: {reply.code} {reply.message}" for who, reply in refused.items())
            return Outcome(False, "RCPT TO", f"sent, but the server refused {listed}", "check the address")
        bcc = f" with a BCC copy to {definition.bcc}" if definition.bcc else ""
        return Outcome(
            True, "DATA",
            f"test email accepted by {definition.mail_server} for {recipient}{bcc} – "
            "delivery is now up to the receiving servers",
        )

    return await _run(session, work)
