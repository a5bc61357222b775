"""A whole database as rows, the same on every engine (Store.bulk): what
`db copy` reads from one store and writes into another, as is.

A row is a dict of the storage contract's columns (docs/storage.md), with
their values as stored: text, whole numbers, the sealed secrets' bytes,
NULL.  Nothing is re-made on the way: not the database id, the key id, a
sealed secret, a row_id, a version, a timestamp nor an audit entry's id.
What an engine makes from other columns (the folded SMTP Name, DERIVED)
is left out on reading and made again on writing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import cast

from fincon_tui._exceptions import DatabaseDamaged, StorageError
from fincon_tui.storage.records import SqliteValue

#: The tables of a database's contents, in the order they are written: a
#: user after the definition it names, the secrets after their records.
TABLES = ("smtp_settings", "user_email_settings", "secrets", "legacy_passwords", "audit_log", "login_tests")
#: Tables whose `id` a sequence gives (PostgreSQL moves it past the ids copied).
NUMBERED = ("audit_log", "login_tests")
#: How each table orders its rows, text in byte order on every engine (the
#: audit trail: in the order written).
ORDER = {
    "smtp_settings": ("name",),
    "user_email_settings": ("user_code",),
    "secrets": ("owner_kind", "owner_key", "name"),
    "legacy_passwords": ("owner_kind", "owner_key"),
    "audit_log": ("id",),
    "login_tests": ("id",),
}
#: Columns made from others on every engine (`name_folded`, records.fold
#: of the name): not part of what is copied, made again by the target.
DERIVED = {"smtp_settings": ("name_folded",)}
#: The one column that holds bytes; every other holds text, a number or NULL.
BYTES_COLUMNS = frozenset({"sealed"})
#: How many rows are written at once between two reports of progress.
CHUNK = 500

Row = dict[str, SqliteValue]
#: Told how many more rows were written.
Progress = Callable[[int], None]

_KINDS = {"smtp": "SMTP definition", "user": "User email settings"}


@dataclass(frozen=True)
class Contents:
    """Everything a store holds.  `bad_text` names each value that another
    engine could not hold as it is (not UTF-8, or a NUL character): such
    contents are never written."""

    database_id: str
    key_id: str | None
    tables: dict[str, list[Row]]
    bad_text: tuple[str, ...] = field(default=())

    def counts(self) -> dict[str, int]:
        return {table: len(self.tables.get(table, [])) for table in TABLES}

    @property
    def total(self) -> int:
        return sum(self.counts().values())


def record_of(table: str, row: Row) -> str:
    """How messages name the record a row belongs to: 'SMTP definition
    OFFICE', 'the password of User email settings ANN', 'audit entry 17
    (SMTP definition OFFICE)'."""
    def text(column: str) -> str:
        value = row.get(column)
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)

    if table == "smtp_settings":
        return f"SMTP definition {text('name')}"
    if table == "user_email_settings":
        return f"User email settings {text('user_code')}"
    owner = f"{_KINDS.get(text('owner_kind'), text('owner_kind'))} {text('owner_key')}"
    if table == "secrets":
        return f"the {text('name')} of {owner}"
    if table == "legacy_passwords":
        return f"the older keyring's password of {owner}"
    if table == "login_tests":
        return f"login test {text('id')} ({_KINDS.get(text('record_kind'), text('record_kind'))} {text('record_key')})"
    return f"audit entry {text('id')} ({text('kind')} {text('record_key')})"


def as_read(table: str, raw: Iterable[tuple[str, object]], bad: list[str]) -> Row:
    """A row read with its text as bytes (SQLite's, which may hold anything):
    text decoded, and each value no other engine could hold named in `bad`
    by record and column, never changed silently."""
    row: Row = {}
    problems: list[str] = []
    for column, value in raw:
        if isinstance(value, bytes) and column not in BYTES_COLUMNS:
            raw_text = value
            try:
                value = raw_text.decode("utf-8")
            except UnicodeDecodeError:
                problems.append(f"{column} is not UTF-8 text")
                value = raw_text.decode("utf-8", "replace")
        if isinstance(value, str) and "\x00" in value:
            problems.append(f"{column} holds a NUL character")
        row[column] = cast(SqliteValue, value)  # sqlite3 gives only these types
    bad += [f"{record_of(table, row)}: {problem}" for problem in problems]
    return row


#: How a refusal names what was being written, by table.
WRITING = {
    "smtp_settings": "the SMTP definitions",
    "user_email_settings": "the user email settings",
    "secrets": "the sealed secrets",
    "legacy_passwords": "the list of passwords in older keyrings",
    "audit_log": "the audit trail",
    "login_tests": "the results of login tests",
}


def refused(what: str, error: StorageError) -> StorageError:
    """`error`, which stopped the writing of `what` (a record, or WRITING's
    words for a table), saying so: nothing was written.  Damage is said as
    damage everywhere (storage/translate.py)."""
    if isinstance(error, DatabaseDamaged):
        return error
    return StorageError(f"{what} could not be written ({error}): nothing was copied")


def chunks(rows: list[Row]) -> Iterable[list[Row]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start:start + CHUNK]
