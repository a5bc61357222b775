"""The Store (storage/store.py) over one SQLite file: the repositories of
versioned_table.py, smtp_repo.py and user_repo.py, the secret rows of
secret_rows.py, the audit trail and the database's identity, on one
connection; write transactions from transactions.py."""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fincon_tui.domain.secret_kinds import SecretKind
from fincon_tui.storage import secret_rows
from fincon_tui.storage.audit import PASSWORD_CHANGED, AuditEntry, who
from fincon_tui.storage.changes import OwnWrites
from fincon_tui.storage.login_tests import (
    LOGIN_TEST_COLUMNS,
    LOGIN_TEST_NAMES,
    SPF_VERDICT_COLUMNS,
    SPF_VERDICT_NAMES,
    latest_with_verdicts_sql,
    login_test_columns,
    login_test_of,
    spf_verdict_columns,
    spf_verdict_of,
    tests_and_verdicts,
)
from fincon_tui.storage.records import (
    LOGIN_TESTS_KEPT,
    HostSeen,
    LegacyPassword,
    LoginTest,
    SealedPassword,
    SpfVerdict,
    Stored,
    utc_now,
)
from fincon_tui.storage.smtp_repo import SmtpRepository
from fincon_tui.storage.sqlite.bulk import SqliteBulk
from fincon_tui.storage.sqlite.changes import SqliteChanges
from fincon_tui.storage.transactions import write_transaction
from fincon_tui.storage.translate import translate_methods, translated
from fincon_tui.storage.user_repo import UserRepository

if TYPE_CHECKING:
    from fincon_tui.domain.password_binding import PasswordOwner
    from fincon_tui.storage.connection import Connection
    from fincon_tui.storage.waiting import Waiting

AUDIT_TABLE = "audit_log"


class SqliteSecrets:
    """storage.store.SecretRows on the `secrets` and `legacy_passwords` tables."""

    def __init__(self, db: Connection) -> None:
        self.db = db

    def get(self, owner: PasswordOwner, name: SecretKind = SecretKind.PASSWORD) -> SealedPassword | None:
        return secret_rows.get(self.db, owner, name)

    def of_owner(self, owner: PasswordOwner) -> list[SealedPassword]:
        return secret_rows.of_owner(self.db, owner)

    def exists(self, owner: PasswordOwner, name: SecretKind = SecretKind.PASSWORD) -> bool:
        return secret_rows.exists(self.db, owner, name)

    def names(self, owners: Iterable[PasswordOwner]) -> dict[PasswordOwner, frozenset[SecretKind]]:
        return secret_rows.names(self.db, owners)

    def all_sealed(self) -> list[SealedPassword]:
        return secret_rows.all_sealed(self.db)

    def put(self, sealed: SealedPassword) -> None:
        secret_rows.put(self.db, sealed)

    def remove(self, owner: PasswordOwner, name: SecretKind | None = None) -> None:
        secret_rows.remove(self.db, owner, name)

    def legacy(self, owner: PasswordOwner) -> LegacyPassword | None:
        return secret_rows.legacy(self.db, owner)

    def all_legacy(self) -> list[LegacyPassword]:
        return secret_rows.all_legacy(self.db)

    def drop_legacy(self, owner: PasswordOwner) -> None:
        secret_rows.drop_legacy(self.db, owner)


class SqliteAudit:
    """storage.store.AuditTrail on the `audit_log` table."""

    def __init__(self, db: Connection, own: OwnWrites | None = None) -> None:
        self.db = db
        #: The rows this store wrote: no notice of its own changes (changes.py).
        self.own = own or OwnWrites()

    def record(self, kind: str, stored: Stored[Any], action: str, changes: Mapping[str, object],
               password_changed: bool) -> None:
        if password_changed:
            changes = {**changes, "password": PASSWORD_CHANGED}
        written = self.db.table(AUDIT_TABLE).insert({
            "at": utc_now(), "who": who(), "kind": kind, "record_key": stored.key, "action": action,
            "changes": json.dumps(changes), "row_id": stored.row_id,
        })
        if written.last_rowid is not None:
            self.own.wrote(written.last_rowid)

    def history(self, kind: str, row_id: str | None) -> list[AuditEntry]:
        if row_id is None:
            return []
        rows = self.db.execute(f"SELECT at, who, action, changes FROM {AUDIT_TABLE} WHERE kind = ? AND row_id = ? "
                               "ORDER BY id DESC", [kind, row_id])
        return [AuditEntry(at, who, action, json.loads(changes)) for at, who, action, changes in rows]


