"""A typed character's echo in a real terminal, fincon-tui's SMTP form
against the bare app's 12 Inputs (bench/baseline.py), as ratios (issue 26:
echo median <= 1.3x, 99th percentile <= 1.5x, bytes per character <= 1.2x).

Run: .venv/bin/python bench/echo.py [RUNS] [CHARACTERS]
Each run starts both programs on a pseudo-terminal of 80x24 (fincon-tui on
a database an earlier start made, "1 1 1 OFFICE Enter y" to the details,
where Mail Server has the focus; the bare app on its Inputs, the first
focused), then types CHARACTERS letters one at a time into the focused
field.  Before each, the terminal has been quiet for QUIET seconds; the
echo is the time from writing the letter to reading the output that holds
it, and the letter's bytes are all the terminal is sent until it is quiet
again.  The letters are ones no escape sequence the programs write ends
with, so that only the echo can hold one.  CPU per character is the
child's (user + system, from /proc) over the typing, divided by the
characters.  A run's figures are the median and the 99th percentile of
its echoes; the table gives the median of the runs, A B A B.
"""

from __future__ import annotations

import os
import pty
import select
import statistics
import struct
import sys
import tempfile
import time
from fcntl import ioctl
from pathlib import Path
from termios import TIOCSWINSZ

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ratios import Figure, report
from startup import FORM_KEYS, FORM_MARKER

BASELINE = str(Path(__file__).resolve().parent / "baseline.py")
#: Letters that end none of the escape sequences Textual writes.
LETTERS = b"xzwvy"
#: Seconds without output that count as the terminal being quiet.
QUIET = 0.15


class Terminal:
    """A program on a pty of 80x24."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execvpe(argv[0], argv, env)
        ioctl(self.fd, TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))

    def read(self, timeout: float) -> bytes:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        return os.read(self.fd, 65536) if ready else b""

    def until(self, marker: bytes, timeout: float = 30.0) -> None:
        seen, deadline = b"", time.monotonic() + timeout
        while marker not in seen:
            if time.monotonic() > deadline:
                raise TimeoutError(f"never showed {marker!r}")
            seen = seen[-4096:] + self.read(1.0)

    def quiet(self) -> int:
        """Read until nothing comes for QUIET seconds; the bytes read."""
        total = 0
        while chunk := self.read(QUIET):
            total += len(chunk)
        return total

    def cpu(self) -> float:
        """The program's CPU seconds so far (user + system)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def typed(self, count: int) -> tuple[list[float], int, float]:
        """Echo seconds of `count` letters, their bytes, and CPU seconds a letter."""
        echoes, total = [], 0
        self.quiet()
        cpu = self.cpu()
        for n in range(count):
            letter = LETTERS[n % len(LETTERS):][:1]
            start = time.perf_counter()
            os.write(self.fd, letter)
            seen = b""
            while letter not in seen:
                chunk = self.read(10.0)
                if not chunk:
                    raise TimeoutError(f"{letter!r} was not echoed")
                seen += chunk
            echoes.append(time.perf_counter() - start)
            total += len(seen) + self.quiet()
        return echoes, total, (self.cpu() - cpu) / count

    def close(self) -> None:
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(runs: int, count: int) -> list[Figure]:
    figures = {
        "echo of a typed character, median": Figure("echo of a typed character, median", 1.3),
        "echo, 99th percentile": Figure("echo, 99th percentile", 1.5),
        "bytes per typed character": Figure("bytes per typed character", 1.2, unit="bytes"),
    }
    with tempfile.TemporaryDirectory() as tmp:
        env = {**{name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"},
               "TERM": "xterm-256color", "XDG_DATA_HOME": tmp, "XDG_CONFIG_HOME": tmp,
               "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
        fincon = [str(Path(sys.executable).parent / "fincon-tui"), "--db", f"{tmp}/echo.db"]
        sides = {"fincon": (fincon, FORM_KEYS, FORM_MARKER), "bare": ([sys.executable, BASELINE, "inputs"], b"",
                                                                       b"Field 12")}
        for n in range(runs + 1):  # the first makes the database and the bytecode caches
            for side, (argv, keys, marker) in sides.items():
                terminal = Terminal(argv, env)
                try:
                    if keys:
                        terminal.until(b"Main Menu")
                        os.write(terminal.fd, keys)
                    terminal.until(marker)
                    echoes, total, cpu = terminal.typed(count)
                finally:
                    terminal.close()
                if n == 0:
                    continue
                getattr(figures["echo of a typed character, median"], side).append((statistics.median(echoes), cpu))
                getattr(figures["echo, 99th percentile"], side).append((percentile(echoes, 0.99), cpu))
                getattr(figures["bytes per typed character"], side).append((total / count, 0.0))
    return list(figures.values())


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    report(f"A typed character's echo in a pty (80x24), {count} a run, median of {runs} runs A B A B",
           measure(runs, count))


if __name__ == "__main__":
    main()
