"""Other sessions' committed changes, as the audit trail records them: what
a store's change feed (Store.changes()) hands up, the same on every engine.

Every change to a record writes an audit row in the change's own
transaction (audit.py), so the trail is where an engine finds what
changed: rows newer than the last one seen, those this store wrote itself
left out.  How an engine learns that it should look (SQLite's
`data_version`, PostgreSQL's LISTEN/NOTIFY or polling) is its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fincon_tui.storage.audit import KEY_COLUMNS


@dataclass(frozen=True)
class Change:
    """One audit row written by another session: `key` is the record's
    key when it was written (after a rename, the new one), `renamed_from`
    the key before a rename, `row_id` the record's for good."""

    id: int
    kind: str
    key: str
    action: str  # create, update, delete
    row_id: str | None
    who: str
    at: str  # ISO-8601 UTC
    renamed_from: str | None = None


def change_of(row: Mapping[str, Any], changes: Mapping[str, Any]) -> Change:
    """A Change from an audit row (id, kind, record_key, action, row_id,
    who, at) and its `changes` as read from JSON."""
    renamed_from = None
    if row["action"] == "update":
        for column in KEY_COLUMNS:
            change = changes.get(column)
            if isinstance(change, list) and len(change) == 2:
                renamed_from = str(change[0])
    return Change(int(row["id"]), row["kind"], row["record_key"], row["action"], row["row_id"], row["who"],
                  row["at"], renamed_from)


@dataclass
class OwnWrites:
    """The audit rows a store wrote itself: its own changes are no notice.
    An id counts once its transaction commits (SQLite gives a rolled-back
    row's id to the next row, which may be another session's)."""

    pending: list[int] = field(default_factory=list)
    committed: set[int] = field(default_factory=set)

    def wrote(self, audit_id: int) -> None:
        self.pending.append(audit_id)

    def ended(self, committed: bool) -> None:
        if committed:
            self.committed.update(self.pending)
        self.pending.clear()

    def others(self, changes: Iterable[Change], last: int) -> list[Change]:
        """`changes` without this store's own; ids up to `last` are forgotten."""
        found = [change for change in changes if change.id not in self.committed]
        self.committed = {audit_id for audit_id in self.committed if audit_id > last}
        return found
