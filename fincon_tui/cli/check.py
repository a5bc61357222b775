"""`fincon-tui check`: every definition and user, for cron and monitoring
(services/check.py), in the monitoring plugin convention: the first line
of stdout is the summary with performance data, then one line a problem;
the exit status is 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, also when it
cannot run at all (bad arguments, no database: one line, UNKNOWN)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from fincon_tui._exceptions import ConfigError
from fincon_tui.cli.command import Context, json_option
from fincon_tui.cli.common import Parser, say

if TYPE_CHECKING:
    from fincon_tui.services.check import CheckRun, RecordCheck

#: The exit status of a check that could not run (UNKNOWN).
UNKNOWN = 3
#: The longest --deadline taken (seconds): an hour.
DEADLINE_MAX = 3600.0


def arguments(parser: argparse.ArgumentParser) -> None:
    from fincon_tui.domain.expiry import CRITICAL_DAYS, WARN_DAYS

    if isinstance(parser, Parser):
        parser.refused_status = UNKNOWN
    json_option(parser, "print JSON: the summary and one object per record")
    connect = parser.add_mutually_exclusive_group()
    connect.add_argument("--connect", dest="connect", action="store_true", default=True,
                         help="run each login test: connect, TLS, log in, QUIT, send nothing (the default)")
    connect.add_argument("--no-connect", dest="connect", action="store_false",
                         help="check the stored records only, connecting to no server")
    parser.add_argument("--deadline", metavar="S", type=_seconds, default=60.0,
                        help="seconds the whole run may take (default 60); a test unfinished by then is UNKNOWN")
    parser.add_argument("--warn-days", metavar="N", type=_days, default=WARN_DAYS,
                        help=f"WARNING when a secret, sign-in or certificate expires within N days "
                        f"(default {WARN_DAYS})")
    parser.add_argument("--critical-days", metavar="N", type=_days, default=CRITICAL_DAYS,
                        help=f"CRITICAL within N days (default {CRITICAL_DAYS})")
    parser.add_argument("--dns", action="store_true",
                        help="check each sender domain's SPF and DMARC too (WARNING at most), within the deadline")
    parser.add_argument("--only", metavar="NAME", nargs="+", default=[],
                        help="check only these definitions and users (names, user codes)")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("--deadline takes a number of seconds") from None
    if not 0 < value <= DEADLINE_MAX:
        raise argparse.ArgumentTypeError("--deadline takes a number of seconds above zero, up to an hour")
    return value


def _days(text: str) -> int:
    if not text.isdigit() or int(text) > 3650:  # ten years
        raise argparse.ArgumentTypeError("takes a whole number of days, up to ten years")
    return int(text)


def cannot_run(message: str) -> int:
    """The database or the key store could not be used: UNKNOWN, one line."""
    first = message.splitlines()[0] if message else "cannot run"
    say(f"SMTP UNKNOWN - {first}")
    return UNKNOWN


def run(ctx: Context) -> int:
    """`check`."""
    from fincon_tui.services.check import CheckOptions, MailHealth

    args = ctx.args
    if args.critical_days > args.warn_days:
        return cannot_run("--critical-days must not be more than --warn-days")
    options = CheckOptions(connect=args.connect, deadline=args.deadline, warn_days=args.warn_days,
                           critical_days=args.critical_days, only=tuple(args.only), dns=args.dns)
    health = MailHealth.of(ctx.store, ctx.vault)
    progress = _Shown()
    try:
        with progress:
            result = health.check(options, progress.watch)
    except KeyboardInterrupt:
        say("fincon-tui: cancelled", err=True)
        return 130
    except ConfigError as error:  # $FINCON_TUI_DNS_SERVER with --dns
        return cannot_run(str(error))
    _print(result, args.json)
    return int(result.status)


class _Shown:
    """The progress on stderr when it is a terminal (cli/progress.py):
    'checked 3 of 17 records, waiting on OFFICE, user ALICE'."""

    def __init__(self) -> None:
        from fincon_tui.cli.progress import Progress

        self.progress = Progress(0, "checked", "records", estimate=False)

    def __enter__(self) -> _Shown:
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.wipe()

    def watch(self, done: int, total: int, waiting: list[str]) -> None:
        from fincon_tui.domain.visible import visible

        self.progress.total = total
        self.progress.detail = f"waiting on {', '.join(visible(name) for name in waiting)}" if waiting else ""
        self.progress(done - self.progress.done)


def _print(result: CheckRun, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"status": result.status.name, "summary": result.summary(), "counts": result.counts(),
                          "records": [_record(record) for record in result.records]}, indent=2))
        return
    from fincon_tui.services.check import Status, worst

    say(result.summary())
    problems = [(finding, record) for record in result.records for finding in record.findings
                if finding.status is not Status.OK]
    for status in (Status.CRITICAL, Status.WARNING, Status.UNKNOWN):  # the worst first, as the summary
        for finding, record in problems:
            if worst([finding.status, status]) is status and finding.status is status:
                hint = f" – {finding.hint}" if finding.hint else ""
                say(f"{status.name} {record.label}: {finding.message}{hint}")
    sys.stdout.flush()


def _record(record: RecordCheck) -> dict[str, Any]:
    """One record in --json: its status and worst finding, and every finding."""
    main = record.main
    return {
        "kind": record.kind,
        "name": record.name,
        "status": record.status.name,
        "step": main.step if main else "",
        "message": main.message if main else record.checked,
        "hint": main.hint if main else "",
        "expires": record.expires,
        "findings": [{"status": found.status.name, "step": found.step, "message": found.message,
                      "hint": found.hint, "expires": found.expires} for found in record.findings],
    }
