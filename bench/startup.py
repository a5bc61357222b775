"""Cold start and peak memory in a real terminal, fincon-tui against the bare
Textual app of bench/baseline.py, as ratios (A B A B, median of the runs).

Run: .venv/bin/python bench/startup.py [RUNS]
Each program runs on a pseudo-terminal of 80x24:
- start-up: from exec until the first screen's text is on the terminal
  (fincon-tui's main menu, the bare app's menu line), wall clock and the
  child's CPU (user + system, from wait4);
- peak memory at start: the child's peak RSS by then;
- peak memory with the SMTP form open: fincon-tui after "1 1 1 OFFICE Enter
  y" shows the details, the bare app starts with its 12 Inputs.
fincon-tui starts on a database that an earlier start made (the first,
unmeasured run of each), as every start but an installation's first does;
the form's memory is measured, without a goal, on a new database too (that
start creates the schema: sqlite-utils' migrations) and on a server's
database that holds a password (its key in the default key file: no
keyring, as on a server reached over SSH).
"""

from __future__ import annotations

import os
import pty
import select
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from fcntl import ioctl
from pathlib import Path
from termios import TIOCSWINSZ

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ratios import Figure, Sample, report

BASELINE = str(Path(__file__).resolve().parent / "baseline.py")
#: What fincon-tui is sent to open the SMTP form, and what it shows once the
#: details are open (the create window answered): the form shows its labels,
#: "Time Out" among them, as soon as its screen opens, before the keys after
#: "111" are handled (and the memory read then was the form's without them).
FORM_KEYS = b"111OFFICE\ry"
FORM_MARKER = b"fill in the details"


def run_to_text(argv: list[str], marker: bytes, env: dict[str, str], keys: bytes = b"") -> tuple[Sample, int]:
    """(wall, CPU) seconds from exec until `marker` is on the pty, and the
    peak RSS (KiB) by then.  `keys` are typed once the first screen shows."""
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(argv[0], argv, env)
    ioctl(fd, TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    seen = b""
    sent = not keys
    try:
        while marker not in seen or not sent:
            if not sent and b"Main Menu" in seen:
                os.write(fd, keys)
                sent, seen = True, b""
                continue
            ready, _, _ = select.select([fd], [], [], 20)
            if not ready:
                raise TimeoutError(f"{argv} never showed {marker!r}")
            seen += os.read(fd, 65536)
        elapsed = time.perf_counter() - start
    finally:
        os.kill(pid, 9)
        _, _, usage = os.wait4(pid, 0)
        os.close(fd)
    return (elapsed, usage.ru_utime + usage.ru_stime), usage.ru_maxrss


def measure(runs: int) -> Sequence[Figure]:
    bin_dir = Path(sys.executable).parent
    figures = {
        "start-up": Figure("start-up", 1.1),
        "peak memory at start": Figure("peak memory at start", 1.1, unit="MiB"),
        "peak memory, SMTP form open": Figure("peak memory, SMTP form open", 1.2, unit="MiB"),
        "same, on a new database": Figure("same, on a new database", None, unit="MiB"),
        "same, a password saved (key file)": Figure("same, a password saved (key file)", None, unit="MiB"),
    }
    with tempfile.TemporaryDirectory() as tmp:
        # With bytecode caches, as an installed wheel has them (pip compiles
        # it): the first run of each writes them.  Without, every start
        # compiled fincon_tui's sources again (1.48x the bare app, not 1.04x).
        env = {**{name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"},
               "TERM": "xterm-256color", "XDG_DATA_HOME": tmp, "XDG_CONFIG_HOME": tmp,
               "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
        fincon = [str(bin_dir / "fincon-tui")]
        # A release without `smtp set --password-stdin` (bench/compare.py's
        # REF) leaves this figure n/a.
        keyed = subprocess.run([*fincon, "--db", f"{tmp}/keyed.db", "smtp", "set", "HQ", "--mail-server",
                                "smtp.example.com", "--username", "bob", "--password-stdin"], input="pw\n",
                               text=True, env=env, capture_output=True).returncode == 0
        # The first of each warms the file cache, writes the bytecode caches
        # and makes the databases that the next starts open.
        for n in range(runs + 1):
            started, start_memory = run_to_text([*fincon, "--db", f"{tmp}/start.db"], b"Main Menu", env)
            bare_started, bare_memory = run_to_text([sys.executable, BASELINE], b"Main Menu", env)
            _, form_memory = run_to_text([*fincon, "--db", f"{tmp}/form.db"], FORM_MARKER, env, FORM_KEYS)
            _, bare_form_memory = run_to_text([sys.executable, BASELINE, "inputs"], b"Field 12", env)
            _, new_form_memory = run_to_text([*fincon, "--db", f"{tmp}/new{n}.db"], FORM_MARKER, env, FORM_KEYS)
            keyed_form_memory = None
            if keyed:
                _, keyed_form_memory = run_to_text([*fincon, "--db", f"{tmp}/keyed.db"], FORM_MARKER, env, FORM_KEYS)
            if n == 0:
                continue
            figures["start-up"].fincon.append(started)
            figures["start-up"].bare.append(bare_started)
            for name, mine, bare in (("peak memory at start", start_memory, bare_memory),
                                     ("peak memory, SMTP form open", form_memory, bare_form_memory),
                                     ("same, on a new database", new_form_memory, bare_form_memory),
                                     ("same, a password saved (key file)", keyed_form_memory, bare_form_memory)):
                if mine is None:
                    continue
                figures[name].fincon.append((mine / 1024, 0.0))
                figures[name].bare.append((bare / 1024, 0.0))
    return list(figures.values())


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    report(f"Start-up and peak memory in a pty (80x24), median of {runs} runs A B A B", measure(runs))


if __name__ == "__main__":
    main()
