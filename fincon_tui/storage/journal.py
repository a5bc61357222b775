"""The password journal: keyring changes that go with row changes.

A keyring cannot join an SQLite transaction, so a password change is
journalled: `prepared` before the new password is staged in the keyring,
`committed` in the same transaction as the row, then carried out and
removed.  A committed entry that a crash left behind is carried out later;
a prepared one is thrown away.  A newer committed change for the same
account makes older ones `superseded`.
"""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Literal

from fincon_tui.storage.errors import StorageError
from fincon_tui.storage.records import utc_now

if TYPE_CHECKING:
    from sqlite_utils import Database

TABLE = "password_journal"
#: A prepared entry older than this is abandoned even if its process lives.
ABANDONED_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class Entry:
    token: str
    account: str | None
    action: Literal["set", "clear"]
    state: Literal["prepared", "committed", "superseded"]
    owner: str
    created_at: str

    def abandoned(self, now: datetime | None = None) -> bool:
        """A prepared entry whose process is gone (or that is very old)."""
        now = now or datetime.now(timezone.utc)
        if now - datetime.fromisoformat(self.created_at) > ABANDONED_AFTER:
            return True
        host, _, pid = self.owner.rpartition(":")
        return host == socket.gethostname() and not _alive(int(pid))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def new_token() -> str:
    return secrets.token_hex(8)


def _insert(db: Database, token: str, account: str | None, action: str, state: str) -> None:
    db[TABLE].insert(
        {"token": token, "account": account, "action": action, "state": state,
         "owner": this_process(), "created_at": utc_now()}
    )


def prepare(db: Database, token: str, action: str) -> None:
    """Note a password change about to be staged (caller commits)."""
    _insert(db, token, None, action, "prepared")


def commit(db: Database, token: str, account: str, action: str) -> None:
    """Inside the row's transaction: the change now belongs to `account`,
    and any older committed change to it is superseded."""
    db.execute(
        f"UPDATE {TABLE} SET state = 'superseded' WHERE account = ? AND state = 'committed'",
        [account],
    )
    if action == "clear":
        _insert(db, token, account, "clear", "committed")
        return
    cursor = db.execute(
        f"UPDATE {TABLE} SET state = 'committed', account = ? WHERE token = ? AND state = 'prepared'",
        [account, token],
    )
    if cursor.rowcount != 1:
        raise StorageError("the staged password was cleared away by another session: press Accept again")


def get(db: Database, token: str) -> Entry | None:
    rows = list(db[TABLE].rows_where("token = ?", [token]))
    return Entry(**rows[0]) if rows else None


def committed_for(db: Database, account: str) -> Entry | None:
    """The change a committed row still owes `account`, if any."""
    rows = list(db[TABLE].rows_where("account = ? AND state = 'committed'", [account]))
    return Entry(**rows[0]) if rows else None


def entries(db: Database) -> list[Entry]:
    return [Entry(**row) for row in db[TABLE].rows_where(order_by="created_at")]


def remove(db: Database, token: str) -> None:
    db.execute(f"DELETE FROM {TABLE} WHERE token = ?", [token])
