"""Change notices on PostgreSQL (storage.store.ChangeFeed), across servers.

Each audit row is announced by `pg_notify(CHANNEL, id)` in the writing
transaction (rows.Audit.record): PostgreSQL delivers it at COMMIT and
never for a rollback.  The feed has a connection of its own that LISTENs,
so that the store's connection stays free for the admin's work and a lost
one is found and made again on its own.  `poll()` looks at what arrived
without waiting (psycopg's `notifies(timeout=0)`), and only when something
did reads the audit rows newer than the last one seen, on that connection:
a notice missed (a connection lost and made again, a server restarted) is
found in the trail all the same.

Where LISTEN cannot work (behind pgbouncer in transaction mode, which does
not keep a client on one server connection), the feed finds it out by
itself: after LISTEN it sends itself a notice, and one that does not come
back within PROBE_SECONDS (or a LISTEN refused) makes it read the trail
every POLL_SECONDS instead, and `how` says why.  No setting is needed.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from fincon_tui.storage.changes import Change, OwnWrites, change_of
from fincon_tui.storage.postgres.connect import connect
from fincon_tui.storage.postgres.errors import database_error, said

if TYPE_CHECKING:
    from psycopg import Connection

    from fincon_tui.storage.location import Location

#: The channel every write notifies (its payload: the audit row's id).
CHANNEL = "fincon_tui_changes"
#: The payload of the notice a feed sends itself to see that LISTEN works.
PROBE = "probe "
#: How long that notice may take to come back.
PROBE_SECONDS = 2.0
#: How often the app looks whether notices arrived (no round trip to the server).
LOOK_SECONDS = 0.5
#: How often the trail is read where LISTEN cannot work.
POLL_SECONDS = 1.0
#: How long after a failed connection the next poll tries again.
RETRY_SECONDS = 1.0


def listen(conn: Connection) -> str | None:
    """LISTEN on `conn`; None if notices come through, else why not."""
    import secrets

    import psycopg

    token = PROBE + secrets.token_hex(8)
    try:
        conn.execute(f"LISTEN {CHANNEL}")
        conn.execute("SELECT pg_notify(%s, %s)", [CHANNEL, token])
        if any(notify.payload == token for notify in conn.notifies(timeout=PROBE_SECONDS, stop_after=1)):
            return None
    except psycopg.Error as error:
        if conn.broken:
            raise
        return f"LISTEN refused: {said(error)}"
    return (f"a test notice did not come back within {PROBE_SECONDS:g} s, as behind pgbouncer in transaction "
            "mode")


class PostgresChanges:
    """storage.store.ChangeFeed on a connection of its own."""

    interval = LOOK_SECONDS

    def __init__(self, location: Location, own: OwnWrites) -> None:
        self.location = location
        self.own = own
        self.conn: Connection | None = None
        #: Why LISTEN cannot be used (None: it is).
        self.unavailable: str | None = None
        self.last = 0
        self._next_try = 0.0
        self._connect(first=True)

    @property
    def how(self) -> str:
        if self.unavailable is not None:
            return f"polling every {POLL_SECONDS:g} s (LISTEN unavailable: {self.unavailable})"
        return "LISTEN/NOTIFY"

    def _connect(self, first: bool = False) -> None:
        import psycopg

        conn = connect(self.location)
        try:
            if first:
                row = conn.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()
                self.last = int(row[0]) if row else 0
            self.unavailable = listen(conn)
        except psycopg.Error as error:
            conn.close()
            raise database_error(error) from error
        self.conn = conn

    def poll(self) -> list[Change]:
        """What other sessions committed since the last poll (see the module)."""
        import psycopg

        now = time.monotonic()
        try:
            if self.conn is None or self.conn.broken or self.conn.closed:
                if now < self._next_try:
                    return []
                self._next_try = now + RETRY_SECONDS
                self.close()
                self._connect()  # then everything since the last row seen: a notice may have been missed
            elif self.unavailable is None:
                heard = [notify for notify in self.conn.notifies(timeout=0)
                         if not notify.payload.startswith(PROBE)]
                if not heard:
                    return []
            else:
                if now < self._next_try:
                    return []
                self._next_try = now + POLL_SECONDS
            return self._read()
        except psycopg.Error as error:
            self.close()
            raise database_error(error) from error

    def _read(self) -> list[Change]:
        from psycopg.rows import dict_row

        assert self.conn is not None
        with self.conn.cursor(row_factory=dict_row) as cursor:
            rows = cursor.execute(
                "SELECT id, kind, record_key, action, row_id, who, at, changes FROM audit_log WHERE id > %s "
                "ORDER BY id", [self.last]).fetchall()
        found = [change_of(row, row["changes"]) for row in rows]
        if found:
            self.last = found[-1].id
        return self.own.others(found, self.last)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
