"""What every command shares: how a failure is printed and the exit statuses.

    0  success
    1  the check or test failed (a login test, a key that is missing)
    2  the command could not run (bad arguments, unusable database or config)
"""

from __future__ import annotations

import sys

FAILED = 1
CANNOT_RUN = 2


def fail(message: str) -> int:
    """Print `message` (each line prefixed) on stderr; the status for 'could not run'."""
    for line in message.splitlines():
        print(f"fincon-tui: {line}", file=sys.stderr)
    return CANNOT_RUN
