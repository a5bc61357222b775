"""The store: everything fincon-tui keeps, behind one interface that every
engine implements (SQLite today, storage/sqlite/; PostgreSQL next).
Services, the UI and the CLI see only this module and storage/records.py,
storage/audit.py and storage/waiting.py: never an engine, its driver or SQL.

The contract, for every engine:

- **Opening.**  `open_store(location, ...)` picks the engine by the
  location (a file path: SQLite; later a postgresql:// URL) and returns
  an open `Store`, its schema brought up to date when `writable` (the
  steps one at a time, each in one transaction; two processes starting
  at once both succeed, one waiting for the other through `waiting`).
  A read-only open never creates or migrates: NoDatabase when the schema
  is missing or older (`empty` says which), SchemaTooNew when newer.
- **Threads.**  A Store is used by one thread at a time (the UI's
  database thread, or the CLI's main thread).  Only `secret_replacer()`'s
  function may be called from another thread.
- **Transactions.**  `with store.transaction() as work:` is one write
  transaction: it takes the write lock up front (SQLite BEGIN IMMEDIATE;
  serialisable, or row locks taken before reading, elsewhere), commits at
  the end of the block and rolls back on any exception, which then
  propagates (engine errors translated).  Waiting for another session's
  lock is reported to and abandoned through the thread's
  `waiting.WAITING` (LockWaitAbandoned; StorageError after its limit).
  Everything called on the store's repositories inside the block, in the
  same thread, belongs to that transaction; outside one, each call reads
  committed data on its own.  `read()` gives a unit of work that sees one
  committed snapshot (inside a transaction: that transaction).
  Transactions do not nest.  Before the first write of a transaction the
  engine refuses (FileReplaced) to write to anything but the database that
  was opened.
- **Versions.**  Every record row has `version` (1 when created, +1 on
  every update or rename), `row_id` (given at creation, kept through
  renames, never reused) and `created_at`/`updated_at` (ISO-8601 UTC).
  `current(key, expected)` is the lost-update check a save makes inside
  its transaction: RecordChanged unless the stored row is the one loaded
  (`expected`: the Stored as loaded, same row_id, created_at and version;
  or just a version).  `renamed`/`recreated` say what happened instead.
- **Keys.**  Keys are unique by `records.fold` (NFC, then casefold),
  computed by the app and compared as such, never by an engine's
  collation: 'ZÜRICH' and a decomposed 'zürich' are one name, as are
  'STRASSE' and 'Straße'.  `get` finds a record by any spelling that folds
  alike; a rename or an update keeps the stored spelling unless the key
  itself changes.  Insert or rename onto a taken key: RecordExists.
- **References.**  A user names its SMTP definition; deleting a definition
  with linked users is refused (RecordInUse) by the store itself, and a
  definition's rename lets the caller re-point its users in the same
  transaction (the reference is checked at commit).
- **Rules.**  The store enforces the fields' rules itself (triggers or
  CHECK constraints generated from the same declarations as the forms'
  checks): a refused value raises RuleRefused naming the field.
- **Errors.**  Only the tree of _exceptions.py leaves the store: every
  engine error becomes a StorageError (DatabaseDamaged, FileReplaced,
  RuleRefused, RecordInUse ... or a plain StorageError whose message says
  what to do).  No driver exception ever reaches a caller.
- **Secrets.**  Sealed secrets are rows of their own, one per (owner,
  name), written in the transaction of their record; the store never sees
  a secret unsealed.
- **Change notices.**  `changes()` is the store's feed of what other
  sessions (another admin, on this machine or another server, or a
  command) committed: each `poll()`, in the store's thread, returns the
  audit rows (storage/changes.py Change) committed since the last poll
  by anyone but this store, in order, and never blocks for long (SQLite:
  `PRAGMA data_version` on the store's connection, then the rows; on
  PostgreSQL a connection of the feed's own that LISTENs, each write
  NOTIFYing inside its transaction so that a rollback announces nothing,
  or polling where LISTEN cannot work).  A feed that lost its connection
  makes it again and reads everything since its last row, so nothing is
  missed.  `how_changes_arrive()` says which, for an admin.
- **Hosts.**  One row per host name that used the database with the key
  id it last loaded (`hosts`); the database names the key being staged by
  a rotation (`info.staged_key_id`).  Never a key.
- **Login tests.**  The results of login tests (`login_tests`), the last
  LOGIN_TESTS_KEPT of each record, by the record's row_id (a rename
  carries them; a deleted record's go with it): rows of their own, so that
  a test never bumps a record's version nor writes its audit trail, nor
  announces a change.
- **SPF verdicts.**  What the last `check --dns` found of each record's
  sender domains' SPF (`spf_verdicts`), one row per record by row_id,
  replaced by each run that could tell; kept as the login tests are.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from fincon_tui.domain.secret_kinds import SecretKind

if TYPE_CHECKING:
    from fincon_tui.domain.password_binding import PasswordOwner
    from fincon_tui.domain.smtp import SmtpDefinition  # noqa: F401  (in a quoted base)
    from fincon_tui.domain.users import UserEmailSettings
    from fincon_tui.storage.audit import AuditEntry
    from fincon_tui.storage.bulk import Contents
    from fincon_tui.storage.changes import Change
    from fincon_tui.storage.records import (
        HostSeen,
        Keyed,
        LegacyPassword,
        LoginTest,
        Page,
        PageQuery,
        SealedPassword,
        SpfVerdict,
        Stored,
    )
    from fincon_tui.storage.waiting import Waiting

R = TypeVar("R", bound="Keyed")


class Records(Protocol[R]):
    """One kind of record (one table): read, and written inside a transaction."""

    #: How messages name one record: 'SMTP definition', 'User email settings'.
    kind: str
    #: The key's field: 'name', 'user_code'.
    key_column: str

    def normalize_key(self, key: str) -> str:
        """A typed key as stored keys are written (trimmed; user codes upper case)."""
        ...

    def to_columns(self, record: R) -> dict[str, object]:
        """The record as the storage contract's columns: what the audit trail compares."""
        ...

    def get(self, key: str) -> Stored[R] | None:
        """The record whose key folds like `key`, or None."""
        ...

    def by_row_id(self, row_id: str) -> Stored[R] | None: ...

    def many(self, keys: Sequence[str]) -> dict[object, Stored[R]]:
        """The records of `keys` that exist, by folded key (records.fold),
        read in one query (or one per few hundred keys), not one per key."""
        ...

    def breaking_rules(self, keys: Sequence[str]) -> set[str]:
        """Which of `keys` (stored keys) name a row that breaks one of the
        declared field rules: one stored before the rule existed, which
        needs attention.  The schema step that brings a rule notes the rows
        that break it (`rows_before_rules`); the engine evaluates its rules
        over those alone, in one query.  Every other row was written through
        the rules, so that a list need not check each value again."""
        ...

    def current(self, key: str, expected: int | Stored[R]) -> Stored[R]:
        """The record as stored if it is still the one loaded; else RecordChanged."""
        ...

    def insert(self, record: R) -> Stored[R]:
        """Add it as version 1 with a new row_id; RecordExists if the key is taken."""
        ...

    def update(self, record: R, current: Stored[R]) -> Stored[R]:
        """Write `record` over `current` (from current()) as its next version."""
        ...

    def rename(self, current: Stored[R], new_key: str) -> Stored[R]:
        """`current` under `new_key`, the same row in its next version; RecordExists if taken."""
        ...

    def delete(self, current: Stored[R]) -> None: ...

    def search(self, text: str, limit: int, offset: int = 0) -> list[Stored[R]]:
        """At most `limit` records whose key or other searched fields contain
        `text` (case folded), in key order, the first `offset` of them
        skipped (the next page of a look-up list); '' gives every record."""
        ...

    def listing(self, columns: Sequence[str], limit: int | None = None) -> list[tuple[Any, ...]]:
        """Every record's `columns` (names of its table's columns) as
        stored, then the values `search` looks in as text (NULL: ''), in the
        order search('') gives, the first `limit` if given: no record is
        made (an F4 list holds every record's row)."""
        ...

    def page(self, query: PageQuery) -> Page[R]:
        """One page of every record, in key order (see PageQuery)."""
        ...

    def chunks(self, size: int = 0) -> Generator[list[Stored[R]], None, None]:
        """Every record in the order search('') gives, `size` at a time
        (records.LIST_CHUNK unless given, read when called), read by one query: a list or an
        export of any length holds one chunk of records at a time.  Read it
        inside `read()`, which the chunks then all see, as one snapshot."""
        ...


