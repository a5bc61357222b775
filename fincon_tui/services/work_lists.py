"""The rows of the "Work with" lists (and of `smtp list`, `user list`):
what an admin needs at a glance.

Definitions: name, server:port, TLS mode, whose login (shared, per user,
none, or MISSING when the shared one lacks its secret), how many users
are linked and the last login test.  Users: their definition, sender
address, the login they send with and the last test of their own login.
Read a page at a time (Records.page); which secrets are stored is asked
once a page, and none is opened; the last tests too, in one query.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from fincon_tui._exceptions import LoginMissing
from fincon_tui.domain.login import SecretNames, effective_login
from fincon_tui.domain.password_binding import smtp_owner, user_owner
from fincon_tui.storage.records import Direction, PageQuery, fold

if TYPE_CHECKING:
    from fincon_tui.domain.secret_kinds import SecretKind
    from fincon_tui.domain.smtp import SmtpDefinition
    from fincon_tui.domain.users import UserEmailSettings
    from fincon_tui.services.sealed_passwords import Passwords
    from fincon_tui.services.smtp_settings import SmtpSettings
    from fincon_tui.services.user_settings import UserSettings
    from fincon_tui.storage.records import LoginTest, SpfVerdict, Stored

T = TypeVar("T")

#: The TLS column: how the connection is secured.
TLS_MODES = {"implicit TLS": "TLS", "STARTTLS": "STARTTLS", "none": "none"}


@dataclass(frozen=True)
class DefinitionRow:
    stored: Stored[SmtpDefinition]
    tls: str
    login: str  # shared, per user, none or MISSING
    users: int
    #: Why the shared login cannot log in ('' unless MISSING).
    missing: str = ""
    #: The last login test (None: never tested).
    last_test: LoginTest | None = None
    #: What the last `check --dns` found of its sender domains' SPF (None: not checked).
    spf: SpfVerdict | None = None

    @property
    def key(self) -> str:
        return self.stored.key

    @property
    def last_test_cell(self) -> str:
        from fincon_tui.services.login_results import cell

        return cell(self.last_test, self.spf)

    @property
    def last_test_warns(self) -> bool:
        from fincon_tui.services.login_results import warns

        return warns(self.last_test, self.spf)

    @property
    def server_port(self) -> str:
        record = self.stored.record
        return f"{record.mail_server}:{record.port}"


@dataclass(frozen=True)
class UserRow:
    stored: Stored[UserEmailSettings]
    login_used: str
    can_send: bool
    #: Why the user cannot send ('' when they can).
    missing: str = ""
    #: The last test of the user's own login (None: never, or no login of their own).
    last_test: LoginTest | None = None
    #: The SPF verdict of the user's sender domain, when checked as a record of its own.
    spf: SpfVerdict | None = None

    @property
    def key(self) -> str:
        return self.stored.key

    @property
    def own_login(self) -> bool:
        return self.login_used.startswith("own: ")

    @property
    def last_test_cell(self) -> str:
        """The user's own login's last test; 'shared' when they send with
        the definition's login (its test is the definition's)."""
        from fincon_tui.services.login_results import cell

        if self.can_send and not self.own_login:
            return "shared" if self.login_used != "none" else ""
        return cell(self.last_test, self.spf)

    @property
    def last_test_warns(self) -> bool:
        from fincon_tui.services.login_results import warns

        return warns(self.last_test, self.spf)


@dataclass(frozen=True)
class ListPage(Generic[T]):
    """The rows of a page of a list, and whether any come before and after it."""

    rows: list[T]
    before: bool
    after: bool


def definitions(smtp: SmtpSettings, key: str, size: int, direction: Direction = "from") -> ListPage[DefinitionRow]:
    """A page of definitions, from `key` on (Position to) unless `direction` says otherwise."""
    with smtp.store.read():
        page = smtp.repo.page(PageQuery(key, size, direction))
        counts = smtp.users.counts([stored.key for stored in page.rows])
        rows = definition_rows(smtp.passwords, page.rows, counts)
    return ListPage(rows, page.before, page.after)


def definition_rows(passwords: Passwords, found: list[Stored[SmtpDefinition]],
                    counts: dict[object, int] | None = None, secrets: SecretNames | None = None,
                    tests: bool = True) -> list[DefinitionRow]:
    """The rows of `found` (`counts`: linked users by folded name; `secrets`:
    definition_secrets, asked here when not given), with their last tests
    and SPF verdicts unless not `tests` (a table that shows neither)."""
    from fincon_tui.mail.security import implicit_tls_ports, security

    ports = implicit_tls_ports()
    if secrets is None:
        secrets = definition_secrets(passwords, found)
    last, spf = _tests_of(passwords, "smtp", found) if tests else ({}, {})
    rows = []
    for stored in found:
        record = stored.record
        login, missing = definition_login(record, secrets)
        count = counts.get(fold(stored.key), 0) if counts else 0
        row_id = stored.row_id or ""
        rows.append(DefinitionRow(stored, TLS_MODES[security(record, ports)], login, count, missing,
                                  last.get(row_id), spf.get(row_id)))
    return rows


def _tests_of(passwords: Passwords, kind: str, found: Sequence[Stored[Any]],
              ) -> tuple[dict[str, LoginTest], dict[str, SpfVerdict]]:
    """The last login test and the SPF verdict of each of `found` that has one, by row_id (one query)."""
    return passwords.store.login_tests.latest_with_verdicts(kind, [stored.row_id for stored in found if stored.row_id])


def definition_login(definition: SmtpDefinition, secrets: SecretNames) -> tuple[str, str]:
    """The Login column ('none', 'shared', 'per user': each user brings
    their own, or 'MISSING') and, when MISSING, why.  The column is the
    same for every definition of the same shape (what the login's rules
    read of it), and 20,000 rows have a handful: it is found once a shape
    (_login_column); why a login is MISSING names it, from its own values."""
    d = definition
    column = _login_column((d.authenticate, d.username != "", d.login_method, secrets.get(smtp_owner(d.name),
                                                                                          frozenset())))
    return (column, "") if column != "MISSING" else _definition_login(definition, secrets)


@functools.lru_cache(maxsize=256)
def _login_column(shape: tuple[bool, bool, str, frozenset[SecretKind]]) -> str:
    """definition_login's column for every definition of `shape`: whether it
    authenticates, whether it has a username, its Login Method and the
    secrets it holds; found over a stand-in of that shape
    (tests/test_lists_at_scale.py holds it to the rule over random definitions)."""
    from fincon_tui.domain.smtp import SmtpDefinition

    authenticate, username, method, held = shape
    stand_in = SmtpDefinition(name="X", mail_server="", authenticate=authenticate, username="x" if username else "",
                              port=0, use_tls=False, timeout_seconds=0, bcc="", login_method=method)
    return _definition_login(stand_in, {smtp_owner("X"): held})[0]


def _definition_login(definition: SmtpDefinition, secrets: SecretNames) -> tuple[str, str]:
    """definition_login of `definition` by its own values."""
    try:
        return ("none" if effective_login(definition, secrets=secrets) is None else "shared"), ""
    except LoginMissing as missing:
        return ("per user", "") if definition.users_bring_login else ("MISSING", str(missing))


def users(settings: UserSettings, key: str, size: int, direction: Direction = "from") -> ListPage[UserRow]:
    """A page of users, as `definitions` reads definitions."""
    with settings.store.read():
        page = settings.repo.page(PageQuery(key, size, direction))
        rows = user_rows(settings, page.rows)
    return ListPage(rows, page.before, page.after)


def user_rows(settings: UserSettings, found: list[Stored[UserEmailSettings]],
              linked: dict[object, SmtpDefinition | None] | None = None,
              secrets: SecretNames | None = None, tests: bool = True) -> list[UserRow]:
    """The rows of `found`: the definitions read in one query, the secrets
    asked once (`linked` and `secrets`: as user_lookups gives them); their
    last tests and SPF verdicts unless not `tests`."""
    if linked is None or secrets is None:
        linked, secrets = user_lookups(settings, found)
    last, spf = _tests_of(settings.passwords, "user", found) if tests else ({}, {})
    return [UserRow(stored, *login_used(stored.record, linked[fold(stored.record.smtp_name)], secrets),
                    last_test=last.get(stored.row_id or ""), spf=spf.get(stored.row_id or "")) for stored in found]


def user_lookups(
    settings: UserSettings, found: list[Stored[UserEmailSettings]],
) -> tuple[dict[object, SmtpDefinition | None], SecretNames]:
    """What the rows of `found` need besides: the definition each names (by
    folded name) and which secrets the users and those definitions hold,
    each in one query."""
    linked = settings.linked_definitions(found)
    owners = [user_owner(stored.record.user_code) for stored in found]
    owners += [smtp_owner(definition.name) for definition in linked.values() if definition]
    return linked, settings.passwords.names(owners)


def definition_secrets(passwords: Passwords, found: list[Stored[SmtpDefinition]]) -> SecretNames:
    """Which secrets each of `found` holds, in one query."""
    return passwords.names(smtp_owner(stored.record.name) for stored in found)


def login_used(
    user: UserEmailSettings, definition: SmtpDefinition | None, secrets: SecretNames
) -> tuple[str, bool, str]:
    """The login column, whose login first so that a long one is cut at its
    end ('own: alice', 'shared: shared@corp.example', 'none', 'MISSING: …'),
    whether the user can send, and if not why."""
    if definition is None:
        return "MISSING: no definition", False, f"SMTP definition {user.smtp_name} does not exist"
    try:
        login = effective_login(definition, user.user_code, user.smtp_username, user.login_method, secrets=secrets)
    except LoginMissing as missing:
        return f"MISSING: {missing.short}", False, str(missing)
    if login is None:
        return "none", True, ""
    return f"{'own' if login.source == 'user' else 'shared'}: {login.username}", True, ""
