"""`fincon-tui user ...`: user email settings from a shell, like `smtp ...`."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from fincon_tui import cli_copy, cli_transfer
from fincon_tui.cli_common import fail, print_list, say

if TYPE_CHECKING:
    from sqlite_utils import Database

    from fincon_tui.keystore.vault import PasswordVault
    from fincon_tui.services.user_settings import UserSettings


def add_commands(subparsers) -> None:
    user = subparsers.add_parser("user", help="list, show, set, delete, copy and rename user email settings")
    commands = user.add_subparsers(dest="user_command", required=True, metavar="COMMAND")
    listing = commands.add_parser("list", help="list the users")
    listing.add_argument("--json", action="store_true", help="print JSON")
    show = commands.add_parser("show", help="show one user's settings and the login they send with")
    show.add_argument("key", metavar="CODE")
    show.add_argument("--json", action="store_true", help="print JSON")
    cli_transfer.add_set_command(commands, "a user's email settings", "CODE", cli_transfer.USER_FIELDS)
    cli_transfer.add_delete_command(commands, "a user's email settings", "CODE")
    cli_copy.add_commands(commands, "a user's email settings", "CODE", cli_transfer.USER_FIELDS)


def _row(stored, users: UserSettings) -> dict:
    from fincon_tui._exceptions import describe
    from fincon_tui.domain.users import LABELS

    return {
        **stored.record.form_values(),
        "updated_at": stored.updated_at,
        "version": stored.version,
        "needs_attention": describe(broken, LABELS) if (broken := users.attention(stored)) else None,
    }


def _login_used(user, users: UserSettings) -> str:
    """Which login the user sends with, as the form's 'Login used:' line says."""
    from fincon_tui._exceptions import LoginMissing
    from fincon_tui.domain.login import effective_login

    definition = users.definitions.get(user.smtp_name)
    if definition is None:
        return f"unknown: SMTP definition {user.smtp_name} does not exist"
    try:
        login = effective_login(definition.record, user.user_code, user.smtp_username)
    except LoginMissing as error:
        return f"none: {error}"
    return login.describe() if login else f"none: SMTP definition {definition.key} does not authenticate"


def run(args: argparse.Namespace, db: Database, vault: PasswordVault) -> int:
    from fincon_tui.services.user_settings import UserSettings

    if args.user_command in ("set", "delete"):
        return cli_transfer.run_write(args, db, vault, "user")
    if args.user_command in ("copy", "rename"):
        return cli_copy.run(args, db, vault, "user")
    users = UserSettings(db, vault)
    if args.user_command == "list":
        print_list(
            [_row(stored, users) for stored in users.search("", limit=1_000_000_000)], args.json,
            f"{'USER':<20} {'SMTP DEFINITION':<22} {'OWN LOGIN':<24} SENDER", "user_code",
            lambda row: f"{row['user_code']:<20} {row['smtp_name']:<22} {row['smtp_username'] or '-':<24} "
            f"{row['sender_name']} <{row['sender_email']}>",
        )
        return 0
    stored = users.get(args.key)
    if stored is None:
        return fail(f"User email settings {args.key.strip().upper()} do not exist")
    row = _row(stored, users)
    owner = users.owner(stored.key)
    row["password_stored"] = users.passwords.has(owner)
    row["password_problem"] = users.passwords.problem(owner) if row["password_stored"] else None
    row["login_used"] = _login_used(stored.record, users)
    if args.json:
        print(json.dumps(row, indent=2))
    else:
        for key, value in row.items():
            say(f"{key:<16} {value}")
    return 0