class SmtpDefinitions(Records["SmtpDefinition"], Protocol):
    """The SMTP definitions, by name."""


class UserSettingsRecords(Records["UserEmailSettings"], Protocol):
    """Users' email settings, by user code; each names its definition."""

    def linked_to(self, smtp_name: str, limit: int) -> tuple[list[str], int]:
        """User codes linked to a definition (the first `limit`, in order) and how many in all."""
        ...

    def linked_records(self, smtp_name: str) -> list[Stored[UserEmailSettings]]:
        """Every user linked to a definition, in user code order."""
        ...

    def counts(self, smtp_names: list[str]) -> dict[object, int]:
        """How many users are linked to each of these definitions, by folded name."""
        ...

    def without_login(self, smtp_name: str) -> int:
        """Users linked to a definition who have no SMTP username of their own."""
        ...

    def own_logins(self, smtp_name: str) -> list[tuple[str, str]]:
        """(user code, own username) of the linked users with a login of their own."""
        ...


class SecretRows(Protocol):
    """Sealed secrets (one per owner and name), and the passwords an older
    version left in admins' keyrings.  Writes belong in a transaction."""

    def get(self, owner: PasswordOwner, name: SecretKind = SecretKind.PASSWORD) -> SealedPassword | None: ...

    def of_owner(self, owner: PasswordOwner) -> list[SealedPassword]:
        """Every secret of `owner`, by name."""
        ...

    def exists(self, owner: PasswordOwner, name: SecretKind = SecretKind.PASSWORD) -> bool:
        """A stored secret `name` (for 'password', also one in an older keyring)."""
        ...

    def names(self, owners: Iterable[PasswordOwner]) -> dict[PasswordOwner, frozenset[SecretKind]]:
        """The names of each owner's secrets ('password' also for a legacy
        one), in one query that reads no sealed value."""
        ...

    def all_sealed(self) -> list[SealedPassword]: ...

    def put(self, sealed: SealedPassword) -> None:
        """Store or replace it (a password also ends its legacy entry)."""
        ...

    def remove(self, owner: PasswordOwner, name: SecretKind | None = None) -> None:
        """Remove the secret `name` of `owner`, or with None every one it has."""
        ...

    def legacy(self, owner: PasswordOwner) -> LegacyPassword | None: ...

    def all_legacy(self) -> list[LegacyPassword]: ...

    def drop_legacy(self, owner: PasswordOwner) -> None: ...


