"""Real SMTP servers on 127.0.0.1 for the tests: aiosmtpd with trustme certificates."""

from __future__ import annotations

import contextlib
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

USERS = {"bob": "bob-pw", "alice": "alice-pw", "shared@corp.example": "shared-pw"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Mailbox:
    """What a test server saw."""

    commands: list[str] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK queued"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            user, password = auth_data.login.decode(), auth_data.password.decode()
            self.logins.append((user, password))
            return AuthResult(success=USERS.get(user) == password, handled=False)
        return AuthResult(success=False, handled=False)


class RecordingSMTP(SMTP):
    """Records every command verb it receives."""

    async def smtp_AUTH(self, arg: str) -> None:
        self.event_handler.commands.append("AUTH")
        await super().smtp_AUTH(arg)

    async def smtp_STARTTLS(self, arg: str) -> None:
        self.event_handler.commands.append("STARTTLS")
        await super().smtp_STARTTLS(arg)


class RecordingController(Controller):
    def factory(self) -> SMTP:
        return RecordingSMTP(self.handler, **self.SMTP_kwargs)


@dataclass
class Certificates:
    ca: trustme.CA
    ca_file: Path

    def server_context(self, *hosts: str) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ca.issue_cert(*(hosts or ("localhost", "127.0.0.1"))).configure_cert(context)
        return context


def make_certificates(folder: Path) -> Certificates:
    ca = trustme.CA()
    path = folder / "test-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return Certificates(ca, path)


@contextlib.contextmanager
def smtp_server(
    *,
    starttls: ssl.SSLContext | None = None,
    implicit: ssl.SSLContext | None = None,
    auth: bool = True,
    mechanisms_excluded: tuple[str, ...] = (),
) -> Iterator[tuple[int, Mailbox]]:
    """An SMTP server on 127.0.0.1: plain, STARTTLS (`starttls` context) or
    TLS from the first byte (`implicit` context); AUTH PLAIN/LOGIN if `auth`."""
    mailbox = Mailbox()
    port = free_port()
    kwargs: dict = {}
    if starttls is not None:
        kwargs["tls_context"] = starttls
    if auth:
        kwargs.update(
            authenticator=mailbox.authenticate,
            auth_require_tls=False,
            auth_exclude_mechanism=list(mechanisms_excluded),
        )
    controller = RecordingController(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        ssl_context=implicit,
        server_hostname="mail.test",
        **kwargs,
    )
    controller.start()
    try:
        yield port, mailbox
    finally:
        controller.stop()


@contextlib.contextmanager
def silent_server() -> Iterator[int]:
    """Accepts TCP connections (in the backlog) and never says anything."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(5)
        yield sock.getsockname()[1]
