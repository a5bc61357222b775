"""`fincon-tui user ...`: user email settings from a shell, like `smtp ...`."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from fincon_tui.cli import copy_rename, sign_in, transfer
from fincon_tui.cli.command import Context, json_option
from fincon_tui.cli.common import cell, fail, print_list, print_record
from fincon_tui.domain.visible import shown_key

if TYPE_CHECKING:
    from fincon_tui.services.user_settings import UserSettings


def show_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("key", metavar="CODE")
    json_option(parser)


def _row(stored, users: UserSettings) -> dict:
    from fincon_tui._exceptions import describe
    from fincon_tui.domain.users import LABELS

    return {
        **stored.record.form_values(),
        "updated_at": stored.updated_at,
        "version": stored.version,
        "needs_attention": describe(broken, LABELS) if (broken := users.attention(stored)) else None,
    }


def _rows(found: list, users: UserSettings) -> list[dict]:
    """The rows of `found`, each with the Login Used column of the Work with
    list (`login`); why a user cannot send is flagged and explained in the table."""
    from fincon_tui.services.work_lists import user_rows

    rows = []
    for stored, listed in zip(found, user_rows(users, found), strict=True):
        row = _row(stored, users)
        row["login"] = listed.login_used
        if listed.missing:
            row["warning"] = f"cannot send: {listed.missing}"
        rows.append(row)
    return rows


def _login(user, users: UserSettings) -> dict:
    """Which login the user sends with, as the form's 'Login used:' line
    says (MISSING: and why, when it cannot log in); how it gets its token;
    and when the user's own sign-in expires."""
    from fincon_tui._exceptions import LoginMissing, NotReady
    from fincon_tui.domain.login import effective_login
    from fincon_tui.domain.password_binding import smtp_owner, user_owner
    from fincon_tui.services.oauth_logins import login_way, user_expiries

    found: dict = {"login_used": None, "login_way": None, "expires": {}}
    definition = users.definitions.get(user.smtp_name)
    if definition is None:
        found["login_used"] = f"MISSING: SMTP definition {user.smtp_name} does not exist"
        return found
    record = definition.record
    secrets = users.passwords.names([smtp_owner(record.name), user_owner(user.user_code)])
    try:
        login = effective_login(record, user.user_code, user.smtp_username, user.login_method, secrets=secrets)
    except LoginMissing as error:
        found["login_used"], login = f"MISSING: {error}", error.login
    else:
        found["login_used"] = (login.describe() if login
                               else f"none: SMTP definition {definition.key} does not authenticate")
    if login is None:
        return found
    try:
        found["login_way"] = login_way(users.passwords, record, login)
    except NotReady:
        pass  # its Login Method cannot go with the definition, as login_used says
    if login.source == "user":
        found["expires"] = user_expiries(users.passwords, login.password_owner)
    return found


def run(ctx: Context) -> int:
    from fincon_tui.services.user_settings import UserSettings

    args, db, vault = ctx.args, ctx.db, ctx.vault
    if args.user_command in ("set", "delete"):
        return transfer.run_write(ctx, "user")
    if args.user_command in ("copy", "rename"):
        return copy_rename.run(ctx, "user")
    users = UserSettings(db, vault)
    if args.user_command == "sign-in":
        from fincon_tui.services.sign_ins import save_sign_in, user_sign_in
        from fincon_tui.services.smtp_settings import SmtpSettings

        return sign_in.run(lambda: user_sign_in(users, SmtpSettings(db, vault), args.key),
                           lambda sign_in, tokens: save_sign_in(users, sign_in, tokens))
    if args.user_command == "list":
        print_list(
            _rows(users.search("", limit=1_000_000_000), users), args.json,
            f"{'USER':<20} {'SMTP DEFINITION':<22} {'OWN LOGIN':<24} SENDER", "user_code",
            lambda row: f"{cell(row['user_code'], 20)} {cell(row['smtp_name'], 22)} "
            f"{cell(row['smtp_username'] or '-', 24)} "
            f"{row['sender_name']} <{row['sender_email']}>",
        )
        return 0
    stored = users.get(args.key)
    if stored is None:
        return fail(f"User email settings {shown_key(args.key.strip().upper())} do not exist")
    [row] = _rows([stored], users)
    owner = users.owner(stored.key)
    row["password_stored"] = users.passwords.has(owner)
    row["password_problem"] = users.passwords.problem(owner) if row["password_stored"] else None
    row.update(_login(stored.record, users))
    print_record(row, args.json)
    return 0
