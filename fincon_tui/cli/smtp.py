"""`fincon-tui smtp ...`: the definitions from a shell, for scripting over SSH.
This module declares the kind of record (KIND) for the commands `smtp` and
`user` share (records.py, transfer.py, copy_rename.py), and has `test` and
`send-test`.

Exit status: 0 success, 1 the test failed, 2 the command could not run
(unknown definition, bad arguments, missing login or key); `set`, `delete`,
`copy` and `rename` as common.py says.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from fincon_tui._exceptions import CannotTest, FieldError, UnknownUser, describe
from fincon_tui.cli.command import Context, Kind, json_option, options
from fincon_tui.cli.common import FAILED, cell, fail, say
from fincon_tui.domain import smtp_fields
from fincon_tui.domain.visible import shown_key

if TYPE_CHECKING:
    from fincon_tui.domain.smtp import SmtpDefinition
    from fincon_tui.keystore.vault import PasswordVault
    from fincon_tui.services.mail_checks import MailChecks
    from fincon_tui.services.sign_ins import SignIn
    from fincon_tui.services.smtp_settings import SmtpSettings
    from fincon_tui.storage.records import Stored
    from fincon_tui.storage.store import Store

#: The options of `smtp set` and `smtp copy`, as the fields declare them.
FIELDS = options(smtp_fields.FIELDS)


def _service(store: Store, vault: PasswordVault) -> SmtpSettings:
    from fincon_tui.services.smtp_settings import SmtpSettings

    return SmtpSettings(store, vault)


def _missing(name: str) -> str:
    return f"SMTP definition {shown_key(name)} does not exist"


def _line(definition: SmtpDefinition, tls_mode: str) -> str:
    """The table's line of a definition, from its values."""
    d = definition
    return (f"{cell(d.name, 22)} {cell(d.mail_server, 32)} {d.port:>5} {tls_mode:<12} "
            f"{d.username or '(per user)' if d.authenticate else '-'}")


def _row(stored: Stored[SmtpDefinition], broken: FieldError | None, tls_mode: str, brief: bool = False,
         ) -> dict[str, Any]:
    """A definition's row; `brief` (for the table): only its key, its
    `line` and what print_list flags, made from the record's values."""
    from fincon_tui.domain.providers import m365_password_flag
    from fincon_tui.domain.smtp import DECLARED, LABELS

    definition = stored.record
    flags = {"needs_attention": describe(broken, LABELS) if broken else None,
             "warning": m365_password_flag(definition.mail_server, definition.authenticate, definition.login_method)}
    if brief:
        return {"name": definition.name, "line": _line(definition, tls_mode), **flags}
    values = list(DECLARED.shown(definition).items())
    values.insert(_SECURITY_AT, ("security", tls_mode))  # the list's Security column, beside use_tls
    return {**dict(values), "updated_at": stored.updated_at, "version": stored.version, **flags}


#: Where a row's `security` goes: after `use_tls`.
_SECURITY_AT = [field.name for field in smtp_fields.FIELDS if field.rule is not None].index("use_tls") + 1


def _rows(found: list[Stored[SmtpDefinition]], smtp: SmtpSettings, brief: bool = False) -> list[dict[str, Any]]:
    """The rows of `found`, each with the Login column of the Work with list
    (`login`) and why it is MISSING, which the table flags and explains,
    and the last login test (`last_test`, null when never tested; not read
    when `brief`, for the table, which does not show it)."""
    from fincon_tui.mail.security import implicit_tls_ports, security
    from fincon_tui.services.login_results import as_json as last_test_json
    from fincon_tui.services.work_lists import definition_rows, definition_secrets

    secrets = definition_secrets(smtp.passwords, found)
    listed_rows = definition_rows(smtp.passwords, found, secrets=secrets, tests=not brief)
    ports = implicit_tls_ports()
    rows = []
    for stored, listed, broken in zip(found, listed_rows, smtp.attentions(found, secrets), strict=True):
        row = _row(stored, broken, security(stored.record, ports), brief)
        if listed.missing:
            row["warning"] = "; ".join(filter(None, [row["warning"], f"cannot log in: {listed.missing}"]))
        if not brief:
            row["login"], row["login_missing"] = listed.login, listed.missing or None
            row["last_test"] = last_test_json(listed.last_test)
        rows.append(row)
    return rows


def _details(row: dict[str, Any], stored: Stored[SmtpDefinition], smtp: SmtpSettings) -> None:
    """How the definition logs in, when its secrets expire, and its users' own sign-ins."""
    from fincon_tui.domain.login_methods import way
    from fincon_tui.domain.password_binding import user_owner
    from fincon_tui.services.oauth_logins import expiries, user_expiries

    row["login_way"] = way(stored.record.login_method, set(smtp.passwords.expiries(smtp.owner(stored.key))))
    row["expires"] = expiries(smtp.passwords, stored.record)
    linked = [code for code, _ in smtp.users.own_logins(stored.key)]
    signed_in = {code: user_expiries(smtp.passwords, user_owner(code)) for code in linked}
    row["users_expires"] = {code: found for code, found in signed_in.items() if found}