class SqliteInfo:
    """storage.store.StoreInfo on the `database_info` row and the migrations table."""

    def __init__(self, db: Connection) -> None:
        self.db = db

    def database_id(self) -> str:
        return secret_rows.database_id(self.db)

    def key_id(self) -> str | None:
        return secret_rows.key_id(self.db)

    def set_key_id(self, key_id: str) -> None:
        secret_rows.set_key_id(self.db, key_id)

    def staged_key_id(self) -> str | None:
        return secret_rows.staged_key_id(self.db)

    def set_staged_key_id(self, key_id: str | None) -> None:
        secret_rows.set_staged_key_id(self.db, key_id)

    def schema_version(self) -> str:
        from fincon_tui.storage.migrations import migrations

        applied = migrations.applied(self.db)
        return applied[-1] if applied else ""

    def latest_schema_version(self) -> str:
        from fincon_tui.storage.migrations import migrations

        return migrations.names[-1]

    def server_version(self) -> str:
        return str(self.db.execute("SELECT sqlite_version()").fetchone()[0])


class SqliteHosts:
    """storage.store.HostRows on the `hosts` table."""

    def __init__(self, db: Connection) -> None:
        self.db = db

    def get(self, host: str) -> HostSeen | None:
        row = self.db.execute("SELECT host, key_id, seen_at, seen_by FROM hosts WHERE host = ?", [host]).fetchone()
        return HostSeen(*row) if row else None

    def all(self) -> list[HostSeen]:
        rows = self.db.execute("SELECT host, key_id, seen_at, seen_by FROM hosts ORDER BY seen_at DESC, host")
        return [HostSeen(*row) for row in rows.fetchall()]

    def put(self, seen: HostSeen) -> None:
        self.db.execute(
            "INSERT INTO hosts (host, key_id, seen_at, seen_by) VALUES (?, ?, ?, ?) ON CONFLICT (host) DO UPDATE "
            "SET key_id = excluded.key_id, seen_at = excluded.seen_at, seen_by = excluded.seen_by",
            [seen.host, seen.key_id, seen.seen_at, seen.seen_by],
        )


class SqliteLoginTests:
    """storage.store.LoginTestRows on the `login_tests` table."""

    def __init__(self, db: Connection) -> None:
        self.db = db

    def record(self, result: LoginTest) -> None:
        columns = login_test_columns(result)
        self.db.execute(f"INSERT INTO login_tests ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
                        list(columns.values()))
        self.db.execute(
            "DELETE FROM login_tests WHERE record_kind = ? AND row_id = ? AND id NOT IN (SELECT id FROM login_tests "
            "WHERE record_kind = ? AND row_id = ? ORDER BY id DESC LIMIT ?)",
            [result.record_kind, result.row_id, result.record_kind, result.row_id, LOGIN_TESTS_KEPT],
        )

    def latest_for(self, record_kind: str, row_ids: Iterable[str]) -> dict[str, LoginTest]:
        wanted = list(dict.fromkeys(row_ids))
        if not wanted:
            return {}
        marks = ", ".join("?" for _ in wanted)
        cursor = self.db.execute(
            f"SELECT {LOGIN_TEST_COLUMNS} FROM login_tests WHERE id IN (SELECT max(id) FROM login_tests "
            f"WHERE record_kind = ? AND row_id IN ({marks}) GROUP BY row_id)", [record_kind, *wanted])
        found = [login_test_of(dict(zip(LOGIN_TEST_NAMES, row, strict=True))) for row in cursor.fetchall()]
        return {test.row_id: test for test in found}

    def latest_with_verdicts(self, record_kind: str, row_ids: Iterable[str],
                             ) -> tuple[dict[str, LoginTest], dict[str, SpfVerdict]]:
        wanted = list(dict.fromkeys(row_ids))
        if not wanted:
            return {}, {}
        sql = latest_with_verdicts_sql("?", f"IN ({', '.join('?' for _ in wanted)})")
        return tests_and_verdicts(self.db.execute(sql, [record_kind, *wanted, record_kind, *wanted]).fetchall())

    def history(self, record_kind: str, row_id: str) -> list[LoginTest]:
        cursor = self.db.execute(f"SELECT {LOGIN_TEST_COLUMNS} FROM login_tests WHERE record_kind = ? AND row_id = ? "
                                 "ORDER BY id DESC", [record_kind, row_id])
        return [login_test_of(dict(zip(LOGIN_TEST_NAMES, row, strict=True))) for row in cursor.fetchall()]

    def forget(self, record_kind: str, row_id: str) -> None:
        self.db.execute("DELETE FROM login_tests WHERE record_kind = ? AND row_id = ?", [record_kind, row_id])


