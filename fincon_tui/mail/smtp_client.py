"""aiosmtplib's client with every command and reply written to a Transcript."""

from __future__ import annotations

from collections.abc import Callable

import aiosmtplib
from aiosmtplib.typing import Default

from fincon_tui.mail.transcript import Transcript

#: The step a command starts, by its verb (AUTH continuation lines are not verbs).
_STEPS = {b"EHLO": "EHLO", b"HELO": "HELO", b"AUTH": "AUTH", b"MAIL": "MAIL FROM",
          b"RCPT": "RCPT TO", b"DATA": "DATA"}


class LoggingSMTP(aiosmtplib.SMTP):
    """aiosmtplib.SMTP that writes every command and reply to a transcript,
    with AUTH arguments and the replies to its challenges shown as ***,
    and reports the step each command starts."""

    def __init__(self, transcript: Transcript, on_step: Callable[[str], None], **kwargs) -> None:
        super().__init__(**kwargs)
        self.transcript = transcript
        self.on_step = on_step
        self._in_auth = False

    async def execute_command(self, *args: bytes, timeout=Default.token):
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
