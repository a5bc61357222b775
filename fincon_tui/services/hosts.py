"""The hosts that use the database, and the key each last loaded: what
`key status` lists and what `key rotate` waits for before it retires the
old key (one key file copied to every server).

A host's row is written when the full-screen app starts and when a
command that writes opens the database: never by a reading command (it
must not write), and only when something changed (another key, another
account) or the row is a day old, so that a host's commands do not each
write it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from fincon_tui._exceptions import KeyMissing, SecretStoreError, StorageError
from fincon_tui.domain.visible import shown
from fincon_tui.keystore.vault import this_host
from fincon_tui.storage import audit
from fincon_tui.storage.records import HostSeen, utc_now

if TYPE_CHECKING:
    from fincon_tui.services.sealed_passwords import Passwords
    from fincon_tui.storage.store import Store

#: A host seen within this many days must load a staged key before the old one is retired.
RECENT_DAYS = 30
#: An unchanged host's row is written again after this long.
REFRESH = timedelta(days=1)


def held_key(passwords: Passwords) -> str | None:
    """The id of the newest of the database's keys this account holds: the
    key a rotation staged, else the one the secrets are sealed with; None
    when it holds neither (or the database has no key yet)."""
    info = passwords.store.info
    for key_id in (info.staged_key_id(), passwords.key_id()):
        if key_id is None:
            continue
        try:
            passwords.key_for(key_id)
        except SecretStoreError:
            continue  # not here (or unreadable): the row says so by naming an older key or none
        return key_id
    return None


def note(passwords: Passwords, now: datetime | None = None) -> HostSeen | None:
    """Record that this host uses the database with the key it holds now,
    when that changed or its row is a day old; the row written, or None.
    A database that cannot be written now is not an error of the command
    that opened it: its own work says so if it must."""
    store = passwords.store
    try:
        seen = HostSeen(this_host(), held_key(passwords), _iso(now) if now else utc_now(), audit.who())
        row = store.hosts.get(seen.host)
        if row is not None and (row.key_id, row.seen_by) == (seen.key_id, seen.seen_by) and (
                _parse(seen.seen_at) - _parse(row.seen_at) < REFRESH):
            return None
        with store.transaction():
            store.hosts.put(seen)
    except (StorageError, SecretStoreError):
        return None
    return seen


def missing_key(passwords: Passwords) -> str:
    """KeyMissing's message when this account lacks the key the database's
    secrets are sealed with (a server moved without its key file); '' when
    it has it or no secret needs one.  Other trouble with the key is told
    where the key is used."""
    key_id = passwords.key_id()
    if key_id is None:
        return ""
    try:
        passwords.key_for(key_id)
    except KeyMissing as error:
        return str(error)
    except SecretStoreError:
        return ""
    return ""


def at_start(passwords: Passwords) -> str:
    """What the full-screen app does when it has opened the database: note
    this host, and tell at once when the database's key is not here
    ('' when it is): the message, as every path words it."""
    note(passwords)
    text = missing_key(passwords)
    return f"{text[:1].upper()}{text[1:]}" if text else ""


def saw(store: Store, key_id: str | None) -> None:
    """This host holds `key_id` now (inside the caller's transaction)."""
    store.hosts.put(HostSeen(this_host(), key_id, utc_now(), audit.who()))


def behind(store: Store, key_id: str, now: datetime | None = None) -> list[HostSeen]:
    """The hosts seen within RECENT_DAYS whose last loaded key is not `key_id`."""
    since = (now or datetime.now(UTC)) - timedelta(days=RECENT_DAYS)
    return [seen for seen in store.hosts.all() if seen.key_id != key_id and _parse(seen.seen_at) >= since]


@dataclass(frozen=True)
class HostLine:
    """A host as `key status` shows it."""

    host: str
    key_id: str | None
    seen_at: str
    seen_by: str
    this: bool

    def as_json(self) -> dict[str, object]:
        return {"host": self.host, "key_id": self.key_id, "last_seen": self.seen_at, "by": self.seen_by,
                "this_host": self.this}


def listed(store: Store) -> list[HostLine]:
    """Every host that used the database, the most recently seen first."""
    here = this_host()
    return [HostLine(seen.host, seen.key_id, seen.seen_at, seen.seen_by, seen.host == here)
            for seen in store.hosts.all()]


def describe(hosts: list[HostSeen]) -> str:
    """'app2 (last seen 2026-12-01 by anna, key 3f2a9c0d1e2b4a5f), app3 (..., no key)'."""
    return ", ".join(
        f"{shown(seen.host)} (last seen {shown(seen.seen_at[:10])} by {shown(seen.seen_by)}, "
        f"{f'key {seen.key_id}' if seen.key_id else 'no key'})" for seen in hosts
    )


def _parse(text: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)  # written by another tool: as if long ago
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")
