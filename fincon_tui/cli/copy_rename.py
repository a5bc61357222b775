"""`smtp copy|rename` and `user copy|rename`: a record under a new key
from a shell, through the same services as the lists' 3=Copy and 7=Rename.

Running the same copy or rename again changes nothing and says so (exit
0, or 3 with --detailed-exitcode only when something changed): a copy
whose target already holds that copy, or a rename whose old key is gone
and new key is there, is unchanged.
"""

from __future__ import annotations

import argparse

from fincon_tui.cli.command import Context
from fincon_tui.cli.transfer import NoSecret, detailed, report, stdin_password


def copy_help(what: str) -> str:
    return (f"create {what} as a copy of another: the fields given replace the copied ones; "
            "its stored password or client secret is copied only with --with-password")


def copy_arguments(copy: argparse.ArgumentParser, key: str, fields: tuple) -> None:
    """`copy SOURCE NEW [--field VALUE ...]` for one kind of record."""
    copy.add_argument("source", metavar=key, help="the record to copy")
    copy.add_argument("key", metavar=f"NEW_{key}", help="the copy's key (must not exist yet)")
    for option, dest, metavar, text in fields:
        copy.add_argument(option, dest=dest, metavar=metavar, help=text)
    password = copy.add_mutually_exclusive_group()
    password.add_argument(
        "--with-password", action="store_true",
        help="copy the stored password (and an OAuth client secret or service-account key, never a sign-in) too, "
        "encrypted again for the copy",
    )
    password.add_argument(
        "--password-stdin", action="store_true",
        help="give the copy its own password: read from stdin (one line), or asked for without echo",
    )
    copy.add_argument("--password", nargs="?", action=NoSecret, help=argparse.SUPPRESS)
    copy.set_defaults(fields=[dest for _, dest, _, _ in fields])
    detailed(copy)


def rename_help(what: str, key: str) -> str:
    return (f"give {what} a new {key}: its stored secrets (password, client secret, sign-in ...), history and "
            "(for a definition) linked users go with it")


def rename_arguments(rename: argparse.ArgumentParser, key: str) -> None:
    """`rename OLD NEW` for one kind of record."""
    rename.add_argument("key", metavar=key, help="the record to rename")
    rename.add_argument("new_key", metavar=f"NEW_{key}", help="its new key (a change of letter case is one)")
    detailed(rename)


def run(ctx: Context, kind_name: str) -> int:
    from fincon_tui.domain.password_binding import PasswordChange
    from fincon_tui.services.key_changes import copy_text, rename_text
    from fincon_tui.services.transfer import SMTP, USERS, Transfer

    args = ctx.args
    kind = SMTP if kind_name == "smtp" else USERS
    transfer = Transfer(ctx.db, ctx.vault)
    if getattr(args, f"{kind_name}_command") == "rename":
        return report(rename_text(transfer, kind, args.key, args.new_key), args)
    values = {dest: getattr(args, dest) for dest in args.fields if getattr(args, dest) is not None}
    password = stdin_password(args, PasswordChange.keep())
    if isinstance(password, int):
        return password
    return report(copy_text(transfer, kind, args.source, args.key, values, password, args.with_password), args)
