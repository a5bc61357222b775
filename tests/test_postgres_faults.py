"""The PostgreSQL server killed outright (kill -9 of the postmaster) under
the CLI: each command is one line and status 2 while it is down, nothing
half-written shows after its restart, and the next command connects by
itself.  A server of this test's own: the run's shared one stays up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import psutil
import pytest
from postgres_server import PREFIX, TMP, TestServer

BIN = Path(sys.executable).parent / "fincon-tui"


def fincon(url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN), "--db", url, *args], capture_output=True, text=True, timeout=60, input=stdin,
                          stdin=None if stdin is not None else subprocess.DEVNULL)


@pytest.mark.slow  # a server of its own: about 2 s more
def test_a_killed_server_is_one_line_each_and_the_next_command_after_its_restart_works() -> None:
    server = TestServer(TMP / f"{PREFIX}faults-{uuid.uuid4().hex}")
    try:
        database = server.new_database(empty=True)
        url = server.url(database)
        assert fincon(url, "init").returncode == 0
        made = fincon(url, "smtp", "set", "OFFICE", "--mail-server", "smtp.corp.example", "--username", "shared",
                      "--password-stdin", stdin="shared-pw\n")
        assert made.returncode == 0, made.stderr
        postmaster = psutil.Process(server.handle.get_pid())
        os.kill(postmaster.pid, signal.SIGKILL)
        postmaster.wait(60)
        for argv in (("smtp", "set", "OFFICE", "--port", "2525"), ("smtp", "list")):
            down = fincon(url, *argv)
            assert down.returncode == 2, down
            assert down.stderr.startswith("fincon-tui: cannot connect to ") and down.stderr.count("\n") == 1
            assert "is the server running" in down.stderr and "Traceback" not in down.stderr
        server.handle.ensure_postgres_running()
        server.socket_dir = server.handle.get_postmaster_info().socket_dir
        url = server.url(database)
        shown = fincon(url, "smtp", "show", "OFFICE")
        assert shown.returncode == 0 and "587" in shown.stdout, shown
        changed = fincon(url, "smtp", "set", "OFFICE", "--port", "2525")
        assert changed.returncode == 0, changed.stderr
    finally:
        server.close()
