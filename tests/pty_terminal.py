"""A real pseudo-terminal (pexpect) running the installed fincon-tui, or a
shell or tmux that runs it, its screen read by a terminal emulator (pyte):
what a user would see, every byte written, and the tty's modes at the end.

Every process a Terminal starts, and all that runs on its tty (a shell's
jobs, stopped or not), ends with the test (tests/processes.py)."""

from __future__ import annotations

import os
import re
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path

import pexpect
import pyte
from processes import started
from support import PATIENCE

BIN = Path(sys.executable).parent / "fincon-tui"
CTRL_Q = "\x11"
F10 = "\x1b[21~"


def modes_before(output: bytes, end: int) -> dict[bytes, bytes]:
    """The last word ('h' on, 'l' off) on each DEC private mode in `output[:end]`."""
    return {mode: state for mode, state in re.findall(rb"\x1b\[\?(\d+)([hl])", output[:end])}


class Terminal:
    """A pty running fincon-tui (or `command`), with what a user would see on
    it and every byte written to it (`output`)."""

    def __init__(self, args: list[str], term: str, command: str = str(BIN), size: tuple[int, int] = (80, 24),
                 **extra_env: str) -> None:
        columns, lines = size
        env = {**os.environ, "TERM": term, "COLUMNS": str(columns), "LINES": str(lines), **extra_env}
        env.pop("COLORTERM", None)
        self.child = pexpect.spawn(command, args, env=env, dimensions=(lines, columns), timeout=PATIENCE)
        started(self.child.pid)  # pexpect's child leads a session of its own (setsid)
        self.screen = pyte.Screen(columns, lines)
        self.stream = pyte.ByteStream(self.screen)
        self.bytes_read = 0
        self.output = bytearray()
        self.ended = False
        #: The tty's modes once the app has ended (termios.tcgetattr).
        self.modes: list = []

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def pump(self) -> None:
        try:
            while True:
                data = self.child.read_nonblocking(65536, timeout=0.05)
                self.bytes_read += len(data)
                self.output += data
                self.stream.feed(data)
        except pexpect.TIMEOUT:
            pass
        except pexpect.EOF:
            self.ended = True

    def wait_exit(self, timeout: float = PATIENCE) -> int | None:
        """Until the app has ended, reading all it writes; its exit status."""
        deadline = time.monotonic() + timeout
        while not self.ended and time.monotonic() < deadline:
            self.pump()
        assert self.ended, f"fincon-tui did not end; the screen shows:\n{self.text()}"
        self.modes = termios.tcgetattr(self.child.child_fd)  # the pty's: Linux answers for its other side
        self.child.close()
        return self.child.exitstatus

    def given_back(self) -> None:
        """The terminal is as the app found it: the tty cooked (echo, line
        editing, signals, CR read as Enter), and the last word on each mode the
        app turns on is 'off' (alternate screen, mouse, bracketed paste, focus
        reports) or 'on' (the cursor, line wrapping)."""
        iflag, _, _, lflag, *_ = self.modes
        assert lflag & termios.ECHO and lflag & termios.ICANON and lflag & termios.ISIG, "the tty is left raw"
        assert iflag & termios.ICRNL, "the tty is left raw"
        last = modes_before(bytes(self.output), len(self.output))
        left_on = [mode.decode() for mode in (b"1049", b"1000", b"1003", b"1006", b"1015", b"2004", b"1004")
                   if last.get(mode) == b"h"]
        assert not left_on, f"modes left on: {left_on}"
        assert last.get(b"25") == b"h", "the cursor is left hidden"
        assert last.get(b"7") == b"h", "line wrapping is left off"

    def wait_for(self, text: str, timeout: float = PATIENCE, gone: bool = False) -> None:
        """Until `text` is on the screen (with `gone`, until it is not)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.pump()
            if (text in self.text()) != gone:
                return
        raise AssertionError(f"{text!r} never {'went' if gone else 'appeared'}; the screen shows:\n{self.text()}")

    def wait_until(self, condition: Callable[[], bool], what: str) -> None:
        """Reading all the app writes, until `condition()` holds; fails
        saying that `what` never happened after PATIENCE."""
        deadline = time.monotonic() + PATIENCE
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"still waiting after {PATIENCE:g} s for: {what}; the screen shows:\n"
                                     f"{self.text()}")
            self.pump()

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def linger(self, seconds: float) -> None:
        """Read whatever comes for `seconds` (the cursor blinks every 0.5 s,
        so the output is never still for long)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.pump()

    def settle(self, wrote: bool = True, quiet: float = 0.3) -> None:
        """Read until the output has been still for `quiet` seconds (with
        `wrote`, after something has come)."""
        deadline = time.monotonic() + 10
        still_since = None if wrote else time.monotonic()
        while time.monotonic() < deadline:
            seen = self.bytes_read
            self.pump()
            if self.bytes_read != seen:
                still_since = time.monotonic()
            elif still_since is not None and time.monotonic() - still_since > quiet:
                return

    def cost(self, keys: str) -> int:
        """Bytes written for `keys`, once what came before has been written."""
        self.settle(wrote=False)
        before = self.bytes_read
        self.send(keys)
        self.settle()
        return self.bytes_read - before

    def close(self, confirm: bool = False) -> int:
        """Ctrl+Q; with `confirm`, answer Yes to the unsaved-changes question."""
        self.send(CTRL_Q)
        if confirm:
            self.wait_for("Unsaved changes will be lost – quit fincon-tui?")
            self.send("y")
        self.child.expect(pexpect.EOF, timeout=PATIENCE)
        self.child.close()
        return self.child.exitstatus
