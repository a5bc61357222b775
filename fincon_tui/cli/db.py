"""`fincon-tui db ...`: the database itself, whatever its engine."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from fincon_tui.cli.command import Context
from fincon_tui.cli.common import init_command, say

if TYPE_CHECKING:
    from fincon_tui.services.db_status import DbStatus


def status(ctx: Context) -> int:
    """`db status`: opened read-only, an older schema as it is (entry.py)."""
    from fincon_tui.services.db_status import status as read_status

    report = read_status(ctx.store)
    if ctx.args.json:
        print(json.dumps(report.as_json(), indent=2))
        return 0
    for label, value in _lines(report, ctx):
        say(f"{label:<15} {value}")
    for section in report.sections:
        say(f"\n{section.heading}")
        for label, value in section.lines:
            say(f"  {label:<13} {value}")
    return 0


def _lines(report: DbStatus, ctx: Context) -> list[tuple[str, str]]:
    if report.schema_current:
        schema = f"{report.schema} (current)"
    else:
        schema = (f"{report.schema} (older than this version's {report.latest_schema}: "
                  f"upgrade it with `{init_command(ctx.args, ctx.path)}`)")
    return [
        ("Engine", report.engine),
        ("Location", report.location),
        ("Version", f"{report.engine} {report.server_version} "
                    f"({'the server' if report.engine == 'PostgreSQL' else 'the library in use'})"),
        ("Schema", schema),
    ]