class AuditTrail(Protocol):
    """Who changed which record when, field by field: an entry is written
    in the transaction of its change and belongs to the record's row_id."""

    def record(self, kind: str, stored: Stored[Any], action: str, changes: Mapping[str, object],
               password_changed: bool) -> None:
        """An entry for `stored` (as saved, or as it was deleted): `action`
        is create, update or delete; `changes` field -> [old, new] or words."""
        ...

    def history(self, kind: str, row_id: str | None) -> list[AuditEntry]:
        """The entries of the record with this row_id, newest first."""
        ...


class StoreInfo(Protocol):
    """The database's identity: what sealed secrets are bound to."""

    def database_id(self) -> str:
        """The id made when the database was created (StorageError if lost)."""
        ...

    def key_id(self) -> str | None:
        """The id of the key new secrets are sealed with (None before the first)."""
        ...

    def set_key_id(self, key_id: str) -> None:
        """Name the key new secrets are sealed with (in a transaction)."""
        ...

    def staged_key_id(self) -> str | None:
        """The id of a key `key rotate` staged and has not yet sealed the
        secrets with (None: no rotation under way)."""
        ...

    def set_staged_key_id(self, key_id: str | None) -> None:
        """Stage a key (in a transaction); None ends the rotation."""
        ...

    def schema_version(self) -> str:
        """The last schema step applied ('m012_...')."""
        ...

    def latest_schema_version(self) -> str:
        """The last schema step this fincon-tui applies: the database is
        current when schema_version() is this one."""
        ...

    def server_version(self) -> str:
        """The engine's version as it reports it: PostgreSQL's server
        ('16.4'), or the SQLite library's ('3.45.1')."""
        ...