def _sign_in(smtp: SmtpSettings, ctx: Context) -> SignIn:
    from fincon_tui.services.sign_ins import definition_sign_in

    return definition_sign_in(smtp, ctx.args.key)


KIND = Kind(
    name="smtp", what="a definition", key="NAME", fields=FIELDS, client_secret=True, service=_service,
    missing=_missing, heading=f"{'NAME':<22} {'MAIL SERVER':<32} {'PORT':>5} {'TLS':<12} USERNAME", key_column="name",
    rows=_rows, details=_details, sign_in=_sign_in,
)


def test_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME")
    json_option(parser, "print JSON, with the SMTP transcript")
    parser.add_argument("--user", metavar="CODE",
                        help="log in as this user would (their own login, else the shared one)")
    _session_options(parser)


def send_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME")
    parser.add_argument("--to", required=True, metavar="ADDR", help="recipient address")
    parser.add_argument("--user", metavar="CODE", help="send as this user, with their login and sender")
    parser.add_argument("--from", dest="sender", metavar="ADDR",
                        help="the From address (default: the user's sender address, else the login if an address)")
    _session_options(parser)


def _session_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-v", "--verbose", action="store_true", help="print the SMTP conversation")
    parser.add_argument(
        "--allow-plaintext",
        action="store_true",
        help="go ahead when Use TLS is N although the password crosses the network unencrypted",
    )


def login_test(ctx: Context) -> int:
    """`smtp test`: connect, secure and log in, then QUIT."""
    return _test(ctx, sending=False)


def send_test(ctx: Context) -> int:
    """`smtp send-test`: a short test email."""
    return _test(ctx, sending=True)


def _test(ctx: Context, sending: bool) -> int:
    from fincon_tui.services.mail_checks import MailChecks
    from fincon_tui.services.user_settings import UserSettings

    smtp = _service(ctx.store, ctx.vault)
    stored = smtp.get(ctx.args.name)
    if stored is None:
        return fail(_missing(ctx.args.name))
    return _session(ctx.args, MailChecks(smtp, UserSettings(ctx.store, ctx.vault)), stored.record, sending)


def _session(args: argparse.Namespace, checks: MailChecks, definition: SmtpDefinition, sending: bool) -> int:
    import asyncio
    from dataclasses import asdict

    from fincon_tui.domain.providers import m365_password_flag
    from fincon_tui.mail.transcript import Transcript
    from fincon_tui.services.oauth_logins import expires_soon

    try:
        if sending:
            prepared = checks.test_email(
                definition, args.to, user_code=args.user or "", sender_address=args.sender or ""
            )
        else:
            prepared = checks.login_test(definition, user_code=args.user or "")
    except UnknownUser as error:
        return fail(f"User email settings {shown_key(error.code)} do not exist")
    except CannotTest as error:
        return fail(f"--{error.field} {error}" if error.of_value else str(error))
    for note in prepared.notes:
        say(f"fincon-tui: note: {note}", err=True)
    d = definition
    warnings = [w for w in [m365_password_flag(d.mail_server, d.authenticate, d.login_method)] if w]
    expiring = expires_soon(checks.smtp.passwords, d, prepared.login) if prepared.login else []
    for warning in warnings + expiring:
        say(f"fincon-tui: warning: {warning}", err=True)
    if prepared.credentials_in_clear:
        warning = (
            f"SMTP definition {definition.name} has Use TLS = N: the password would cross "
            "the network unencrypted"
        )
        if not args.allow_plaintext:
            return fail(f"{warning}; add --allow-plaintext to go ahead")
        say(f"fincon-tui: warning: {warning}", err=True)
    transcript = Transcript((lambda line: say(line, err=True)) if args.verbose else None)
    try:
        outcome = asyncio.run(prepared.run(transcript))
    except KeyboardInterrupt:
        say("fincon-tui: cancelled", err=True)
        return 130
    if outcome.note:
        say(f"fincon-tui: note: {outcome.note}", err=True)
    if getattr(args, "json", False):
        print(json.dumps({**asdict(outcome), "warnings": warnings, "expiring": expiring,
                          "transcript": transcript.lines}, indent=2))
    else:
        say(("OK: " if outcome.ok else f"FAILED at {outcome.step}: ") + outcome.text(), err=not outcome.ok)
    # A secret or sign-in about to expire fails the run, so a cron job warns in time.
    return 0 if outcome.ok and not expiring else FAILED
