"""What the store hands up and takes, the same on every engine: a record
as stored (`Stored`), a page of a list (`PageQuery`, `Page`), a sealed
secret as stored, and how keys are folded for uniqueness (`fold`)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import Field, dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, Literal, Protocol, TypeVar

from fincon_tui._exceptions import RecordChanged
from fincon_tui.domain.declaration import fields_maker
from fincon_tui.domain.password_binding import PasswordBinding, PasswordOwner
from fincon_tui.domain.secret_kinds import SecretKind

#: What an engine hands a Python function, and takes back (SQLite's fincon_fold).
SqliteValue = str | bytes | int | float | None


class Keyed(Protocol):
    """A record with a key (SmtpDefinition.key, UserEmailSettings.key): a
    dataclass, which dataclasses.replace can copy with another key."""

    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]

    @property
    def key(self) -> str: ...


R = TypeVar("R", bound=Keyed)


@dataclass(frozen=True)
class Stored(Generic[R]):
    """A record as stored, with its bookkeeping: `version` counts its saves
    (1 when created), `row_id` stays with the row through renames, and
    `created_at`/`updated_at` are ISO-8601 UTC."""

    record: R
    created_at: str
    updated_at: str
    version: int
    row_id: str | None = None  # every row has one since m011 (a trigger gives it to rows other tools insert)
    #: The key of another record whose key folds like this one's: a duplicate
    #: that another tool stored before the database refused them (SQLite's m016).
    same_name_as: str | None = field(default=None, kw_only=True)

    @property
    def key(self) -> str:
        return self.record.key


def still_loaded(
    key: str, expected: int | Stored[R], current: Stored[R] | None,
    by_row_id: Callable[[str], Stored[R] | None],
) -> Stored[R]:
    """`current` (the record stored under `key` now), if it is still the one
    loaded: `expected` is the loaded record (same row and version) or just
    its version.  RecordChanged if another session saved, deleted,
    re-created or renamed it (found by its row, `by_row_id`).  Every
    engine's repositories ask this, so that all say the same."""
    version = expected if isinstance(expected, int) else expected.version
    if current is None and not isinstance(expected, int) and expected.row_id:
        moved = by_row_id(expected.row_id)
        if moved is not None:
            raise RecordChanged(key, moved, renamed=True)
    if current is None or current.version != version:
        raise RecordChanged(key, current)
    if not isinstance(expected, int) and (current.row_id, current.created_at) != (
        expected.row_id, expected.created_at
    ):
        raise RecordChanged(key, current, recreated=True)
    return current


def fold(text: SqliteValue) -> SqliteValue:
    """Unicode case folding (NFC first): two keys are the same record when
    their folds are equal ('ZÜRICH' and a decomposed 'zürich', 'STRASSE' and
    'Straße').  Every engine compares keys by this, never by a collation."""
    return unicodedata.normalize("NFC", text).casefold() if isinstance(text, str) else text


def searched_for(text: str) -> str:
    """What a search for `text` looks for: `text` without its outer spaces,
    folded.  A record matches when the fold of one of its searched values
    contains it; each engine's `search` and the look-up list's index in
    memory (services/lookup_index.py) all match by this."""
    return str(fold(text.strip()))


def like_containing(needle: str) -> str:
    """A LIKE pattern, with backslash as its escape, for text that contains
    `needle` (its % and _ taken literally): both engines' `search`."""
    return "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def listing_select(columns: Sequence[str], searched: Sequence[str]) -> str:
    """Records.listing's select list on both engines: `columns` as stored,
    then each of the `searched` columns as text (NULL: '')."""
    return ", ".join([*columns, *(f"CAST(coalesce({column}, '') AS TEXT)" for column in searched)])


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def new_row_id() -> str:
    """A new record's row_id (16 random hex digits), on both engines.
    `secrets` loads hashlib, hmac and OpenSSL's hashes (0.6 MiB): a start
    that creates no record loads none of them (issue 26)."""
    import secrets

    return secrets.token_hex(8)


#: How many records a list reads at a time (Records.chunks): a list of
#: 20,000 holds no more than this many as records at once.
LIST_CHUNK = 1000

#: Which page: from a key on, after it (the next page), or before it (the previous).
Direction = Literal["from", "after", "before"]


@dataclass(frozen=True)
class PageQuery:
    """One screenful of a list in key order: `size` records from `key` on
    ('from'; a key past the last gives the last page: Position to "ZZZ"),
    after it ('after') or before it ('before'; None: before the end; the
    first page when fewer are left)."""

    key: str | None
    size: int
    direction: Direction = "from"


#: The column a page's query adds: whether any record lies on the page's other side.
PAGE_FLAG = "page_flag"


def other_side(direction: Direction) -> str:
    """How the keys on a page's other side compare with the key it is read
    from (PageQuery.key): before a page read from the key ("from"; "after":
    past it), after a page read before it.  The same records as those before
    the page's first row (after its last), as none lies between that row and
    the key; so the page's own query asks it, no row needed first."""
    return {"from": "<", "after": "<=", "before": ">="}[direction]


