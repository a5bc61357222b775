"""Writing records from a shell: `smtp set|delete`, `user set|delete` (one
implementation for both kinds, which smtp.py and user.py declare), `export`
and `import`.  The work is services/transfer.py's; this module reads the
options, the password and the file, and prints what happened.

A password or client secret is read from stdin (`--password-stdin`,
`--client-secret-stdin`) or typed at a prompt without echo, never taken
from the command line.  Exit statuses: see common.py.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from fincon_tui._exceptions import FieldError, FileRefused
from fincon_tui.cli.command import Context, Kind
from fincon_tui.cli.common import CHANGED, FAILED, IN_DOUBT_STATUS, fail, json_list, read_secret, say
from fincon_tui.cli.progress import Progress
from fincon_tui.domain.visible import shown

if TYPE_CHECKING:
    from fincon_tui.domain.password_binding import PasswordChange
    from fincon_tui.services.transfer import Kind as TextKind
    from fincon_tui.services.transfer import Outcome


class NoSecret(argparse.Action):
    """`--password VALUE` and `--client-secret VALUE` are refused without repeating VALUE."""

    def __call__(
        self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
        option_string: str | None = None,
    ) -> None:
        what = "client secret" if option_string == "--client-secret" else "password"
        parser.error(
            f"a {what} is never taken on the command line (ps and shell history show it to others): "
            f"use {option_string}-stdin"
        )


def detailed(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--detailed-exitcode",
        action="store_true",
        help=f"exit {CHANGED} when something was changed (0 when nothing needed to be)",
    )


def set_help(kind: Kind) -> str:
    return f"create or change {kind.what}: fields not given keep their value, or the form's default when new"


def set_arguments(kind: Kind, command: argparse.ArgumentParser) -> None:
    """`set KEY [--field VALUE ...]` for one kind of record."""
    command.add_argument("key", metavar=kind.key)
    for option, dest, metavar, text in kind.fields:
        command.add_argument(option, dest=dest, metavar=metavar, help=text)
    password = command.add_mutually_exclusive_group()
    password.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from stdin (one line), or ask for it without echo when stdin is a terminal",
    )
    password.add_argument("--clear-password", action="store_true", help="remove the stored password")
    command.add_argument("--password", nargs="?", action=NoSecret, help=argparse.SUPPRESS)
    if kind.client_secret:
        secret = command.add_mutually_exclusive_group()
        secret.add_argument("--client-secret-stdin", action="store_true",
                            help="read the Client Secret (M app-only, G installed app) from stdin, one line, "
                            "or ask for it without echo when stdin is a terminal")
        secret.add_argument("--service-account-file", metavar="PATH",
                            help="store the Google service-account key in this JSON file as Client Secret")
        secret.add_argument("--clear-client-secret", action="store_true", help="remove the stored Client Secret")
        command.add_argument("--client-secret-expires", metavar="YYYY-MM-DD",
                             help="when the client secret expires (Entra shows it): smtp test warns 14 days ahead")
        command.add_argument("--client-secret", nargs="?", action=NoSecret, help=argparse.SUPPRESS)
    detailed(command)


def delete_help(what: str) -> str:
    return f"delete {what} and its stored password"


def delete_arguments(kind: Kind, command: argparse.ArgumentParser) -> None:
    command.add_argument("key", metavar=kind.key)
    detailed(command)


def export_arguments(export: argparse.ArgumentParser) -> None:
    form = export.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="JSON (the default)")
    form.add_argument("--toml", action="store_true", help="TOML")


def import_arguments(load: argparse.ArgumentParser) -> None:
    load.add_argument("file", metavar="FILE", help="JSON or TOML (by extension, else by content); - for stdin")
    load.add_argument("--dry-run", action="store_true",
                      help="say what would change, write nothing (no database yet: as against an empty one)")
    detailed(load)


def _status(changed: bool, args: argparse.Namespace) -> int:
    return CHANGED if changed and args.detailed_exitcode else 0


def stdin_password(args: argparse.Namespace, otherwise: PasswordChange) -> PasswordChange | int:
    """The password of `--password-stdin` (read from stdin, or typed without
    echo), `otherwise` without that option, or the exit status to return."""
    from fincon_tui.domain.password_binding import PasswordChange

    if not args.password_stdin:
        return otherwise
    try:
        return PasswordChange.set(read_secret("password", f"Password for {shown(args.key)}: ", "--clear-password"))
    except ValueError as error:
        return fail(str(error))
    except KeyboardInterrupt:
        say("fincon-tui: cancelled", err=True)
        return 130


def transfer_kind(kind: Kind) -> TextKind:
    """services/transfer.py's declaration of the same kind of record."""
    from fincon_tui.services.transfer import KINDS

    return next(found for found in KINDS if found.command == kind.name)


def given(kind: Kind, args: argparse.Namespace) -> dict[str, str]:
    """The fields given on the command line, by form key."""
    return {dest: getattr(args, dest) for _, dest, _, _ in kind.fields if getattr(args, dest) is not None}


def delete(kind: Kind, ctx: Context) -> int:
    from fincon_tui.services.transfer import Transfer

    return report(Transfer(ctx.store, ctx.vault).delete(transfer_kind(kind), ctx.args.key), ctx.args)


def set_record(kind: Kind, ctx: Context) -> int:
    from fincon_tui.domain.password_binding import PasswordChange
    from fincon_tui.services.transfer import Transfer

    args, as_text = ctx.args, transfer_kind(kind)
    transfer = Transfer(ctx.store, ctx.vault)
    values = given(kind, args)
    values[as_text.key_field] = args.key
    password = stdin_password(args, PasswordChange.clear() if args.clear_password else PasswordChange.keep())
    if isinstance(password, int):
        return password
    try:
        secret = _secret_change(args)
    except ValueError as error:
        return fail(str(error))
    except KeyboardInterrupt:
        say("fincon-tui: cancelled", err=True)
        return 130
    return report(transfer.set(as_text, values, password, secret), args)


