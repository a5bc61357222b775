"""The `fincon-tui` command: the full-screen app, or a COMMAND from a shell.

A front end and a leaf: nothing else in fincon_tui imports it.  Importing
the package loads nothing more; `main` loads the parser and the commands
when it runs (see entry.py).  The command modules import the domain, the
services and their libraries inside the functions that use them, so that
--version, --help and a refused argument load none of them (100 ms).
"""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    """The console script's entry point: pyproject's [project.scripts] and `python -m fincon_tui`."""
    from fincon_tui.cli.entry import main as run

    return run(argv)
