"""Sealed secrets, the audit trail and the database's identity on
PostgreSQL (storage.store.SecretRows, AuditTrail, StoreInfo): the rows
secret_rows.py and sqlite/store.py keep on SQLite, in the same tables."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from fincon_tui._exceptions import StorageError
from fincon_tui.domain.password_binding import PasswordBinding, PasswordOwner
from fincon_tui.domain.secret_kinds import SecretKind
from fincon_tui.storage.audit import PASSWORD_CHANGED, AuditEntry, who
from fincon_tui.storage.changes import OwnWrites
from fincon_tui.storage.login_tests import (
    LOGIN_TEST_COLUMNS,
    SPF_VERDICT_COLUMNS,
    latest_with_verdicts_sql,
    login_test_columns,
    login_test_of,
    spf_verdict_columns,
    spf_verdict_of,
    tests_and_verdicts,
)
from fincon_tui.storage.postgres.changes import CHANNEL
from fincon_tui.storage.postgres.errors import translate_methods
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

if TYPE_CHECKING:
    from fincon_tui.storage.postgres.session import Session

COLUMNS = "owner_kind, owner_key, key_id, sealed, bound_login, bound_server, name, expires_at"
OWNER = "owner_kind = %s AND owner_key = %s"


def _sealed(row: dict[str, Any]) -> SealedPassword:
    binding = PasswordBinding(PasswordOwner(row["owner_kind"], row["owner_key"]), row["bound_login"],
                              row["bound_server"])
    return SealedPassword(binding, row["key_id"], bytes(row["sealed"]), SecretKind(row["name"]),
                          row["expires_at"])


class Secrets:
    """The `secrets` and `legacy_passwords` tables."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, owner: PasswordOwner, name: SecretKind = SecretKind.PASSWORD) -> SealedPassword | None:
        row = self.session.row(f"SELECT {COLUMNS} FROM secrets WHERE {OWNER} AND name = %s",
                               [owner.kind, owner.key, name])
        return _sealed(row) if row else None

    def of_owner(self, owner: PasswordOwner) -> list[SealedPassword]:
        rows = self.session.rows(f'SELECT {COLUMNS} FROM secrets WHERE {OWNER} ORDER BY name COLLATE "C"',
                                 [owner.kind, owner.key])
        return [_sealed(row) for row in rows]

    def exists(self, owner: PasswordOwner, name: SecretKind = SecretKind.PASSWORD) -> bool:
        if name is not SecretKind.PASSWORD:
            return self.get(owner, name) is not None
        return self.get(owner) is not None or self.legacy(owner) is not None

    def names(self, owners: Iterable[PasswordOwner]) -> dict[PasswordOwner, frozenset[SecretKind]]:
        found: dict[PasswordOwner, frozenset[SecretKind]] = dict.fromkeys(owners, frozenset())  # each hashed once
        wanted = list(found)
        held: dict[PasswordOwner, set[SecretKind]] = {}
        kinds, keys = [owner.kind for owner in wanted], [owner.key for owner in wanted]
        rows = self.session.rows(
            """WITH wanted(kind, key) AS (SELECT * FROM unnest(%s::text[], %s::text[]))
               SELECT wanted.kind, wanted.key, s.name FROM wanted
                   JOIN secrets s ON s.owner_kind = wanted.kind AND s.owner_key = wanted.key
               UNION ALL
               SELECT wanted.kind, wanted.key, 'password' FROM wanted
                   JOIN legacy_passwords l ON l.owner_kind = wanted.kind AND l.owner_key = wanted.key""",
            [kinds, keys],
        )
        for row in rows:
            held.setdefault(PasswordOwner(row["kind"], row["key"]), set()).add(SecretKind(row["name"]))
        found.update((owner, frozenset(names)) for owner, names in held.items())
        return found

    def all_sealed(self) -> list[SealedPassword]:
        rows = self.session.rows(f'SELECT {COLUMNS} FROM secrets ORDER BY owner_kind, owner_key COLLATE "C"')
        return [_sealed(row) for row in rows]

    def put(self, sealed: SealedPassword) -> None:
        owner, binding = sealed.binding.owner, sealed.binding
        self.session.run(
            """INSERT INTO secrets (owner_kind, owner_key, name, key_id, sealed, bound_login, bound_server,
                                    updated_at, expires_at)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
               ON CONFLICT (owner_kind, owner_key, name) DO UPDATE SET key_id = excluded.key_id,
                   sealed = excluded.sealed, bound_login = excluded.bound_login,
                   bound_server = excluded.bound_server, updated_at = excluded.updated_at,
                   expires_at = excluded.expires_at""",
            [owner.kind, owner.key, sealed.name, sealed.key_id, sealed.sealed, binding.login, binding.server,
             utc_now(), sealed.expires_at],
        )
        if sealed.name is SecretKind.PASSWORD:
            self.drop_legacy(owner)

    def remove(self, owner: PasswordOwner, name: SecretKind | None = None) -> None:
        if name is None:
            self.session.run(f"DELETE FROM secrets WHERE {OWNER}", [owner.kind, owner.key])
        else:
            self.session.run(f"DELETE FROM secrets WHERE {OWNER} AND name = %s", [owner.kind, owner.key, name])
        if name in (None, SecretKind.PASSWORD):
            self.drop_legacy(owner)

    def legacy(self, owner: PasswordOwner) -> LegacyPassword | None:
        row = self.session.row(f"SELECT staged_token, saved_by FROM legacy_passwords WHERE {OWNER}",
                               [owner.kind, owner.key])
        return LegacyPassword(owner, row["staged_token"], row["saved_by"]) if row else None

    def all_legacy(self) -> list[LegacyPassword]:
        rows = self.session.rows("SELECT owner_kind, owner_key, staged_token, saved_by FROM legacy_passwords "
                                 'ORDER BY owner_kind, owner_key COLLATE "C"')
        return [LegacyPassword(PasswordOwner(row["owner_kind"], row["owner_key"]), row["staged_token"],
                               row["saved_by"]) for row in rows]

    def drop_legacy(self, owner: PasswordOwner) -> None:
        self.session.run(f"DELETE FROM legacy_passwords WHERE {OWNER}", [owner.kind, owner.key])