def _secret_change(args: argparse.Namespace) -> PasswordChange:
    """What `smtp set` does to the Client Secret (ValueError naming the option)."""
    from datetime import date  # 1.5 ms that --help need not spend

    from fincon_tui.domain.password_binding import PasswordChange

    expires = None
    if getattr(args, "client_secret_expires", None):
        try:
            expires = date.fromisoformat(args.client_secret_expires).isoformat() + "T00:00:00+00:00"
        except ValueError:
            raise ValueError(
                f"--client-secret-expires takes a date as YYYY-MM-DD (not {shown(args.client_secret_expires)})"
            ) from None
    if getattr(args, "clear_client_secret", False):
        return PasswordChange.clear()
    if getattr(args, "service_account_file", None):
        from fincon_tui.services.smtp_settings import read_key_file

        try:
            return PasswordChange.set(read_key_file(args.service_account_file))
        except FieldError as error:
            raise ValueError(f"--service-account-file {error.message}") from None
    if getattr(args, "client_secret_stdin", False):
        prompt = f"Client Secret for {shown(args.key)}: "
        return PasswordChange.set(read_secret("client secret", prompt, "--clear-client-secret"), expires)
    if expires:
        raise ValueError("--client-secret-expires goes with --client-secret-stdin")
    return PasswordChange.keep()


def report(outcome: Outcome, args: argparse.Namespace) -> int:
    from fincon_tui.services.transfer import IN_DOUBT

    if outcome.action == IN_DOUBT:
        fail(outcome.text())
        return IN_DOUBT_STATUS
    if outcome.action == "refused":
        return fail(outcome.text())
    say(outcome.text())
    return _status(outcome.changed, args)


def export(ctx: Context) -> int:
    """JSON read and printed a chunk of records at a time, in one snapshot:
    what json.dumps(data, indent=2, ensure_ascii=True) prints of it whole."""
    from fincon_tui.services.transfer import FORMAT, KINDS, Transfer

    transfer = Transfer(ctx.store, ctx.vault)
    if ctx.args.toml:
        sys.stdout.write(to_toml(transfer.export()))
        return 0
    with ctx.store.read():
        sys.stdout.write('{\n  "format": ' + json.dumps(FORMAT))
        for kind in KINDS:
            sys.stdout.write(",\n  " + json.dumps(kind.section, ensure_ascii=True) + ": ")
            for text in json_list(transfer.export_rows(kind), level=1):
                sys.stdout.write(text)
        sys.stdout.write("\n}\n")
    return 0


def import_(ctx: Context) -> int:
    """`import`; on a database not created yet (ctx.missing) only with
    --dry-run, against an empty one in memory."""
    from fincon_tui.services.transfer import CHANGES, IN_DOUBT, Transfer, summary

    args = ctx.args
    transfer = Transfer(ctx.store, ctx.vault, dry_run=args.dry_run)
    counts: dict[str, int] = {}
    try:
        data = load(args.file)
        with Progress(transfer.records_in(data), "checked" if args.dry_run else "imported", "records") as progress:
            for outcome in transfer.import_data(data):
                progress.wipe()
                say(outcome.text(args.dry_run))
                counts[outcome.action] = counts.get(outcome.action, 0) + 1
                progress(1)
    except FileRefused as error:
        return fail(f"{_name(args.file)} {error}: nothing was imported")
    except ValueError as error:
        return fail(str(error))
    except KeyboardInterrupt:
        say("fincon-tui: cancelled: only the records reported above were imported", err=True)
        return 130
    against = f" against an empty database (there is none at {ctx.path} yet)" if ctx.missing else ""
    say(summary(counts, args.dry_run) + (f"; dry run{against}: nothing was written" if args.dry_run else ""))
    if counts.get(IN_DOUBT):
        return IN_DOUBT_STATUS
    if counts.get("refused"):
        return FAILED
    return _status(any(action in counts for action in CHANGES), args)


def load(file: str) -> object:
    """The data of an export file: JSON or TOML by extension, else by content,
    read strictly (domain/documents.py); ValueError says why it is unusable."""
    from fincon_tui.domain.documents import parse_json, parse_toml

    try:
        raw = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as error:
        raise ValueError(f"cannot read {file}: {error.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{_name(file)} is not UTF-8 text") from None
    suffix = Path(file).suffix.lower()
    as_json = suffix == ".json" or (suffix != ".toml" and text.lstrip().startswith("{"))
    try:
        return parse_json(text) if as_json else parse_toml(text)
    except ValueError as error:
        raise ValueError(f"{_name(file)} {error}: nothing was imported") from None


def _name(file: str) -> str:
    return "stdin" if file == "-" else file


def to_toml(data: Mapping[str, object]) -> str:
    """The export as TOML, ASCII only like the JSON (everything else escaped)."""
    lines = [f"{key} = {_toml(value)}" for key, value in data.items() if not isinstance(value, list) or not value]
    for section, rows in data.items():
        for row in rows if isinstance(rows, list) else ():
            lines += ["", f"[[{section}]]", *(f"{key} = {_toml(value)}" for key, value in row.items())]
    return "\n".join(lines) + "\n"


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):  # only ever empty here
        return "[]"
    out = []
    for char in str(value):
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif 0x20 <= code < 0x7F:
            out.append(char)
        else:
            out.append(f"\\u{code:04X}" if code < 0x10000 else f"\\U{code:08X}")
    return '"' + "".join(out) + '"'