def flagged_select(table: str, where: str, order_by: str, limit: int, flag: str) -> str:
    """A page's one query on both engines: the rows of `table` matching
    `where` (empty: all) in `order_by` order, the first `limit`, each with
    PAGE_FLAG, whether any row of `table` matches `flag` (other_side).  Its
    arguments: `flag`'s, then `where`'s."""
    return (f"SELECT *, EXISTS (SELECT 1 FROM {table} WHERE {flag}) AS {PAGE_FLAG} FROM {table}"
            + (f" WHERE {where}" if where else "") + f" ORDER BY {order_by} LIMIT {int(limit)}")


@dataclass(frozen=True)
class Page(Generic[R]):
    """The records of one page, and whether any come before and after it."""

    rows: list[Stored[R]]
    before: bool
    after: bool


@dataclass(frozen=True)
class SealedPassword:
    """A secret as stored: sealed with key `key_id` for `binding`; `name`
    says what it is and `expires_at` (ISO-8601 UTC) when it stops working,
    when known."""

    binding: PasswordBinding
    key_id: str
    sealed: bytes
    name: SecretKind = SecretKind.PASSWORD
    expires_at: str | None = None

    def __repr__(self) -> str:
        return f"SealedPassword({self.binding.owner!r}, {self.name!r}, key_id={self.key_id!r})"


@dataclass(frozen=True)
class LegacyPassword:
    """A record whose password an older version kept in an admin's keyring."""

    owner: PasswordOwner
    staged_token: str | None
    saved_by: str | None


@dataclass(frozen=True)
class HostSeen:
    """A host that used the database: the key id it last loaded (None: it
    had none of the database's keys), when (ISO-8601 UTC) and by whom."""

    host: str
    key_id: str | None
    seen_at: str
    seen_by: str


#: Login tests kept per record (LoginTestRows.record drops older ones).
LOGIN_TESTS_KEPT = 20
#: How much of a login test's message is kept.
LOGIN_TEST_MESSAGE_MAX = 300


@dataclass(frozen=True)
class LoginTest:
    """One login test's result, kept for the record it tested (by
    `record_kind` 'smtp' or 'user' and the record's `row_id`, which a
    rename keeps): when (ISO-8601 UTC), by whom, whether it logged in,
    the step that failed ('' when it passed), a short message (plain text,
    never a secret), the server certificate's notAfter and the earliest
    expiry of the secrets the login used (ISO-8601; None: not known)."""

    record_kind: str
    row_id: str
    record_key: str
    tested_at: str
    tested_by: str
    ok: bool
    step: str
    message: str
    certificate_expires: str | None = None
    secret_expires: str | None = None


#: How much of an SPF verdict's finding is kept.
SPF_FINDING_MAX = 200


@dataclass(frozen=True)
class SpfVerdict:
    """What the last `check --dns` that could tell found of the SPF of a
    record's sender domains (by `record_kind` 'smtp' or 'user' and
    `row_id`): when (ISO-8601 UTC), the domain it is about (the first that
    fails, else the first checked), whether mail from the record's server
    would fail SPF there, and the one-line finding (plain text, as DNS
    said it with control characters escaped)."""

    record_kind: str
    row_id: str
    record_key: str
    checked_at: str
    domain: str
    fails: bool
    finding: str


def stored_reader(
    columns: Sequence[str],
    make: Callable[[Sequence[Any]], R] | None,
    from_mapping: Callable[[dict[str, Any]], Stored[R]],
    same_name: Callable[[Sequence[Any]], str | None] | None = None,
) -> Callable[[Sequence[Any]], Stored[R]]:
    """A query's rows, given as tuples of `columns`, to Stored records: the
    record by `make` (a Declaration.reader), the bookkeeping by position,
    without a mapping a row; `from_mapping` when `make` is None or the
    bookkeeping columns are missing.  `same_name(row)`: Stored.same_name_as."""
    at = {name: index for index, name in enumerate(columns)}
    if make is None or not {"created_at", "updated_at", "version"} <= at.keys():
        return lambda row: from_mapping(dict(zip(columns, row, strict=True)))
    created, updated, version, row_id = at["created_at"], at["updated_at"], at["version"], at.get("row_id")
    built = make
    made = fields_maker(Stored)
    if made is None:
        def stored(row: Sequence[Any]) -> Stored[R]:
            return Stored(built(row), row[created], row[updated], row[version],
                          None if row_id is None else row[row_id],
                          same_name_as=None if same_name is None else same_name(row))

        return stored
    # as Stored(...) makes it, its attributes at once (fields_maker)
    return lambda row: made({"record": built(row), "created_at": row[created], "updated_at": row[updated],
                             "version": row[version], "row_id": None if row_id is None else row[row_id],
                             "same_name_as": None if same_name is None else same_name(row)})
