"""Key use cases: status, rotation, key files, and moving the passwords an
older version kept in admins' keyrings into the database."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fincon_tui._exceptions import KeyMissing, SecretStoreError
from fincon_tui.domain.secret_kinds import TOLD_ORDER, SecretKind
from fincon_tui.keystore import cipher
from fincon_tui.keystore.vault import FoundKey, KeySource
from fincon_tui.services.sealed_passwords import Passwords, legacy_accounts
from fincon_tui.storage import audit
from fincon_tui.storage.records import HostSeen

if TYPE_CHECKING:
    from fincon_tui.services.hosts import HostLine


def counted(secrets: Mapping[SecretKind, int]) -> str:
    """'1 password', '2 passwords, 1 client secret and 1 sign-in'; '' for none."""
    parts = []
    for kind in TOLD_ORDER:
        if count := secrets.get(kind, 0):
            one, several = kind.nouns
            parts.append(f"{count} {one if count == 1 else several}")
    return listed(parts)


def named(secrets: Iterable[SecretKind]) -> str:
    """'password', 'client secret and sign-in': which secrets a record has
    (what goes with it, what a copy takes); '' for none."""
    given = set(secrets)
    return listed([kind.nouns[0] for kind in TOLD_ORDER if kind in given])


def listed(parts: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)


@dataclass
class KeyStatus:
    """What `fincon-tui key status` reports."""

    database_id: str
    key_id: str | None
    found_in: KeySource | None
    new_keys_go_to: KeySource
    problem: str = ""
    stored: Counter[SecretKind] = field(default_factory=Counter)  # how many of each kind
    opened: int = 0
    unusable: list[str] = field(default_factory=list)
    legacy_left: dict[str, int] = field(default_factory=dict)
    #: The key a rotation staged, waiting for hosts to load it.
    staged_key_id: str | None = None
    hosts: list[HostLine] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "database_id": self.database_id,
            "key_id": self.key_id,
            "key_source": self.found_in.kind if self.found_in else None,
            "key_location": self.found_in.where if self.found_in else None,
            "new_keys_go_to": self.new_keys_go_to.where,
            "this_account_has_key": self.found_in is not None,
            "problem": self.problem or None,
            "passwords_stored": self.stored.total(),
            "passwords_opened": self.opened,
            "passwords_unusable": self.unusable,
            "passwords_in_older_keyrings": sum(self.legacy_left.values()),
            "staged_key_id": self.staged_key_id,
            "hosts": [line.as_json() for line in self.hosts],
        }


def status(passwords: Passwords) -> KeyStatus:
    from fincon_tui.services import hosts

    database_id = passwords.database_id
    key_id = passwords.key_id()
    report = KeyStatus(database_id, key_id, None, passwords.vault.home(database_id))
    if key_id is not None:
        try:
            report.found_in = passwords.key_for(key_id).source
        except SecretStoreError as error:
            report.problem = str(error)
    for sealed in passwords.all_sealed():
        report.stored[sealed.name] += 1
        try:
            passwords.get(sealed.binding.owner, sealed.name)
        except KeyMissing:
            continue  # said once, in `problem`
        except SecretStoreError as error:
            report.unusable.append(str(error))
            continue
        report.opened += 1
    report.legacy_left = legacy_left(passwords)
    report.staged_key_id = passwords.store.info.staged_key_id()
    report.hosts = hosts.listed(passwords.store)
    return report


def legacy_left(passwords: Passwords) -> dict[str, int]:
    """Passwords still in older versions' keyrings, by the admin who saved them."""
    return dict(Counter(legacy.saved_by or "another admin" for legacy in passwords.legacy()))


@dataclass(frozen=True)
class Rotated:
    old: str
    new: str
    secrets: Counter[SecretKind]  # how many of each kind were re-encrypted
    source: KeySource
    #: Hosts seen lately without the new key, when --force retired the old one all the same.
    forced_past: tuple[HostSeen, ...] = ()


@dataclass(frozen=True)
class Staged:
    """A rotation waiting for hosts: the new key is stored beside the old
    one (both open the secrets, which are still sealed with the old)."""

    old: str
    new: str
    source: KeySource
    waiting_for: tuple[HostSeen, ...]


