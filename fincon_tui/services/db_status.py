"""`db status`: what an admin needs to know about the database in use,
read without changing anything (a reading command never migrates).

The first part is the same for every database: the engine, where it is
(a URL without its password), the server's version and the schema's.
Each later part is a `Section` that one concern adds by appending its
function to SECTIONS (how change notices arrive, the hosts and key ids
seen ...): the CLI prints every section in order, as text and in --json,
and needs no change for a new one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fincon_tui.storage.store import Store


@dataclass(frozen=True)
class Section:
    """One part of the status: a heading, its lines (label, value) as text,
    and the same under `key` in --json."""

    key: str
    heading: str
    lines: tuple[tuple[str, str], ...]
    data: object


#: The parts after the first, in the order printed: each a function of the
#: open store (read-only, any schema this version knows) giving its Section,
#: or None when it has nothing to say about this database.
SECTIONS: list[Callable[[Store], Section | None]] = []


def change_notices(store: Store) -> Section:
    """How fincon-tui learns of other admins' changes here (Store.how_changes_arrive)."""
    how = store.how_changes_arrive()
    return Section("change_notices", "Change notices", (("Arrive by", how),), {"arrive_by": how})


SECTIONS.append(change_notices)


@dataclass(frozen=True)
class DbStatus:
    engine: str
    location: str
    server_version: str
    #: The last schema step applied, and this version's last.
    schema: str
    latest_schema: str
    sections: tuple[Section, ...] = field(default=())

    @property
    def schema_current(self) -> bool:
        return self.schema == self.latest_schema

    def as_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "engine": self.engine,
            "location": self.location,
            "server_version": self.server_version,
            "schema": {"applied": self.schema, "current": self.schema_current, "latest": self.latest_schema},
        }
        for section in self.sections:
            data[section.key] = section.data
        return data


def status(store: Store) -> DbStatus:
    """The status of the open `store` (StorageError when it cannot be read)."""
    info = store.info
    sections = tuple(found for part in SECTIONS if (found := part(store)) is not None)
    return DbStatus(store.engine, store.location, info.server_version(), info.schema_version(),
                    info.latest_schema_version(), sections)


def _hosts(store: Store) -> Section | None:
    """The hosts and key ids seen (services/hosts.py); None before there
    are any, and on a schema from before the hosts were kept."""
    from fincon_tui._exceptions import StorageError
    from fincon_tui.services.hosts import listed

    try:
        seen = listed(store)
        key_id, staged = store.info.key_id(), store.info.staged_key_id()
    except StorageError:
        return None
    if not seen and key_id is None:
        return None  # a new database: nothing seen yet
    lines = [("Key id", key_id or "none yet")]
    if staged:
        lines.append(("Staged key", f"{staged} (a rotation waits for hosts to load it)"))
    lines += [(line.host, f"key {line.key_id or 'none'}, last seen {line.seen_at} by {line.seen_by}"
               f"{' (this host)' if line.this else ''}") for line in seen]
    data = {"key_id": key_id, "staged_key_id": staged, "hosts": [line.as_json() for line in seen]}
    return Section("hosts", "Hosts and key ids seen", tuple(lines), data)


SECTIONS.append(_hosts)