class Audit:
    """The `audit_log` table; `changes` is json, kept as written.  Each row
    is announced to the listening servers in its own transaction (changes.py)."""

    def __init__(self, session: Session, own: OwnWrites | None = None) -> None:
        self.session = session
        #: The rows this store wrote: no notice of its own changes.
        self.own = own or OwnWrites()

    def record(self, kind: str, stored: Stored[Any], action: str, changes: Mapping[str, object],
               password_changed: bool) -> None:
        if password_changed:
            changes = {**changes, "password": PASSWORD_CHANGED}
        written = int(self.session.value(
            "INSERT INTO audit_log (at, who, kind, record_key, action, changes, row_id) "
            "VALUES (%s, %s, %s, %s, %s, %s::json, %s) RETURNING id",
            [utc_now(), who(), kind, stored.key, action, json.dumps(changes), stored.row_id],
        ))
        self.own.wrote(written)
        self.session.value("SELECT pg_notify(%s, %s)", [CHANNEL, str(written)])  # delivered at COMMIT only

    def history(self, kind: str, row_id: str | None) -> list[AuditEntry]:
        if row_id is None:
            return []
        rows = self.session.rows("SELECT at, who, action, changes::text AS changes FROM audit_log "
                                 "WHERE kind = %s AND row_id = %s ORDER BY id DESC", [kind, row_id])
        return [AuditEntry(row["at"], row["who"], row["action"], json.loads(row["changes"])) for row in rows]


class Info:
    """The `database_info` row and the schema's steps."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _info(self) -> dict[str, Any]:
        row = self.session.row("SELECT database_id, key_id FROM database_info WHERE id = 1")
        if row is None:
            raise StorageError(
                "the table database_info has lost its row (removed by another tool?): "
                "the stored passwords cannot be opened; restore it from a backup"
            )
        return row

    def database_id(self) -> str:
        return str(self._info()["database_id"])

    def key_id(self) -> str | None:
        key_id: str | None = self._info()["key_id"]
        return key_id

    def set_key_id(self, key_id: str) -> None:
        self.session.run("UPDATE database_info SET key_id = %s WHERE id = 1", [key_id])

    def staged_key_id(self) -> str | None:
        self._info()  # the row must be there
        key_id: str | None = self.session.value("SELECT staged_key_id FROM database_info WHERE id = 1")
        return key_id

    def set_staged_key_id(self, key_id: str | None) -> None:
        self.session.run("UPDATE database_info SET staged_key_id = %s WHERE id = 1", [key_id])

    def schema_version(self) -> str:
        from fincon_tui.storage.postgres.migrate import applied

        names = applied(self.session.conn)
        return names[-1] if names else ""

    def latest_schema_version(self) -> str:
        from fincon_tui.storage.postgres.schema import STEPS

        return STEPS[-1].name

    def server_version(self) -> str:
        return str(self.session.value("SHOW server_version"))


class Hosts:
    """The `hosts` table."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, host: str) -> HostSeen | None:
        row = self.session.row("SELECT host, key_id, seen_at, seen_by FROM hosts WHERE host = %s", [host])
        return HostSeen(**row) if row else None

    def all(self) -> list[HostSeen]:
        rows = self.session.rows('SELECT host, key_id, seen_at, seen_by FROM hosts '
                                 'ORDER BY seen_at DESC, host COLLATE "C"')
        return [HostSeen(**row) for row in rows]

    def put(self, seen: HostSeen) -> None:
        self.session.run(
            "INSERT INTO hosts (host, key_id, seen_at, seen_by) VALUES (%s, %s, %s, %s) ON CONFLICT (host) "
            "DO UPDATE SET key_id = excluded.key_id, seen_at = excluded.seen_at, seen_by = excluded.seen_by",
            [seen.host, seen.key_id, seen.seen_at, seen.seen_by],
        )


