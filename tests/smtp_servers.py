"""Real SMTP servers on 127.0.0.1 for the tests: aiosmtpd with trustme certificates."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
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
    #: The logins the server accepts: username -> password.
    accounts: dict[str, str] = field(default_factory=lambda: dict(USERS))
    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK queued"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            user, password = auth_data.login.decode(), auth_data.password.decode()
            self.logins.append((user, password))
            return AuthResult(success=self.accounts.get(user) == password, handled=False)
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

    def server_context(self, *hosts: str, expired: bool = False,
                       not_after: datetime | None = None) -> ssl.SSLContext:
        """A server context with a certificate from this CA for `hosts`
        (localhost and 127.0.0.1 by default), one that expired yesterday if
        asked, or that ends at `not_after`."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        dates = {}
        now = datetime.now(UTC)
        if expired:
            dates = dict(not_before=now - timedelta(days=30), not_after=now - timedelta(days=1))
        elif not_after is not None:
            dates = dict(not_before=now - timedelta(days=30), not_after=not_after)
        self.ca.issue_cert(*(hosts or ("localhost", "127.0.0.1")), **dates).configure_cert(context)
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


@contextlib.contextmanager
def scripted_server(serve: Callable[[socket.socket], None]) -> Iterator[int]:
    """A TCP server on 127.0.0.1 that runs `serve(connection)` in a thread per
    connection: for servers that misbehave in ways aiosmtpd will not."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    connections: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            connections.append(connection)
            threading.Thread(target=_serve_quietly, args=(serve, connection), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)
        listener.close()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()


def _serve_quietly(serve: Callable[[socket.socket], None], connection: socket.socket) -> None:
    with contextlib.suppress(OSError, ValueError):
        serve(connection)


def tarpit(delay: float) -> Callable[[socket.socket], None]:
    """An SMTP server (no TLS, AUTH PLAIN) that waits `delay` seconds before
    each reply: every single step stays under a Time Out just above `delay`."""

    def serve(connection: socket.socket) -> None:
        lines = connection.makefile("rb")
        time.sleep(delay)
        connection.sendall(b"220 tarpit.test ESMTP\r\n")
        while line := lines.readline():
            verb = line.split(b" ", 1)[0].strip().upper()
            time.sleep(delay)
            if verb == b"EHLO":
                connection.sendall(b"250-tarpit.test\r\n250 AUTH PLAIN LOGIN\r\n")
            elif verb == b"DATA":
                connection.sendall(b"354 go ahead\r\n")
                while lines.readline() not in (b".\r\n", b""):
                    pass
                time.sleep(delay)
                connection.sendall(b"250 queued\r\n")
            elif verb == b"QUIT":
                connection.sendall(b"221 bye\r\n")
                return
            else:
                connection.sendall(b"250 OK\r\n" if verb != b"AUTH" else b"235 OK\r\n")

    return serve


@contextlib.contextmanager
def dns_blackhole(folder: Path) -> Iterator[list[str]]:
    """A name server that never answers, for a child process only.

    A UDP socket on a random 127.x.y.z:53 receives the queries and never
    replies.  The yielded command prefix runs a program in a private mount
    namespace where /etc/resolv.conf names that server and /etc/nsswitch.conf
    sends host look-ups to files and DNS only (needs root and unshare)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for _ in range(20):  # another test process may hold one address already
            address = f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(2, 254)}"
            try:
                sock.bind((address, 53))
                break
            except OSError:
                continue
        resolv = folder / "resolv.conf"
        # The longest tries glibc allows (30 s, then longer each time): a
        # program that waits for the resolver waits minutes.
        resolv.write_text(f"nameserver {address}\noptions timeout:30 attempts:5\n")
        nsswitch = folder / "nsswitch.conf"
        nsswitch.write_text("hosts: files dns\n")
        script = (
            f"mount --bind {resolv} /etc/resolv.conf && "
            f"mount --bind {nsswitch} /etc/nsswitch.conf && exec \"$@\""
        )
        yield ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh"]


def can_use_dns_blackhole() -> str:
    """Why dns_blackhole() cannot work here, or '' when it can."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return "needs root and unshare"
    probe = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "true"], capture_output=True
    )
    return "" if probe.returncode == 0 else f"unshare --mount fails: {probe.stderr.decode().strip()}"


def stripping_starttls(commands: list[str]) -> Callable[[socket.socket], None]:
    """An SMTP server that offers STARTTLS, answers it with 220 and then goes
    on in plain text, as a broken server or a TLS-stripping middlebox would.
    Every command line it receives is appended to `commands`."""

    def serve(connection: socket.socket) -> None:
        lines = connection.makefile("rb")
        connection.sendall(b"220 strip.test ESMTP\r\n")
        while line := lines.readline():
            commands.append(line.decode(errors="replace").strip())
            verb = line.split(b" ", 1)[0].strip().upper()
            if verb == b"EHLO":
                connection.sendall(b"250-strip.test\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n")
            elif verb == b"STARTTLS":
                connection.sendall(b"220 2.0.0 Ready to start TLS\r\n")
                connection.recv(4096)  # the client's TLS hello, answered in plain text
                connection.sendall(b"250 strip.test plain text here\r\n")
                while connection.recv(4096):
                    pass
                return
            else:
                connection.sendall(b"250 OK\r\n")

    return serve


#: Terminal control in server text: set the window title, clear the screen,
#: a C1 CSI, DEL, a right-to-left override and a byte that is not UTF-8.
HOSTILE_TEXT = b"\x1b]2;pwned\x07 \x1b[2J \xc2\x9b31m \x7f \xe2\x80\xae \xff"


def hostile(connection: socket.socket) -> None:
    """An SMTP server (no TLS) whose banner and replies hold terminal control
    sequences, and which echoes the AUTH argument back in its refusal."""
    lines = connection.makefile("rb")
    connection.sendall(b"220 evil.test " + HOSTILE_TEXT + b" ESMTP\r\n")
    while line := lines.readline():
        words = line.strip().split(b" ")
        verb = words[0].upper()
        if verb == b"EHLO":
            connection.sendall(b"250-evil.test " + HOSTILE_TEXT + b"\r\n250 AUTH PLAIN LOGIN\r\n")
        elif verb == b"AUTH":
            connection.sendall(b"535-5.7.8 " + HOSTILE_TEXT + b"\r\n535 5.7.8 bad: " + words[-1] + b"\r\n")
        elif verb == b"QUIT":
            connection.sendall(b"221 bye\r\n")
            return
        else:
            connection.sendall(b"250 OK " + HOSTILE_TEXT + b"\r\n")
