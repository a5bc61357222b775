"""Cold start to the first painted screen, fincon-tui against a bare Textual app.

Run: .venv/bin/python bench/startup.py [RUNS]
Prints the median and best wall time from exec to the first screen's text
appearing on a real pseudo-terminal (80x24), for both programs.
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

BARE_APP = """
from textual.app import App
from textual.widgets import Footer, Header, Label
class Bare(App):
    def compose(self):
        yield Header()
        yield Label("Main Menu")
        yield Footer()
Bare().run()
"""


def time_to_text(argv: list[str], marker: bytes, env: dict[str, str]) -> tuple[float, int]:
    """Seconds from exec until `marker` is on the pty, and the peak RSS (KiB) by then."""
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(argv[0], argv, env)
    ioctl(fd, TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    seen = b""
    try:
        while marker not in seen:
            ready, _, _ = select.select([fd], [], [], 10)
            if not ready:
                raise TimeoutError(f"{argv} never showed {marker!r}")
            seen += os.read(fd, 65536)
        elapsed = time.perf_counter() - start
    finally:
        os.kill(pid, 9)
        _, _, usage = os.wait4(pid, 0)
        os.close(fd)
    return elapsed, usage.ru_maxrss


def measure(runs: int) -> dict[str, tuple[list[float], list[int]]]:
    """Start times and peak memory of the bare app and fincon-tui."""
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "TERM": "xterm-256color", "FINCON_TUI_DB": f"{tmp}/bench.db"}
        programs = {
            "bare Textual app": [sys.executable, "-c", BARE_APP],
            "fincon-tui": [str(bin_dir / "fincon-tui")],
        }
        for argv in programs.values():
            time_to_text(argv, b"Main Menu", env)  # warm the file cache
        results: dict[str, tuple[list[float], list[int]]] = {name: ([], []) for name in programs}
        for _ in range(runs):  # alternate, so that a busy moment hits both alike
            for name, argv in programs.items():
                elapsed, memory = time_to_text(argv, b"Main Menu", env)
                results[name][0].append(elapsed)
                results[name][1].append(memory)
    return results


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    results = measure(runs)
    bare_time = statistics.median(results["bare Textual app"][0])
    bare_memory = statistics.median(results["bare Textual app"][1])
    print(f"{'program':<18} {'start ms':>9} {'ratio':>6} {'peak MiB':>9} {'ratio':>6}")
    for name, (times, memory) in results.items():
        median, peak = statistics.median(times), statistics.median(memory)
        print(
            f"{name:<18} {median * 1000:>9.0f} {median / bare_time:>6.2f} "
            f"{peak / 1024:>9.1f} {peak / bare_memory:>6.2f}"
        )


if __name__ == "__main__":
    main()
