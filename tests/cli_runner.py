"""`fincon-tui ARGS...` run in the test's own process: main(ARGS) with
stdin, stdout and stderr of its own, its result as `subprocess.run` of the
installed command gives it (status, text or bytes, universal newlines).

A process of its own costs about 0.2 s of CPU to start Python and import
the command (half of `make test`'s CLI tests was that).  What only a
process shows stays with one: the entry point, a terminal or a pipe, a
signal, several admins at once, a crash (tests use `fincon_process` or
their own subprocess for those).  What main() does not catch is printed as
Python prints it, with status 1, so a traceback still fails a test."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
import traceback


def _stream(data: bytes = b"") -> io.TextIOWrapper:
    """A text stream over bytes, as Python opens a pipe or /dev/null: UTF-8, not a terminal."""
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="strict", newline=None, write_through=True)


def _read(stream: io.TextIOWrapper, text: bool) -> str | bytes:
    stream.flush()
    raw = stream.buffer.getvalue()  # type: ignore[attr-defined]
    if not text:
        return raw
    return raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # as subprocess's text mode reads


def run_cli(args: list[str], stdin: str | bytes | None = None) -> subprocess.CompletedProcess:
    """main(`args`) as `fincon-tui` would run them; `stdin` its input (none:
    an empty stream, as /dev/null; bytes: the output is bytes too)."""
    from fincon_tui.cli.entry import main

    text = not isinstance(stdin, bytes)
    given = stdin.encode("utf-8") if isinstance(stdin, str) else (stdin or b"")
    streams = _stream(given), _stream(), _stream()
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = streams
    try:
        try:
            status = main(list(args))
        except SystemExit as stop:  # argparse's errors and --help
            code = stop.code
            status = code if isinstance(code, int) else (0 if code is None else 1)
            if isinstance(code, str):
                print(code, file=sys.stderr)
        except Exception:  # as Python ends a process on an uncaught exception
            traceback.print_exc()
            status = 1
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
        with contextlib.suppress(ValueError):
            streams[0].close()
    return subprocess.CompletedProcess(["fincon-tui", *args], status, _read(streams[1], text), _read(streams[2], text))
