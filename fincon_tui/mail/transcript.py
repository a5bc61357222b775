"""The SMTP conversation as a person reads it, with credentials redacted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from fincon_tui.domain.visible import visible
from fincon_tui.folders import private_folder

#: Secrets shorter than this are not masked inside server text (they would
#: mask ordinary words); AUTH arguments are always shown as *** regardless.
MIN_MASKED = 4


class Transcript:
    """Lines of an SMTP session: 'C:' what we sent, 'S:' what the server said,
    '--' notes.  Each line is also handed to `on_line` as it happens.

    Every line passes through `redact`: secrets registered with `hide` become
    *** and control characters are shown as escapes (see domain/visible.py)."""

    def __init__(self, on_line: Callable[[str], None] | None = None) -> None:
        self.lines: list[str] = []
        self.on_line = on_line
        self._secrets: set[str] = set()

    def hide(self, *secrets: str) -> None:
        """Mask these strings wherever they appear from now on (a server echoing
        a password or an AUTH payload back, say)."""
        self._secrets.update(secret for secret in secrets if len(secret) >= MIN_MASKED)

    def redact(self, text: str) -> str:
        """`text` with hidden secrets as *** and control characters escaped."""
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        return visible(text)

    def _add(self, line: str) -> None:
        line = self.redact(line)
        self.lines.append(line)
        if self.on_line is not None:
            self.on_line(line)

    def client(self, text: str) -> None:
        self._add(f"C: {text}")

    def server(self, code: int, message: str) -> None:
        # aiosmtplib joins a multi-line reply with "\n"; any other line break
        # character inside a line is the server's and is shown escaped.
        for line in message.split("\n"):
            self._add(f"S: {code} {line}")

    def note(self, text: str) -> None:
        self._add(f"-- {text}")

    def save(self, folder: Path, name: str) -> Path:
        """Write the transcript to a new file in `folder` (made 0700, its
        missing parents too) and return its path.  The file is 0600 and
        never replaces another: two saved in the same second get -2, -3 ...
        in their names."""
        import os

        private_folder(folder)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in name)
        data = ("\n".join(self.lines) + "\n").encode("utf-8")
        for attempt in range(1, 1000):
            suffix = "" if attempt == 1 else f"-{attempt}"
            path = folder / f"smtp-{safe}-{stamp}{suffix}.log"
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue
            with os.fdopen(fd, "wb") as file:
                file.write(data)
            return path
        raise FileExistsError(f"too many logs named {path.name} in {folder}")
