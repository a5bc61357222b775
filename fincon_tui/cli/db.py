"""`fincon-tui db ...`: the database itself, whatever its engine."""

from __future__ import annotations

import argparse
import json
import shlex
from typing import TYPE_CHECKING

from fincon_tui._exceptions import CopyRefused
from fincon_tui.cli.command import Context
from fincon_tui.cli.common import FAILED, fail, init_command, say
from fincon_tui.cli.progress import Progress

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
                  f"upgrade it with `{init_command(ctx.path, bool(ctx.args.db))}`)")
    return [
        ("Engine", report.engine),
        ("Location", report.location),
        ("Version", f"{report.engine} {report.server_version} "
                    f"({'the server' if report.engine == 'PostgreSQL' else 'the library in use'})"),
        ("Schema", schema),
    ]


def copy_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("source", metavar="SOURCE", help="the database copied: a SQLite file or a PostgreSQL URL")
    command.add_argument("target", metavar="TARGET",
                         help="an empty database (a new SQLite file, or a PostgreSQL database with no tables "
                              "or only fincon-tui's)")
    command.add_argument("--check", action="store_true",
                         help="then open every secret on the copy with this machine's key, and compare the "
                              "export of both")


def copy_target(args: argparse.Namespace) -> str:
    """What db copy opens as its database (created or brought up to date):
    TARGET.  A SQLite file that is not there yet is noted (`new_target`),
    to be removed again if the copy does not happen."""
    from fincon_tui.storage.store import new_file

    args.new_target = new_file(args.target)
    return str(args.target)


def copy(ctx: Context) -> int:
    """`db copy SOURCE TARGET`: ctx.store is TARGET, opened writable
    (entry.py).  A new SQLite file made for TARGET is removed again unless
    the copy was written: refused or stopped, it leaves no empty file."""
    from fincon_tui.storage.store import discard_new

    copied: list[bool] = []
    try:
        return _copy(ctx, copied)
    finally:
        if getattr(ctx.args, "new_target", None) is not None and not copied:
            ctx.store.close()
            discard_new(ctx.args.new_target)


def _copy(ctx: Context, copied: list[bool]) -> int:
    """The copy; `copied` is appended to once it is written."""
    from fincon_tui._exceptions import NoDatabase
    from fincon_tui.services import db_copy
    from fincon_tui.storage.store import open_store

    args, target = ctx.args, ctx.store
    try:
        source = open_store(args.source, writable=False)
    except NoDatabase as error:
        how = "" if error.empty else f": upgrade it first with `fincon-tui --db {shlex.quote(args.source)} init`"
        return fail(f"{error}{how}; nothing was copied")
    try:
        contents = db_copy.read(source)
        db_copy.refuse_unless_empty(target)
        with Progress(contents.total, "copied", "records, secrets, audit entries and login tests") as progress:
            db_copy.write(target, contents, progress)
        copied.append(True)
        say(f"Copied {source.location} to {target.location}: {db_copy.counted(contents.counts())}; "
            f"database id {contents.database_id}, key id {contents.key_id or 'none yet'}.")
        if not args.check:
            return 0
        checked = db_copy.check(source, target, ctx.vault)
    except CopyRefused as refused:
        return fail("\n".join([str(refused), *refused.lines]))
    except KeyboardInterrupt:  # during the copy, its transaction was rolled back
        say(f"fincon-tui: cancelled: {'the check was not finished' if copied else 'nothing was copied'}", err=True)
        return 130
    finally:
        source.close()
    for line in checked.differences:
        say(f"! {line}")
    if checked.differences:
        say(f"Check: {len(checked.differences)} differences; {checked.opened} secrets opened on the copy.")
        return FAILED
    say(f"Check: the exports of both are the same; all {checked.opened} secrets open on the copy with this "
        "machine's key.")
    return 0