class LoginTests:
    """The `login_tests` table."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def record(self, result: LoginTest) -> None:
        columns = login_test_columns(result)
        self.session.run(f"INSERT INTO login_tests ({', '.join(columns)}) "
                         f"VALUES ({', '.join('%s' for _ in columns)})", list(columns.values()))
        self.session.run(
            "DELETE FROM login_tests WHERE record_kind = %s AND row_id = %s AND id NOT IN (SELECT id FROM login_tests "
            "WHERE record_kind = %s AND row_id = %s ORDER BY id DESC LIMIT %s)",
            [result.record_kind, result.row_id, result.record_kind, result.row_id, LOGIN_TESTS_KEPT],
        )

    def latest_for(self, record_kind: str, row_ids: Iterable[str]) -> dict[str, LoginTest]:
        wanted = list(dict.fromkeys(row_ids))
        if not wanted:
            return {}
        rows = self.session.rows(
            f"SELECT {LOGIN_TEST_COLUMNS} FROM login_tests WHERE id IN (SELECT max(id) FROM login_tests "
            "WHERE record_kind = %s AND row_id = ANY(%s) GROUP BY row_id)", [record_kind, wanted])
        found = [login_test_of(row) for row in rows]
        return {test.row_id: test for test in found}

    def latest_with_verdicts(self, record_kind: str, row_ids: Iterable[str],
                             ) -> tuple[dict[str, LoginTest], dict[str, SpfVerdict]]:
        wanted = list(dict.fromkeys(row_ids))
        if not wanted:
            return {}, {}
        rows = self.session.rows(latest_with_verdicts_sql("%s", "= ANY(%s)"),
                                 [record_kind, wanted, record_kind, wanted])
        return tests_and_verdicts(tuple(row.values()) for row in rows)

    def history(self, record_kind: str, row_id: str) -> list[LoginTest]:
        rows = self.session.rows(f"SELECT {LOGIN_TEST_COLUMNS} FROM login_tests WHERE record_kind = %s "
                                 "AND row_id = %s ORDER BY id DESC", [record_kind, row_id])
        return [login_test_of(row) for row in rows]

    def forget(self, record_kind: str, row_id: str) -> None:
        self.session.run("DELETE FROM login_tests WHERE record_kind = %s AND row_id = %s", [record_kind, row_id])


class SpfVerdicts:
    """The `spf_verdicts` table."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def put(self, verdict: SpfVerdict) -> None:
        columns = spf_verdict_columns(verdict)
        updates = ", ".join(f"{name} = excluded.{name}" for name in columns if name not in ("record_kind", "row_id"))
        self.session.run(f"INSERT INTO spf_verdicts ({', '.join(columns)}) VALUES ({', '.join('%s' for _ in columns)}) "
                         f"ON CONFLICT (record_kind, row_id) DO UPDATE SET {updates}", list(columns.values()))

    def latest_for(self, record_kind: str, row_ids: Iterable[str]) -> dict[str, SpfVerdict]:
        wanted = list(dict.fromkeys(row_ids))
        if not wanted:
            return {}
        rows = self.session.rows(f"SELECT {SPF_VERDICT_COLUMNS} FROM spf_verdicts WHERE record_kind = %s "
                                 "AND row_id = ANY(%s)", [record_kind, wanted])
        found = [spf_verdict_of(row) for row in rows]
        return {verdict.row_id: verdict for verdict in found}

    def forget(self, record_kind: str, row_id: str) -> None:
        self.session.run("DELETE FROM spf_verdicts WHERE record_kind = %s AND row_id = %s", [record_kind, row_id])


for _part in (Secrets, Audit, Info, Hosts, LoginTests, SpfVerdicts):
    translate_methods(_part)