def rotate(passwords: Passwords, *, force: bool = False,
           progress: Callable[[int, int], None] | None = None) -> Rotated | Staged:
    """A new key, every secret re-sealed with it in one transaction, once
    every host seen lately has loaded it.

    The first run stages a new key: it is added to the key store beside the
    old one and named in the database (staged_key_id).  Unless a host seen
    in the last 30 days has yet to load it (hosts.behind: copy the key file
    there), the same run then re-seals every secret with it and names it
    the database's key; else it stops there (Staged), and a later run, with
    the staged key, goes on.  `force` re-seals whatever the hosts hold.

    The new key is in the store before the commit that names it, so
    whatever moment the process dies at, the key the database names is in
    the store.  The old key stays there (backups made before the rotation
    need it).  `progress(done, total)` follows the re-sealing."""
    from fincon_tui.services import hosts

    store = passwords.store
    with store.transaction():
        old_id = passwords.key_id()
        if old_id is None:
            raise SecretStoreError("no password is stored yet: there is no key to rotate")
        old = passwords.key_for(old_id)
        staged_id = store.info.staged_key_id()
        if staged_id not in (None, old_id):
            new = passwords.key_for(staged_id)  # KeyMissing: staged on another host, not copied here
        else:
            new = FoundKey(cipher.new_key(), old.source)
            passwords.vault.add(old.source, passwords.database_id, new.key)
            store.info.set_staged_key_id(new.id)
        hosts.saw(store, new.id)
        waiting = tuple(hosts.behind(store, new.id))
        if waiting and not force:
            staged = Staged(old_id, new.id, new.source, waiting)
        else:
            resealed = passwords.rekey(new, lambda: None, progress)
            store.info.set_staged_key_id(None)
            staged = None
    passwords.remember(new)
    if staged is not None:
        return staged
    return Rotated(old_id, new.id, resealed, new.source, waiting)


def to_key_file(passwords: Passwords, path: Path, group: str | None, move: bool) -> FoundKey:
    """Write this database's keys into the key file at `path` (kept keys
    stay); with `move`, then remove them from the keyring and the default
    key file.  A database without a key adopts the newest key in the file,
    or gets a new one there."""
    from fincon_tui.keystore import keyfile

    database_id = passwords.database_id
    target = KeySource("key file", str(path))
    with passwords.store.transaction():
        if passwords.key_id() is None:  # a new database: its key is made right here
            kept = keyfile.update(path, lambda existing: existing or [cipher.new_key()], group)
            current = FoundKey(kept[0], target)
            passwords.name_key(current.id)
            return current
        current = passwords.current_key()
    others = [s for s in passwords.vault.sources(database_id) if s != target]
    keys = [current.key]
    for source in others:
        keys += [k for k in passwords.vault.read(source, database_id) if k not in keys]
    keyfile.update(path, lambda existing: keys + [k for k in existing if k not in keys], group)
    if move:  # from the keyring and the default key file, never from a configured one
        default = KeySource("key file", str(passwords.vault.default_file(database_id)))
        for source in others:
            if source.kind == "keyring" or source == default:
                passwords.vault.update(source, database_id, lambda held: [k for k in held if k not in keys])
    passwords.remember(None)  # found again where they now are
    return FoundKey(current.key, target)


@dataclass(frozen=True)
class Adopted:
    moved: int
    left: dict[str, int]


def adopt_legacy(passwords: Passwords) -> Adopted:
    """Move the passwords this admin's keyring holds for an older version
    into the database, one transaction each, then remove them from the
    keyring.  Those in other admins' keyrings are counted and left."""
    vault = passwords.vault
    pending = passwords.legacy()
    if not pending or not vault.backend().usable:
        return Adopted(0, legacy_left(passwords))
    me, moved = audit.who(), 0
    for legacy in pending:
        if legacy.saved_by not in (None, me):
            continue
        accounts = legacy_accounts(legacy)
        values = [vault.keyring_get(account) for account in accounts]
        value = next((v for v in values if v is not None), None)
        with passwords.store.transaction():
            moved += passwords.adopt(legacy, value, mine=legacy.saved_by == me)
        if value is not None:
            for account in accounts:
                try:
                    vault.keyring_delete(account)
                except SecretStoreError:
                    pass  # moved already; a leftover entry is never read again
    return Adopted(moved, legacy_left(passwords))


def legacy_message(adopted: Adopted) -> str:
    """What the admin is told about passwords from an older version."""
    parts = []
    if adopted.moved:
        moved = counted({SecretKind.PASSWORD: adopted.moved})
        parts.append(f"Moved {moved} from your keyring into the database (encrypted)")
    if adopted.left:
        where = ", ".join(f"{who}: {count}" for who, count in sorted(adopted.left.items()))
        left = sum(adopted.left.values())
        parts.append(
            f"{counted({SecretKind.PASSWORD: left})} saved by an older fincon-tui {'is' if left == 1 else 'are'} still "
            "in "
            f"another admin's keyring ({where}); they move here when that admin starts fincon-tui"
        )
    return "; ".join(parts)
