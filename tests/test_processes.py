"""What a test starts ends with it (tests/processes.py), whatever the test
did to it: a stopped job left in a shell that ended outlived its test."""

from __future__ import annotations

from pathlib import Path

import processes
from pty_terminal import Terminal


def test_a_stopped_job_left_behind_by_a_shell_ends_with_the_test(tmp_path: Path) -> None:
    shell = Terminal(["--norc", "--noprofile", "-i"], "xterm-256color", command="/bin/bash", PS1="shell$ ",
                     HISTFILE=str(tmp_path / "history"))
    session = shell.child.pid
    shell.wait_for("shell$")
    shell.send("(trap '' HUP INT TERM; exec sleep 3600) &\r")  # deaf to what ends a shell
    shell.wait_until(lambda: len(processes.members(session)) == 2, "the shell's job to start")
    [job] = [pid for pid in processes.members(session) if pid != session]
    shell.send("kill -STOP %1\r")
    shell.wait_until(lambda: processes.state(job) == "T", "the job to stop")  # heeds nothing but KILL and CONT
    shell.child.terminate(force=True)  # how tests ended their terminal: the shell goes, its job stays
    assert processes.members(session) == [job]
    processes.end_all()  # conftest's, after every test
    shell.wait_until(lambda: processes.members(session) == [], f"process {job} to end with its test")
