"""Bringing a PostgreSQL database's schema up to date, and refusing one
that a reading command would have to change or that a newer version wrote.

Applied steps are rows of `fincon_migrations` (migration_set, name,
applied_at: the columns of sqlite-utils' _sqlite_migrations).  Each step
runs in a transaction of its own under the write lock (locks.py), which
also creates the table on a new database: of servers starting at once,
one applies a step and the others, once they hold the lock, find it done.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from fincon_tui._exceptions import NoDatabase, SchemaTooNew
from fincon_tui.storage.postgres.locks import take_write_lock
from fincon_tui.storage.postgres.schema import STEPS, Step
from fincon_tui.storage.waiting import Waiting

if TYPE_CHECKING:
    from psycopg import Connection

#: The migration set, as SQLite's (storage/migrations.py) names it.
MIGRATION_SET = "fincon_tui"
TABLE = "fincon_migrations"


def applied(conn: Connection) -> list[str]:
    """The steps applied, in the order they were (none on a new database)."""
    exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL", [TABLE]).fetchone()
    if not (exists and exists[0]):
        return []
    rows = conn.execute(f"SELECT name FROM {TABLE} WHERE migration_set = %s ORDER BY applied_at, name",
                        [MIGRATION_SET]).fetchall()
    return [name for (name,) in rows]


def pending(conn: Connection) -> list[Step]:
    done = set(applied(conn))
    return [step for step in STEPS if step.name not in done]


def refuse_newer(names: list[str]) -> None:
    """SchemaTooNew naming the versions, if a step is not one of ours."""
    ours = {step.name for step in STEPS}
    unknown = [name for name in names if name not in ours]
    if unknown:
        raise SchemaTooNew(
            "the database was written by a newer fincon-tui "
            f"(unknown schema step {unknown[-1]}; this version's last is {STEPS[-1].name}); upgrade fincon-tui"
        )


def refuse_unless_current(conn: Connection, shown: str, any_schema: bool = False) -> None:
    """What a reading command needs: the schema as this version writes it
    (`any_schema`: any of its steps), changed by nothing (NoDatabase:
    `init` makes or upgrades it)."""
    names = applied(conn)
    refuse_newer(names)
    if not names:
        raise NoDatabase(f"{shown} holds no fincon-tui database yet", empty=True)
    if not any_schema and pending(conn):
        raise NoDatabase(f"{shown} was written by an older fincon-tui", empty=False)


def bring_up_to_date(conn: Connection, waiting: Waiting) -> None:
    """Apply the pending steps, each in one transaction under the write
    lock; `conn` is in autocommit mode."""
    refuse_newer(applied(conn))
    for step in pending(conn):
        with conn.transaction():
            take_write_lock(conn, waiting)
            conn.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (migration_set TEXT NOT NULL, name TEXT NOT NULL, "
                         "applied_at TEXT NOT NULL, PRIMARY KEY (migration_set, name))")
            names = applied(conn)
            refuse_newer(names)  # a newer version may have been first
            if step.name in names:
                continue
            step.run(conn)
            conn.execute(f"INSERT INTO {TABLE} (migration_set, name, applied_at) VALUES (%s, %s, %s)",
                         [MIGRATION_SET, step.name, datetime.now(UTC).isoformat(sep=" ")])