class BulkRows(Protocol):
    """The whole database at once, as storage/bulk.py's rows: what `db copy`
    reads from one store and writes into another, nothing re-made."""

    def counts(self) -> dict[str, int]:
        """How many rows each table of bulk.TABLES holds."""
        ...

    def contents(self) -> Contents:
        """Everything, as stored (read it in one `read()`); values that
        another engine could not hold as they are named in `bad_text`."""
        ...

    def put_contents(self, contents: Contents, progress: Callable[[int], None]) -> None:
        """Write `contents` as they are into this empty database (in a
        transaction), the database id and key id included; `progress` is
        told how many more rows were written.  StorageError naming the
        record or table a refusal came from."""
        ...


class HostRows(Protocol):
    """The hosts that used the database (one row a host name), and the key
    id each last loaded.  Writes belong in a transaction."""

    def get(self, host: str) -> HostSeen | None: ...

    def all(self) -> list[HostSeen]:
        """Every host, the most recently seen first."""
        ...

    def put(self, seen: HostSeen) -> None:
        """Store or replace the row of `seen.host`."""
        ...


class LoginTestRows(Protocol):
    """The results of login tests, by record (kind 'smtp' or 'user', and
    row_id).  Writes belong in a transaction."""

    def record(self, result: LoginTest) -> None:
        """Keep `result`, and drop the record's results older than its last
        LOGIN_TESTS_KEPT."""
        ...

    def latest_for(self, record_kind: str, row_ids: Iterable[str]) -> dict[str, LoginTest]:
        """The newest result of each of these records that has one, by
        row_id, in one query (a page of a list)."""
        ...

    def latest_with_verdicts(self, record_kind: str, row_ids: Iterable[str],
                             ) -> tuple[dict[str, LoginTest], dict[str, SpfVerdict]]:
        """latest_for and SpfVerdictRows.latest_for in one query (a page of
        a list: the Last test column)."""
        ...

    def history(self, record_kind: str, row_id: str) -> list[LoginTest]:
        """The record's results, newest first."""
        ...

    def forget(self, record_kind: str, row_id: str) -> None:
        """Drop the results of a record being deleted."""
        ...


class SpfVerdictRows(Protocol):
    """The SPF verdicts of `check --dns`, one per record (kind 'smtp' or
    'user', and row_id).  Writes belong in a transaction."""

    def put(self, verdict: SpfVerdict) -> None:
        """Store `verdict`, replacing the record's earlier one."""
        ...

    def latest_for(self, record_kind: str, row_ids: Iterable[str]) -> dict[str, SpfVerdict]:
        """The verdict of each of these records that has one, by row_id, in one query."""
        ...

    def forget(self, record_kind: str, row_id: str) -> None:
        """Drop the verdict of a record being deleted."""
        ...


class UnitOfWork(Protocol):
    """The repositories, as one transaction (or snapshot) sees them."""

    @property
    def smtp(self) -> SmtpDefinitions: ...

    @property
    def users(self) -> UserSettingsRecords: ...

    @property
    def secrets(self) -> SecretRows: ...

    @property
    def audit(self) -> AuditTrail: ...

    @property
    def info(self) -> StoreInfo: ...

    @property
    def bulk(self) -> BulkRows: ...

    @property
    def hosts(self) -> HostRows: ...

    @property
    def login_tests(self) -> LoginTestRows: ...

    @property
    def spf_verdicts(self) -> SpfVerdictRows: ...


class ChangeFeed(Protocol):
    """Other sessions' committed changes (see the contract)."""

    @property
    def how(self) -> str:
        """How notices arrive: 'PRAGMA data_version polling every 0.5 s', 'LISTEN/NOTIFY', ..."""
        ...

    @property
    def interval(self) -> float:
        """Seconds between two polls that the feed asks for (a poll is cheap)."""
        ...

    def poll(self) -> list[Change]:
        """The changes other sessions committed since the last poll (the
        first: since the feed was made), oldest first."""
        ...

    def close(self) -> None: ...


