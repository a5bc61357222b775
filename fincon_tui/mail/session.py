"""Talk to the SMTP server of a definition: login test and test email.

Time limits, with T the definition's Time Out in seconds:

* every step waits at most T seconds: the DNS look-up, the TCP connection,
  the TLS handshake, and each reply of the server (greeting, EHLO, STARTTLS,
  each AUTH round, MAIL FROM, each RCPT TO, DATA, the reply to the message);
* the whole session, from the DNS look-up to the last reply, takes at most
  2 × T seconds (`deadline_seconds`); QUIT after a result only gets what is
  left of that, and a QUIT that fails does not change the result.

When a limit passes the session stops, the Outcome names the step, and
nothing is left that the program must wait for when it exits (mail.network).

Use TLS = Y means TLS from the first byte on an implicit-TLS port (465) and
STARTTLS on any other port; when STARTTLS is not offered the attempt stops
before any credential is sent, and a login without its password stops
before connecting (an empty password would count as a failed login).
Certificates are verified for the Mail Server name against the system
trust store (SSL_CERT_FILE can point elsewhere).
Failures come back as an Outcome that names the step and gives a hint a
person can act on (mail.explain); server text in it is shown with control
characters escaped and the password masked.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Protocol

import aiosmtplib
from aiosmtplib.auth import auth_login_encode, auth_plain_encode, auth_xoauth2_encode

from fincon_tui._exceptions import StepFailed
from fincon_tui.domain.login import Login
from fincon_tui.domain.smtp import SmtpDefinition
from fincon_tui.mail.explain import explain, one_line
from fincon_tui.mail.message import Sender, build_test_message
from fincon_tui.mail.network import Lookup, address_literal, connect, resolve
from fincon_tui.mail.outcome import Outcome, seconds
from fincon_tui.mail.security import IMPLICIT_TLS_ENV, implicit_tls_ports, security
from fincon_tui.mail.smtp_client import LoggingSMTP
from fincon_tui.mail.transcript import Transcript

__all__ = ["DEADLINE_FACTOR", "IMPLICIT_TLS_ENV", "Outcome", "Sender", "Session", "StepFailed",
           "check_login", "deadline_seconds", "implicit_tls_ports", "security", "send_test_email"]

#: The whole session may take this many times the Time Out.
DEADLINE_FACTOR = 2


class TokenSource(Protocol):
    """Gets an OAuth 2.0 access token for an XOAUTH2 login."""

    describe: str

    async def access_token(self) -> str: ...


#: A password, a source of access tokens, or nothing (no login).
Credential = str | TokenSource | None


def deadline_seconds(definition: SmtpDefinition) -> float:
    """How long a whole login test or test email may take: 2 × Time Out."""
    return DEADLINE_FACTOR * definition.timeout_seconds


class Session:
    """One conversation with a definition's server.  `lookup` resolves the
    Mail Server (socket.getaddrinfo unless a test brings its own)."""

    def __init__(
        self,
        definition: SmtpDefinition,
        transcript: Transcript,
        on_step: Callable[[str], None] = lambda step: None,
        lookup: Lookup = socket.getaddrinfo,
    ) -> None:
        self.definition = definition
        self.transcript = transcript
        self.on_step = on_step
        self.lookup = lookup
        self.mode = security(definition)
        self.step = "resolve"
        self.smtp: LoggingSMTP | None = None
        self._sock: socket.socket | None = None  # ours until aiosmtplib takes it
        #: The server certificate's notAfter (ISO date, UTC), once TLS was negotiated.
        self.certificate_expires: str | None = None
        #: When the whole session must end (the loop's clock; set by _run).
        self.deadline: float | None = None

    def enter_step(self, step: str) -> None:
        """Begin `step`, unless the session's deadline has passed: the
        cancellation asyncio.timeout sends then can be lost on Python 3.11,
        whose asyncio.wait_for (aiosmtplib's, for each command) swallows one
        that comes just as its reply does, and the session ran on to the
        end (TimeoutError, taken by _run for the deadline's)."""
        if self.deadline is not None and asyncio.get_running_loop().time() >= self.deadline:
            raise TimeoutError
        self.step = step
        self.on_step(step)

    async def _token(self, login: Login, source: TokenSource) -> str:
        """An access token, got before any connection; never for a connection without TLS."""
        d = self.definition
        if self.mode == "none":
            raise StepFailed(Outcome(
                False, "token", f"Use TLS is N: an OAuth 2.0 login is never sent to {d.mail_server} "
                "unencrypted, so nothing was sent", "set Use TLS = Y"))
        self.enter_step("token")
        self.transcript.note(f"getting an access token ({source.describe})")
        try:
            token = await source.access_token()
        except OSError as error:  # requests: the token endpoint cannot be reached or is not trusted
            from fincon_tui._exceptions import TokenFailure

            raise TokenFailure("token_endpoint_unreachable", f"the token endpoint cannot be used ({error})",
                               "check the network, and SSL_CERT_FILE if a proxy re-signs TLS") from error
        self.transcript.hide(token, auth_xoauth2_encode(login.username, token).decode())
        self.transcript.note("access token received")
        return token

    async def open(self, login: Login | None, password: Credential) -> str:
        """(Get an access token,) resolve, connect, EHLO, secure, log in.
        Returns what was checked."""
        d, mode = self.definition, self.mode
        if login is not None and not password:  # an empty password is a failed login, and those lock mailboxes
            what, whose = "secret" if login.uses_oauth else "password", login.password_owner.describe()
            raise StepFailed(Outcome(False, "AUTH", f"no {what} for {login.username} ({whose}), so nothing was sent",
                                     f"enter the {what} of {whose}, then try again"))
        token, secret = None, password if isinstance(password, str) else None
        if login is not None and password is not None and not isinstance(password, str):
            token = await self._token(login, password)
        elif login is not None and secret:
            self.transcript.hide(secret, auth_plain_encode(login.username, secret).decode(),
                                 auth_login_encode(login.username, secret)[1].decode())
        self.enter_step("resolve")
        addresses = await resolve(d.mail_server, d.port, d.timeout_seconds, self.lookup)
        self.enter_step("connect")
        shown = ", ".join(dict.fromkeys(str(address[4][0]) for address in addresses))
        at = f" at {shown}" if shown != d.mail_server else ""
        self.transcript.note(f"connecting to {d.mail_server}:{d.port}{at} ({mode})")
        self._sock = await connect(addresses, d.timeout_seconds)
        self.smtp = LoggingSMTP(
            self.transcript,
            self.enter_step,
            hostname=d.mail_server,  # for TLS: SNI and the certificate check
            timeout=d.timeout_seconds,
            use_tls=mode == "implicit TLS",
            start_tls=False,
            tls_context=ssl.create_default_context() if mode != "none" else None,
            local_hostname=address_literal(self._sock),  # no DNS query for our own name
        )
        sock, self._sock = self._sock, None
        greeting = await self.smtp.connect(sock=sock)
        self.transcript.server(greeting.code, greeting.message)
        if mode == "implicit TLS":
            self.transcript.note("TLS from the first byte, certificate verified")
            self._note_certificate()
        await self.smtp.ehlo()
        if mode == "STARTTLS":
            self.enter_step("STARTTLS")
            if not self.smtp.supports_extension("starttls"):
                raise StepFailed(
                    Outcome(
                        False, "STARTTLS",
                        f"{d.mail_server}:{d.port} does not offer STARTTLS, so nothing was sent "
                        "(no credentials)",
                        "use port 465 (TLS from the first byte) if the provider offers it; "
                        "Use TLS = N only on a trusted network",
                    )
                )
            self.transcript.client("STARTTLS")
            reply = await self.smtp.starttls()
            self.transcript.server(reply.code, reply.message)
            self.transcript.note("TLS established, certificate verified")
            self._note_certificate()
            await self.smtp.ehlo()
        checked = {"none": "without TLS", "STARTTLS": "STARTTLS", "implicit TLS": "TLS"}[mode]
        if login is None:
            return f"connected to {d.mail_server}:{d.port} ({checked}), no login needed"
        self.enter_step("AUTH")
        if not self.smtp.supports_extension("auth"):
            raise StepFailed(
                Outcome(False, "AUTH", f"{d.mail_server} offers no authentication (AUTH)",
                        "set Authenticate = N if the server takes mail without a login")
            )
        if token is not None:
            if mode == "none" or not self.smtp.get_transport_info("sslcontext"):
                raise StepFailed(Outcome(False, "AUTH", "the connection is not encrypted: no token was sent"))
            if "xoauth2" not in self.smtp.server_auth_methods:
                raise StepFailed(Outcome(
                    False, "AUTH", f"{d.mail_server} does not offer XOAUTH2 (offers "
                    f"{', '.join(self.smtp.server_auth_methods) or 'nothing'})",
                    "OAuth 2.0 logins need a server that takes them, such as smtp.office365.com or smtp.gmail.com"))
            await self.smtp.auth_xoauth2(login.username, token)
            return f"connected to {d.mail_server}:{d.port} ({checked}) and logged in with OAuth 2.0 as {login.username}"
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
        await authenticate(login.username, secret or "")
        return f"connected to {d.mail_server}:{d.port} ({checked}) and logged in as {login.username}"

    def _note_certificate(self) -> None:
        """Keep the verified server certificate's notAfter."""
        assert self.smtp is not None
        certificate = self.smtp.get_transport_info("peercert")
        not_after = certificate.get("notAfter") if isinstance(certificate, dict) else None
        if isinstance(not_after, str):
            self.certificate_expires = certificate_date(not_after)
            if self.certificate_expires:
                self.transcript.note(f"server certificate valid until {self.certificate_expires}")

    async def close(self, time_left: float) -> None:
        """QUIT within `time_left` seconds (and the Time Out), else just hang up."""
        if self.smtp is None or not self.smtp.is_connected:
            return
        if time_left < 0.05:
            self.abort()
            return
        self.enter_step("QUIT")
        try:
            await self.smtp.quit(timeout=min(time_left, self.definition.timeout_seconds))
        except (aiosmtplib.SMTPException, OSError):
            self.abort()

    def abort(self) -> None:
        if self.smtp is not None and self.smtp.is_connected:
            self.smtp.close()
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def certificate_date(not_after: str) -> str | None:
    """A certificate's notAfter as ssl gives it ('Mar  1 12:00:00 2027 GMT')
    as an ISO date in UTC ('2027-03-01'); None when it cannot be read."""
    from datetime import UTC, datetime

    try:
        return datetime.fromtimestamp(ssl.cert_time_to_seconds(not_after), UTC).date().isoformat()
    except (ValueError, OverflowError, OSError):
        return None


def _too_slow(session: Session, limit: float) -> Outcome:
    d, step = session.definition, session.step
    slow = (
        "the network is slow: each step took nearly the whole Time Out; check it, or raise Time Out"
        if step in ("resolve", "connect")
        else f"{d.mail_server} answers, but slowly: it may be overloaded or slow clients down on "
        "purpose (raise Time Out if it is just slow)"
    )
    return Outcome(False, step, f"the whole session took longer than {seconds(limit)} (twice the "
                   f"Time Out of {seconds(d.timeout_seconds)}), so it stopped during {step}", slow)


async def _run(session: Session, work: Callable[[], Awaitable[Outcome]]) -> Outcome:
    loop = asyncio.get_running_loop()
    limit = deadline_seconds(session.definition)
    deadline = session.deadline = loop.time() + limit
    scope = asyncio.timeout_at(deadline)
    redact = session.transcript.redact
    try:
        async with scope:
            outcome = await work()
    except asyncio.CancelledError:
        session.transcript.note("cancelled")
        session.abort()
        raise
    except Exception as error:  # every failure becomes an explained Outcome
        session.abort()
        if isinstance(error, TimeoutError) and (scope.expired() or loop.time() >= deadline):
            outcome = _too_slow(session, limit)
        else:
            outcome = explain(session.step, error, session.definition, session.mode)
        outcome = replace(outcome, message=redact(outcome.message), hint=redact(outcome.hint),
                          certificate_expires=session.certificate_expires)
        session.transcript.note(f"failed at {outcome.step}: {outcome.message}")
        return outcome
    try:
        await session.close(deadline - loop.time())
    except asyncio.CancelledError:
        session.abort()
        raise
    return replace(outcome, message=redact(outcome.message), hint=redact(outcome.hint),
                   certificate_expires=session.certificate_expires)


async def check_login(
    definition: SmtpDefinition,
    login: Login | None,
    password: Credential,
    transcript: Transcript,
    on_step: Callable[[str], None] = lambda step: None,
    lookup: Lookup = socket.getaddrinfo,
) -> Outcome:
    """Connect, secure, log in and QUIT.  Never sends a message."""
    session = Session(definition, transcript, on_step, lookup)

    async def work() -> Outcome:
        checked = await session.open(login, password)
        what = "connection and login OK" if login else "connection OK"
        return Outcome(True, "QUIT", f"{what} – no message was sent ({checked})")

    return await _run(session, work)


async def send_test_email(
    definition: SmtpDefinition,
    login: Login | None,
    password: Credential,
    sender: Sender,
    recipient: str,
    transcript: Transcript,
    on_step: Callable[[str], None] = lambda step: None,
    lookup: Lookup = socket.getaddrinfo,
) -> Outcome:
    """Send a short message; the definition's BCC is an envelope recipient only."""
    session = Session(definition, transcript, on_step, lookup)

    async def work() -> Outcome:
        session.enter_step("message")
        message = build_test_message(definition, sender, recipient).as_bytes()
        recipients = [recipient] + ([definition.bcc] if definition.bcc else [])
        await session.open(login, password)
        assert session.smtp is not None
        transcript.note(f"sending to {', '.join(recipients)}")
        refused, _ = await session.smtp.sendmail(sender.address, recipients, message)
        if refused:
            listed = "; ".join(f"{who}: {reply.code} {one_line(reply.message)}" for who, reply in refused.items())
            return Outcome(False, "RCPT TO", f"sent, but the server refused {listed}", "check the address")
        bcc = f" with a BCC copy to {definition.bcc}" if definition.bcc else ""
        return Outcome(
            True, "DATA",
            f"test email accepted by {definition.mail_server} for {recipient}{bcc} – "
            "delivery is now up to the receiving servers",
        )

    return await _run(session, work)
