"""`smtp list|show|sign-in` and `user list|show|sign-in`: one implementation
for both kinds of record, which smtp.py and user.py declare (command.Kind).
set and delete are transfer.py's, copy and rename copy_rename.py's.
"""

from __future__ import annotations

import argparse
import contextlib

from fincon_tui.cli import sign_in as signing
from fincon_tui.cli.command import Context, Kind, json_option
from fincon_tui.cli.common import fail, print_list, print_record


def show_arguments(kind: Kind, parser: argparse.ArgumentParser) -> None:
    parser.add_argument("key", metavar=kind.key)
    json_option(parser)


def list_records(kind: Kind, ctx: Context) -> int:
    """Every record, read and printed a chunk at a time in one snapshot."""
    service = kind.service(ctx.store, ctx.vault)
    with ctx.store.read(), contextlib.closing(service.chunks()) as chunks:
        brief = not ctx.args.json
        print_list((kind.rows(found, service, brief) for found in chunks), ctx.args.json, kind.heading,
                   kind.key_column)
    return 0


def show(kind: Kind, ctx: Context) -> int:
    """The record's fields, whether its password is stored and usable, and what its kind adds."""
    service = kind.service(ctx.store, ctx.vault)
    stored = service.get(ctx.args.key)
    if stored is None:
        return fail(kind.missing(ctx.args.key))
    [row] = kind.rows([stored], service, False)
    owner = service.owner(stored.key)
    row["password_stored"] = service.passwords.has(owner)
    row["password_problem"] = service.passwords.problem(owner) if row["password_stored"] else None
    kind.details(row, stored, service)
    print_record(row, ctx.args.json)
    return 0


def sign_in(kind: Kind, ctx: Context) -> int:
    from fincon_tui.services.sign_ins import save_sign_in

    service = kind.service(ctx.store, ctx.vault)
    return signing.run(lambda: kind.sign_in(service, ctx),
                       lambda found, tokens: save_sign_in(service, found, tokens))
