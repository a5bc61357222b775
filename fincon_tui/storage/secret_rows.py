"""Rows of `secrets`, `database_info` and `legacy_passwords`: sealed
passwords, client secrets, refresh tokens and service-account keys stored
with their records (the sealing is the keystore's)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from fincon_tui._exceptions import StorageError
from fincon_tui.domain.password_binding import OwnerKind, PasswordBinding, PasswordOwner
from fincon_tui.domain.secret_kinds import SecretKind
from fincon_tui.storage.records import LegacyPassword, SealedPassword, utc_now
from fincon_tui.storage.translate import translated

if TYPE_CHECKING:
    from fincon_tui.storage.connection import Connection

TABLE = "secrets"


def _info(db: Connection) -> tuple[str, str | None]:
    row = db.execute("SELECT database_id, key_id FROM database_info WHERE id = 1").fetchone()
    if row is None:
        raise StorageError(
            "the table database_info has lost its row (removed by another tool?): "
            "the stored passwords cannot be opened; restore it from a backup"
        )
    return row[0], row[1]


@translated
def database_id(db: Connection) -> str:
    return _info(db)[0]


@translated
def key_id(db: Connection) -> str | None:
    return _info(db)[1]


def set_key_id(db: Connection, value: str) -> None:
    db.execute("UPDATE database_info SET key_id = ? WHERE id = 1", [value])


@translated
def staged_key_id(db: Connection) -> str | None:
    _info(db)  # the row must be there
    row = db.execute("SELECT staged_key_id FROM database_info WHERE id = 1").fetchone()
    value: str | None = row[0]
    return value


def set_staged_key_id(db: Connection, value: str | None) -> None:
    db.execute("UPDATE database_info SET staged_key_id = ? WHERE id = 1", [value])


def _sealed(row: tuple[Any, ...]) -> SealedPassword:
    kind, key, key_id_, sealed, login, server, name, expires_at = row
    return SealedPassword(
        PasswordBinding(PasswordOwner(kind, key), login, server), key_id_, bytes(sealed), SecretKind(name),
        expires_at,
    )


_COLUMNS = "owner_kind, owner_key, key_id, sealed, bound_login, bound_server, name, expires_at"


@translated
def get(db: Connection, owner: PasswordOwner, name: SecretKind = SecretKind.PASSWORD) -> SealedPassword | None:
    row = db.execute(
        f"SELECT {_COLUMNS} FROM {TABLE} WHERE owner_kind = ? AND owner_key = ? AND name = ?",
        [owner.kind, owner.key, name],
    ).fetchone()
    return _sealed(row) if row else None


@translated
def of_owner(db: Connection, owner: PasswordOwner) -> list[SealedPassword]:
    """Every secret stored for `owner`."""
    return [_sealed(row) for row in db.execute(
        f"SELECT {_COLUMNS} FROM {TABLE} WHERE owner_kind = ? AND owner_key = ? ORDER BY name",
        [owner.kind, owner.key],
    )]


@translated
def exists(db: Connection, owner: PasswordOwner, name: SecretKind = SecretKind.PASSWORD) -> bool:
    if name is not SecretKind.PASSWORD:
        return get(db, owner, name) is not None
    return get(db, owner) is not None or legacy(db, owner) is not None


@translated
def names(db: Connection, owners: Iterable[PasswordOwner]) -> dict[PasswordOwner, frozenset[SecretKind]]:
    """The names of the secrets stored for each of `owners` ('password' also
    for one an older version left in a keyring), in one query that reads
    no sealed value: a list of 20,000 rows asks once a chunk, and needs no key."""
    # the owners without a secret (most of a list's) share one empty set; each owner hashed once here
    found: dict[PasswordOwner, frozenset[SecretKind]] = dict.fromkeys(owners, frozenset())
    keys: dict[OwnerKind, list[str]] = {}
    for kind, key in found:
        keys.setdefault(kind, []).append(key)
    # each kind's keys a JSON list of strings, each looked up by the index (CROSS JOIN
    # keeps them the outer loop; the index compares as the column does, NOCASE)
    parts: list[str] = []
    args: dict[str, str] = {}
    for n, (kind, wanted) in enumerate(keys.items()):
        args |= {f"kind{n}": kind, f"keys{n}": json.dumps(wanted)}
        parts += [f"SELECT :kind{n}, w.value, s.name FROM json_each(:keys{n}) AS w "
                  f"CROSS JOIN {TABLE} s ON s.owner_kind = :kind{n} AND s.owner_key = w.value",
                  f"SELECT :kind{n}, w.value, 'password' FROM json_each(:keys{n}) AS w "
                  f"CROSS JOIN legacy_passwords l ON l.owner_kind = :kind{n} AND l.owner_key = w.value"]
    held: dict[PasswordOwner, set[SecretKind]] = {}
    for kind, key, name in db.execute(" UNION ALL ".join(parts), args) if parts else ():
        held.setdefault(PasswordOwner(kind, key), set()).add(SecretKind(name))
    found.update((owner, frozenset(names)) for owner, names in held.items())
    return found


@translated
def all_sealed(db: Connection) -> list[SealedPassword]:
    return [_sealed(row) for row in db.execute(f"SELECT {_COLUMNS} FROM {TABLE} ORDER BY owner_kind, owner_key")]


def put(db: Connection, password: SealedPassword) -> None:
    """Store (or replace) a sealed secret; the caller owns the transaction."""
    owner = password.binding.owner
    db.execute(
        f"""INSERT OR REPLACE INTO {TABLE}
            (owner_kind, owner_key, name, key_id, sealed, bound_login, bound_server, updated_at, expires_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [owner.kind, owner.key, password.name, password.key_id, password.sealed, password.binding.login,
         password.binding.server, utc_now(), password.expires_at],
    )
    if password.name is SecretKind.PASSWORD:
        drop_legacy(db, owner)