class SqliteSpfVerdicts:
    """storage.store.SpfVerdictRows on the `spf_verdicts` table."""

    def __init__(self, db: Connection) -> None:
        self.db = db

    def put(self, verdict: SpfVerdict) -> None:
        columns = spf_verdict_columns(verdict)
        self.db.execute(f"INSERT OR REPLACE INTO spf_verdicts ({', '.join(columns)}) "
                        f"VALUES ({', '.join('?' for _ in columns)})", list(columns.values()))

    def latest_for(self, record_kind: str, row_ids: Iterable[str]) -> dict[str, SpfVerdict]:
        wanted = list(dict.fromkeys(row_ids))
        if not wanted:
            return {}
        marks = ", ".join("?" for _ in wanted)
        cursor = self.db.execute(f"SELECT {SPF_VERDICT_COLUMNS} FROM spf_verdicts WHERE record_kind = ? "
                                 f"AND row_id IN ({marks})", [record_kind, *wanted])
        found = [spf_verdict_of(dict(zip(SPF_VERDICT_NAMES, row, strict=True))) for row in cursor.fetchall()]
        return {verdict.row_id: verdict for verdict in found}

    def forget(self, record_kind: str, row_id: str) -> None:
        self.db.execute("DELETE FROM spf_verdicts WHERE record_kind = ? AND row_id = ?", [record_kind, row_id])


for _adapter in (SqliteSecrets, SqliteAudit, SqliteInfo, SqliteHosts, SqliteLoginTests, SqliteSpfVerdicts):
    translate_methods(_adapter)


class SqliteStore:
    """storage.store.Store on one SQLite connection (connection.py)."""

    engine = "SQLite"

    def __init__(self, db: Connection, location: str) -> None:
        self.db = db
        self.location = location
        self.smtp = SmtpRepository(db)
        self.users = UserRepository(db)
        self.secrets = SqliteSecrets(db)
        self.own = OwnWrites()
        self.audit = SqliteAudit(db, self.own)
        self.info = SqliteInfo(db)
        self.bulk = SqliteBulk(db)
        self._changes: SqliteChanges | None = None
        self.hosts = SqliteHosts(db)
        self.login_tests = SqliteLoginTests(db)
        self.spf_verdicts = SqliteSpfVerdicts(db)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[SqliteStore]:
        committed = False
        try:
            with write_transaction(self.db):
                yield self
            committed = True
        finally:
            self.own.ended(committed)

    @contextlib.contextmanager
    def read(self) -> Iterator[SqliteStore]:
        if translated(lambda: self.db.conn.in_transaction)():
            yield self
            return
        translated(self.db.execute)("BEGIN")
        try:
            yield self
        finally:
            translated(self.db.conn.rollback)()  # nothing was written

    def secret_replacer(self) -> Callable[[SealedPassword], bool]:
        file = secret_rows.file_of(self.db)
        return translated(functools.partial(secret_rows.replace_on_own_connection, file), file)

    def changes(self) -> SqliteChanges:
        if self._changes is None:
            self._changes = translated(SqliteChanges)(self.db, self.own)
        return self._changes

    def how_changes_arrive(self) -> str:
        return SqliteChanges.how

    def close(self) -> None:
        self.db.close()


def open_sqlite(path: Path, *, writable: bool = True, adopt: bool = False,
                waiting: Waiting | None = None, any_schema: bool = False) -> SqliteStore:
    """The store in the SQLite file at `path` (see storage.store.open_store)."""
    from fincon_tui.storage.database import open_database

    db = open_database(path, writable=writable, adopt=adopt, waiting=waiting, any_schema=any_schema)
    return SqliteStore(db, str(path))


def scratch_sqlite() -> SqliteStore:
    """A new store in memory (see storage.store.scratch_store)."""
    from fincon_tui.storage.database import empty_database

    return SqliteStore(empty_database(), ":memory:")
