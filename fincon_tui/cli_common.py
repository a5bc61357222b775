"""What every command shares: how a failure is printed and the exit statuses.

    0  success
    1  the check or test failed (a login test, a key that is missing)
    2  the command could not run (bad arguments, unusable database or config)
"""

from __future__ import annotations

import sys

from fincon_tui.domain.visible import visible_lines

FAILED = 1
CANNOT_RUN = 2


def say(text: str = "", *, err: bool = False) -> None:
    """Print text for a person; control characters that came from data or a
    server are shown visibly, never sent to the terminal."""
    print(visible_lines(text), file=sys.stderr if err else sys.stdout)


def fail(message: str) -> int:
    """Print `message` (each line prefixed) on stderr; the status for 'could not run'."""
    for line in message.splitlines():
        say(f"fincon-tui: {line}", err=True)
    return CANNOT_RUN