class Store(UnitOfWork, Protocol):
    """An open database (see the module's contract)."""

    #: Where it is, as an admin may be shown it (a path; a URL without its password).
    location: str
    #: The engine, as people name it: 'SQLite', 'PostgreSQL'.
    engine: str

    def transaction(self) -> AbstractContextManager[UnitOfWork]:
        """One write transaction (see the contract)."""
        ...

    def read(self) -> AbstractContextManager[UnitOfWork]:
        """One consistent read."""
        ...

    def secret_replacer(self) -> Callable[[SealedPassword], bool]:
        """A function, safe in any thread, that replaces a stored secret in
        a short transaction of its own while the row still has it for the
        same binding; True if it did (a refresh token rotated in a token thread)."""
        ...

    def changes(self) -> ChangeFeed:
        """The feed of other sessions' changes, made on first use (from then
        on it reports), closed with the store."""
        ...

    def how_changes_arrive(self) -> str:
        """How this store learns of other sessions' changes, in words for
        `db status`: 'LISTEN/NOTIFY', 'polling every 1 s (LISTEN
        unavailable: ...)', 'PRAGMA data_version polling every 0.5 s'."""
        ...

    def close(self) -> None: ...


def open_store(location: str | Path, *, writable: bool = True, adopt: bool = False,
               waiting: Waiting | None = None, any_schema: bool = False) -> Store:
    """Open the store at `location`, a SQLite file's path or a PostgreSQL
    URL (storage/location.py; StorageError with a one-line reason).

    `writable` creates a missing database and brings its schema up to date;
    read-only use changes nothing (NoDatabase if it would have to).  `adopt`
    lets `init` add fincon-tui's tables to another program's SQLite file.
    `any_schema`, read-only: an older schema is opened as it is, to be
    described (`db status` reads only `info`), not refused."""
    from fincon_tui.storage.location import POSTGRESQL, locate

    where = locate(location)
    if where.engine == POSTGRESQL:
        from fincon_tui.storage.postgres.store import open_postgres

        return open_postgres(where, writable=writable, waiting=waiting, any_schema=any_schema)
    from fincon_tui.storage.sqlite.store import open_sqlite

    assert where.path is not None
    return open_sqlite(where.path, writable=writable, adopt=adopt, waiting=waiting, any_schema=any_schema)


def new_file(location: str | Path) -> Path | None:
    """The SQLite file `location` names if there is none there yet (one a
    writable open_store would create, and discard_new can remove again);
    None for a PostgreSQL URL or a file that exists."""
    from fincon_tui.storage.location import POSTGRESQL, locate

    where = locate(location)
    if where.engine == POSTGRESQL or where.path is None or os.path.lexists(where.path):
        return None
    return where.path


def discard_new(path: Path) -> None:
    """Remove the SQLite file at `path` that this run created (new_file),
    closed, and the files SQLite keeps beside it: what a command that
    refused leaves of it (db copy's target)."""
    for name in (path, *(path.with_name(path.name + end) for end in ("-wal", "-shm", "-journal"))):
        with contextlib.suppress(FileNotFoundError):
            name.unlink()


def scratch_store() -> Store:
    """A new, empty store in memory with the current schema: what an
    `import --dry-run` checks against when there is no database yet."""
    from fincon_tui.storage.sqlite.store import scratch_sqlite

    return scratch_sqlite()


def check_location(location: str | Path, *, writable: bool = True) -> None:
    """The quick checks made before the full-screen app paints (no engine
    loaded): StorageError for a location that cannot be the database (a
    URL is checked for a password; the server is asked when opening)."""
    from fincon_tui.storage.checks import check_database_file
    from fincon_tui.storage.location import locate

    where = locate(location)
    if where.path is not None:
        check_database_file(where.path, writable=writable)


class Opener:
    """`open_store(location)` put off: what the full-screen app calls in
    its database thread after the first paint."""

    def __init__(self, location: str | Path) -> None:
        self.location = location

    def __call__(self) -> Store:
        return open_store(self.location)

    def load_engine(self) -> None:
        """Import the engine's modules now, in this thread (the UI's main
        thread, before the database thread opens the store)."""
        from fincon_tui.storage.location import is_url

        if is_url(str(self.location)):
            import fincon_tui.storage.postgres.store
        else:
            import fincon_tui.storage.sqlite.store  # noqa: F401
