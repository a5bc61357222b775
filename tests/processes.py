"""Every process a test starts ends with the test, whatever its outcome.

A test's child leads a session of its own (pexpect's do, and `popen`
starts one): after each test (conftest), every process still in such a
session is continued and killed, with all it started there, such as a
shell's jobs (a fincon-tui stopped by Ctrl+Z once outlived a run: a stopped
process heeds nothing but SIGKILL and SIGCONT)."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

#: The sessions (their leaders' pids) started during the current test.
_sessions: set[int] = set()


def started(leader: int) -> None:
    """The session `leader` leads ends with the test."""
    _sessions.add(leader)


def popen(args: list[str], **options) -> subprocess.Popen:
    """subprocess.Popen, in a session of its own that ends with the test."""
    child = subprocess.Popen(args, start_new_session=True, **options)
    started(child.pid)
    return child


def _stat(pid: int) -> tuple[str, int] | None:
    """The state letter and session of process `pid` (None: gone)."""
    try:  # after the command's ")": state, ppid, process group, session, ...
        state, _, _, sid = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[:4]
    except OSError:
        return None
    return state, int(sid)


def state(pid: int) -> str | None:
    """Process `pid`'s state letter (R, S, T stopped, Z...; None: gone)."""
    found = _stat(pid)
    return found and found[0]


def members(session: int) -> list[int]:
    """The processes of `session` still running or stopped (not zombies)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) and stat[1] == session and stat[0] != "Z":
            found.append(int(entry.name))
    return sorted(found)


def end_all() -> None:
    """Every process left in the sessions started, continued and killed."""
    while _sessions:
        for pid in members(_sessions.pop()):
            for signum in (signal.SIGCONT, signal.SIGKILL):
                try:
                    os.kill(pid, signum)
                except ProcessLookupError:
                    pass
