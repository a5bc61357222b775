"""What every command shares: how a failure is printed and the exit statuses.

    0  success; for a command that writes (`set`, `delete`, `import`):
       done, whether or not anything had to change
    1  the check or test failed (a login test, a key that is missing), or
       an import refused some of its records (the others were applied)
    2  the command could not run, nothing was written (bad arguments, a
       field the form would refuse, unusable database, config or file)
    3  with --detailed-exitcode only: done, and something was changed
       (an import --dry-run: would be changed)

Changed and unchanged are both 0 by default, so `&&` chains and `set -e`
scripts work; a configuration-management tool asks for 3 and reports
"changed" from it (Ansible: `changed_when: result.rc == 3`,
`failed_when: result.rc not in [0, 3]`), as Terraform's and Puppet's own
--detailed-exitcode(s) do.
"""

from __future__ import annotations

import sys

from fincon_tui.domain.visible import visible_lines

FAILED = 1
CANNOT_RUN = 2
CHANGED = 3


def say(text: str = "", *, err: bool = False) -> None:
    """Print text for a person; control characters that came from data or a
    server are shown visibly, never sent to the terminal."""
    print(visible_lines(text), file=sys.stderr if err else sys.stdout)


def fail(message: str) -> int:
    """Print `message` (each line prefixed) on stderr; the status for 'could not run'."""
    for line in message.splitlines():
        say(f"fincon-tui: {line}", err=True)
    return CANNOT_RUN


def print_list(rows: list[dict], as_json: bool, heading: str, key: str, line) -> None:
    """A `list` command's output: JSON, or a table whose rows that need
    attention are flagged `!` and explained below it."""
    import json

    if as_json:
        print(json.dumps(rows, indent=2))
        return
    say(f"  {heading}")
    for row in rows:
        say(f"{'!' if row['needs_attention'] or row.get('warning') else ' '} {line(row)}")
    for row in rows:
        if row["needs_attention"]:
            say(f"! {row[key]} needs attention: {row['needs_attention']}")
        if row.get("warning"):
            say(f"! {row[key]}: {row['warning']}")
