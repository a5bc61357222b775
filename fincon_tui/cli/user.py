"""`fincon-tui user ...`: user email settings from a shell, like `smtp ...`;
this module declares the kind of record (KIND) for the commands they share."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fincon_tui._exceptions import FieldError, LoginMissing, NotReady, describe
from fincon_tui.cli.command import Context, Kind, options
from fincon_tui.cli.common import cell
from fincon_tui.domain import user_fields
from fincon_tui.domain.visible import shown_key

if TYPE_CHECKING:
    from fincon_tui.domain.users import UserEmailSettings
    from fincon_tui.keystore.vault import PasswordVault
    from fincon_tui.services.sign_ins import SignIn
    from fincon_tui.services.user_settings import UserSettings
    from fincon_tui.storage.records import Stored
    from fincon_tui.storage.store import Store

#: The options of `user set` and `user copy`, as the fields declare them.
FIELDS = options(user_fields.FIELDS)


def _service(store: Store, vault: PasswordVault) -> UserSettings:
    from fincon_tui.services.user_settings import UserSettings

    return UserSettings(store, vault)


def _missing(code: str) -> str:
    return f"User email settings {shown_key(code.strip().upper())} do not exist"


def _line(user: UserEmailSettings) -> str:
    """The table's line of a user, from their values."""
    return (f"{cell(user.user_code, 20)} {cell(user.smtp_name, 22)} {cell(user.smtp_username or '-', 24)} "
            f"{user.sender_name} <{user.sender_email}>")


def _row(stored: Stored[UserEmailSettings], broken: FieldError | None, brief: bool = False) -> dict[str, Any]:
    """A user's row; `brief` (for the table): only their key, their `line`
    and what print_list flags, made from the record's values."""
    from fincon_tui.domain.users import LABELS

    attention = describe(broken, LABELS) if broken else None
    if brief:
        return {"user_code": stored.record.user_code, "line": _line(stored.record), "needs_attention": attention}
    return {
        **stored.record.form_values(),
        "updated_at": stored.updated_at,
        "version": stored.version,
        "needs_attention": attention,
    }


def _rows(found: list[Stored[UserEmailSettings]], users: UserSettings, brief: bool = False) -> list[dict[str, Any]]:
    """The rows of `found`, each with the Login Used column of the Work with
    list (`login`) and the last test of the user's own login (`last_test`;
    not read when `brief`, for the table, which does not show it); why a
    user cannot send is flagged and explained in the table."""
    from fincon_tui.services.login_results import as_json as last_test_json
    from fincon_tui.services.work_lists import user_lookups, user_rows

    linked, secrets = user_lookups(users, found)
    listed_rows = user_rows(users, found, linked, secrets, tests=not brief)
    rows = []
    for stored, listed, broken in zip(found, listed_rows, users.attentions(found, secrets, linked), strict=True):
        row = _row(stored, broken, brief)
        if not brief:
            row["login"] = listed.login_used
        if listed.missing:
            row["warning"] = f"cannot send: {listed.missing}"
        if not brief:
            row["last_test"] = last_test_json(listed.last_test)
        rows.append(row)
    return rows


def _login(user: UserEmailSettings, users: UserSettings) -> dict[str, Any]:
    """Which login the user sends with, as the form's 'Login used:' line
    says (MISSING: and why, when it cannot log in); how it gets its token;
    and when the user's own sign-in expires."""
    from fincon_tui.domain.login import effective_login
    from fincon_tui.domain.password_binding import smtp_owner, user_owner
    from fincon_tui.services.oauth_logins import login_way, user_expiries

    found: dict[str, Any] = {"login_used": None, "login_way": None, "expires": {}}
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


def _details(row: dict[str, Any], stored: Stored[UserEmailSettings], users: UserSettings) -> None:
    row.update(_login(stored.record, users))


def _sign_in(users: UserSettings, ctx: Context) -> SignIn:
    from fincon_tui.services.sign_ins import user_sign_in
    from fincon_tui.services.smtp_settings import SmtpSettings

    return user_sign_in(users, SmtpSettings(ctx.store, ctx.vault), ctx.args.key)


KIND = Kind(
    name="user", what="a user's email settings", key="CODE", fields=FIELDS, client_secret=False, service=_service,
    missing=_missing, heading=f"{'USER':<20} {'SMTP DEFINITION':<22} {'OWN LOGIN':<24} SENDER", key_column="user_code",
    rows=_rows, details=_details, sign_in=_sign_in,
)
