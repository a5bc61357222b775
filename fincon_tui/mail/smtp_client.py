"""aiosmtplib's client with every command and reply written to a Transcript."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Literal

import aiosmtplib
from aiosmtplib.typing import Default

from fincon_tui.mail.transcript import Transcript

#: The step a command starts, by its verb (AUTH continuation lines are not verbs).
_STEPS = {b"EHLO": "EHLO", b"HELO": "HELO", b"AUTH": "AUTH", b"MAIL": "MAIL FROM",
          b"RCPT": "RCPT TO", b"DATA": "DATA"}
_LINE_ENDS = re.compile(rb"\r\n|\r|\n")
_LEADING_DOT = re.compile(rb"(?m)^\.")
_HEADER_NAME = re.compile(rb"(?m)^([!-9;-~]+):")
#: aiosmtplib's timeout argument: seconds, None (none), or its token for the client's own.
Timeout = float | Literal[Default.token] | None


class LoggingSMTP(aiosmtplib.SMTP):
    """aiosmtplib.SMTP that writes every command and reply to a transcript,
    with AUTH arguments and the replies to its challenges shown as ***,
    and reports the step each command starts."""

    def __init__(self, transcript: Transcript, on_step: Callable[[str], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.transcript = transcript
        self.on_step = on_step
        self._in_auth = False

    async def execute_command(self, *args: bytes, timeout: Timeout = Default.token) -> aiosmtplib.SMTPResponse:
        verb = args[0].upper() if args else b""
        if self._in_auth:
            shown = "***"
        elif verb == b"AUTH":
            shown = f"AUTH {args[1].decode(errors='replace')} ***" if len(args) > 1 else "AUTH ***"
        else:
            shown = b" ".join(args).decode(errors="replace")
        if not self._in_auth and verb in _STEPS:
            self.on_step(_STEPS[verb])
        self._in_auth = verb == b"AUTH" or self._in_auth
        self.transcript.client(shown)
        response = await super().execute_command(*args, timeout=timeout)
        self.transcript.server(response.code, response.message)
        self._in_auth = response.code == 334
        return response

    async def data(self, message: str | bytes, /, *, timeout: Timeout = Default.token) -> aiosmtplib.SMTPResponse:
        """DATA, the message and its reply, each in the transcript (the
        library sends them in one call that a transcript cannot see)."""
        timeout = self.timeout if timeout is Default.token else timeout
        start = await self.execute_command(b"DATA", timeout=timeout)
        if start.code != 354:
            raise aiosmtplib.SMTPDataError(start.code, start.message)
        body = message.encode("ascii") if isinstance(message, str) else message
        headers = [name.decode() for name in _HEADER_NAME.findall(body.split(b"\r\n\r\n", 1)[0])]
        self.transcript.note(f"message of {len(body)} bytes with headers {', '.join(headers)}")
        body = _LEADING_DOT.sub(b"..", _LINE_ENDS.sub(b"\r\n", body))
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        if self.protocol is None:
            raise aiosmtplib.SMTPServerDisconnected("Connection lost")
        self.transcript.client(".")
        try:
            self.protocol.write(body + b".\r\n")
            response = await self.protocol.read_response(timeout=timeout)
        except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError):
            self.close()
            raise
        self.transcript.server(response.code, response.message)
        if response.code != 250:
            raise aiosmtplib.SMTPDataError(response.code, response.message)
        return response
