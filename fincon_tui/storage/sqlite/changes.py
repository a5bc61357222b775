"""Change notices on SQLite (storage.store.ChangeFeed): `PRAGMA
data_version` on the store's own connection changes when another
connection (another admin's fincon-tui, a command) commits to the file, and
costs no read of the file; only then are the audit rows newer than the
last one seen read.  The caller polls (the app: every POLL_SECONDS, in its
database thread)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from fincon_tui.storage.changes import Change, OwnWrites, change_of
from fincon_tui.storage.translate import translate_methods

if TYPE_CHECKING:
    from fincon_tui.storage.connection import Connection

#: How often the app polls (Store.changes().interval): cheap, and well within 2 s.
POLL_SECONDS = 0.5


class SqliteChanges:
    """storage.store.ChangeFeed on the store's connection."""

    how = f"PRAGMA data_version polling every {POLL_SECONDS:g} s"
    interval = POLL_SECONDS

    def __init__(self, db: Connection, own: OwnWrites) -> None:
        self.db = db
        self.own = own
        self.version = self._data_version()
        self.last = self._last_id()

    def _data_version(self) -> int:
        (version,) = self.db.execute("PRAGMA data_version").fetchone()
        return int(version)

    def _last_id(self) -> int:
        (last,) = self.db.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()
        return int(last)

    def poll(self) -> list[Change]:
        version = self._data_version()
        if version == self.version:
            return []  # nobody else committed: this store's own commits leave it as it is
        self.version = version
        cursor = self.db.execute(
            "SELECT id, kind, record_key, action, row_id, who, at, changes FROM audit_log WHERE id > ? ORDER BY id",
            [self.last])
        columns = [column[0] for column in cursor.description]
        found = []
        for values in cursor.fetchall():
            row = dict(zip(columns, values, strict=True))
            found.append(change_of(row, json.loads(row["changes"])))
        if found:
            self.last = found[-1].id
        return self.own.others(found, self.last)

    def close(self) -> None:
        """Nothing of its own to close: the connection is the store's."""


translate_methods(SqliteChanges)