def remove(db: Connection, owner: PasswordOwner, name: SecretKind | None = None) -> None:
    """Remove the secret `name` of `owner`, or with None every one it has."""
    if name is None:
        db.execute(f"DELETE FROM {TABLE} WHERE owner_kind = ? AND owner_key = ?", [owner.kind, owner.key])
    else:
        db.execute(f"DELETE FROM {TABLE} WHERE owner_kind = ? AND owner_key = ? AND name = ?",
                   [owner.kind, owner.key, name])
    if name in (None, SecretKind.PASSWORD):
        drop_legacy(db, owner)


@translated
def legacy(db: Connection, owner: PasswordOwner) -> LegacyPassword | None:
    row = db.execute(
        "SELECT staged_token, saved_by FROM legacy_passwords WHERE owner_kind = ? AND owner_key = ?",
        [owner.kind, owner.key],
    ).fetchone()
    return LegacyPassword(owner, row[0], row[1]) if row else None


@translated
def all_legacy(db: Connection) -> list[LegacyPassword]:
    return [
        LegacyPassword(PasswordOwner(kind, key), token, who)
        for kind, key, token, who in db.execute(
            "SELECT owner_kind, owner_key, staged_token, saved_by FROM legacy_passwords ORDER BY 1, 2"
        )
    ]


def drop_legacy(db: Connection, owner: PasswordOwner) -> None:
    db.execute(
        "DELETE FROM legacy_passwords WHERE owner_kind = ? AND owner_key = ?", [owner.kind, owner.key]
    )


def replace_on_own_connection(path: str, sealed: SealedPassword) -> bool:
    """Replace a stored secret through a connection of this thread's own (a
    refresh token rotated in a token thread), only while the row still has
    it for the same binding; True if replaced.  One short transaction."""
    import sqlite3

    owner, binding = sealed.binding.owner, sealed.binding
    connection = sqlite3.connect(path, timeout=10, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        changed = connection.execute(
            f"UPDATE {TABLE} SET key_id = ?, sealed = ?, expires_at = ?, updated_at = ? "
            "WHERE owner_kind = ? AND owner_key = ? AND name = ? AND bound_login = ? AND bound_server = ?",
            [sealed.key_id, sealed.sealed, sealed.expires_at, utc_now(), owner.kind, owner.key, sealed.name,
             binding.login, binding.server],
        ).rowcount
        connection.execute("COMMIT")
        return changed == 1
    finally:
        connection.close()


def file_of(db: Connection) -> str:
    """The file the database lives in."""
    return next(str(row[2]) for row in db.execute("PRAGMA database_list") if row[1] == "main")
