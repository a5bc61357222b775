"""`smtp copy|rename` and `user copy|rename`: a record under a new key
from a shell, through the same services as the lists' 3=Copy and 7=Rename.

Running the same copy or rename again changes nothing and says so (exit
0, or 3 with --detailed-exitcode only when something changed): a copy
whose target already holds that copy, or a rename whose old key is gone
and new key is there, is unchanged.
"""

from __future__ import annotations

import argparse

from fincon_tui.cli.command import Context, Kind
from fincon_tui.cli.transfer import NoSecret, detailed, given, report, stdin_password, transfer_kind


def copy_help(kind: Kind) -> str:
    return (f"create {kind.what} as a copy of another: the fields given replace the copied ones; "
            "its stored password or client secret is copied only with --with-password")


def copy_arguments(kind: Kind, copy: argparse.ArgumentParser) -> None:
    """`copy SOURCE NEW [--field VALUE ...]` for one kind of record."""
    copy.add_argument("source", metavar=kind.key, help="the record to copy")
    copy.add_argument("key", metavar=f"NEW_{kind.key}", help="the copy's key (must not exist yet)")
    for option, dest, metavar, text in kind.fields:
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
    detailed(copy)


def rename_help(kind: Kind) -> str:
    return (f"give {kind.what} a new {kind.key}: its stored secrets (password, client secret, sign-in ...), history "
            "and (for a definition) linked users go with it")


def rename_arguments(kind: Kind, rename: argparse.ArgumentParser) -> None:
    """`rename OLD NEW` for one kind of record."""
    rename.add_argument("key", metavar=kind.key, help="the record to rename")
    rename.add_argument("new_key", metavar=f"NEW_{kind.key}", help="its new key (a change of letter case is one)")
    detailed(rename)


def copy(kind: Kind, ctx: Context) -> int:
    from fincon_tui.domain.password_binding import PasswordChange
    from fincon_tui.services.key_changes import copy_text
    from fincon_tui.services.transfer import Transfer

    args = ctx.args
    password = stdin_password(args, PasswordChange.keep())
    if isinstance(password, int):
        return password
    copied = copy_text(Transfer(ctx.store, ctx.vault), transfer_kind(kind), args.source, args.key, given(kind, args),
                       password, args.with_password)
    return report(copied, args)


def rename(kind: Kind, ctx: Context) -> int:
    from fincon_tui.services.key_changes import rename_text
    from fincon_tui.services.transfer import Transfer

    renamed = rename_text(Transfer(ctx.store, ctx.vault), transfer_kind(kind), ctx.args.key, ctx.args.new_key)
    return report(renamed, ctx.args)
