"""The rows of the "Work with" lists: what an admin needs at a glance.

Definitions: name, server:port, TLS mode, whose login (shared, per user or
none) and how many users are linked.  Users: their definition, sender
address and the login they send with.  Read a page at a time (storage/pages.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from fincon_tui._exceptions import LoginMissing
from fincon_tui.domain.login import effective_login, own_method_problem
from fincon_tui.storage import pages
from fincon_tui.storage.versioned_table import fold

if TYPE_CHECKING:
    from fincon_tui.domain.smtp import SmtpDefinition
    from fincon_tui.domain.users import UserEmailSettings
    from fincon_tui.services.smtp_settings import SmtpSettings
    from fincon_tui.services.user_settings import UserSettings
    from fincon_tui.storage.versioned_table import Stored

#: The TLS column: how the connection is secured.
TLS_MODES = {"implicit TLS": "TLS", "STARTTLS": "STARTTLS", "none": "none"}


@dataclass(frozen=True)
class DefinitionRow:
    stored: Stored[SmtpDefinition]
    tls: str
    login: str  # shared, per user or none
    users: int

    @property
    def key(self) -> str:
        return self.stored.key

    @property
    def server_port(self) -> str:
        record = self.stored.record
        return f"{record.mail_server}:{record.port}"


@dataclass(frozen=True)
class UserRow:
    stored: Stored[UserEmailSettings]
    login_used: str
    can_send: bool

    @property
    def key(self) -> str:
        return self.stored.key


@dataclass(frozen=True)
class ListPage:
    rows: list
    before: bool
    after: bool


#: Which page: from a key on, after it (the next page), or before it (the previous).
Direction = Literal["from", "after", "before"]


def _page(repo, key: str, size: int, direction: Direction) -> pages.Page:
    if direction == "before":
        return pages.page_before(repo, key, size)
    return pages.page_from(repo, key, size, past=direction == "after")


def definitions(smtp: SmtpSettings, key: str, size: int, direction: Direction = "from") -> ListPage:
    """A page of definitions, from `key` on (Position to) unless `direction` says otherwise."""
    from fincon_tui.mail.security import security

    page = _page(smtp.repo, key, size, direction)
    counts = smtp.users.counts([stored.key for stored in page.rows])
    rows = []
    for stored in page.rows:
        record = stored.record
        login = "none" if not record.authenticate else "shared" if record.username else "per user"
        rows.append(DefinitionRow(stored, TLS_MODES[security(record)], login, counts.get(fold(stored.key), 0)))
    return ListPage(rows, page.before, page.after)


def users(settings: UserSettings, key: str, size: int, direction: Direction = "from") -> ListPage:
    """A page of users, as `definitions` reads definitions."""
    page = _page(settings.repo, key, size, direction)
    found: dict[object, SmtpDefinition | None] = {}
    rows = []
    for stored in page.rows:
        name = fold(stored.record.smtp_name)
        if name not in found:
            definition = settings.definitions.get(stored.record.smtp_name)
            found[name] = definition.record if definition else None
        rows.append(UserRow(stored, *login_used(stored.record, found[name])))
    return ListPage(rows, page.before, page.after)


def login_used(user: UserEmailSettings, definition: SmtpDefinition | None) -> tuple[str, bool]:
    """The login column, whose login first so that a long one is cut at its
    end ('own: alice', 'shared: shared@corp.example', 'none', 'MISSING: …'),
    and whether the user can send."""
    if definition is None:
        return "MISSING: no definition", False
    try:
        login = effective_login(definition, user.user_code, user.smtp_username, user.login_method)
    except LoginMissing:
        return "MISSING: own login", False
    if login is None:
        return "none", True
    if login.source == "user" and own_method_problem(definition, login.own_method):
        return f"MISSING: Login Method {login.own_method}", False
    return f"{'own' if login.source == 'user' else 'shared'}: {login.username}", True
