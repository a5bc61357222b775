"""The Store (storage/store.py) on a PostgreSQL database: one connection
for the store's thread (session.py), write transactions under the write
lock (locks.py), read snapshots in REPEATABLE READ, the schema brought up
to date on a writable open (migrate.py)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from fincon_tui._exceptions import ConnectionLost, StorageError
from fincon_tui.storage.changes import OwnWrites
from fincon_tui.storage.postgres.bulk import PostgresBulk
from fincon_tui.storage.postgres.changes import PostgresChanges
from fincon_tui.storage.postgres.connect import connect
from fincon_tui.storage.postgres.errors import database_error, translated
from fincon_tui.storage.postgres.locks import take_write_lock
from fincon_tui.storage.postgres.migrate import bring_up_to_date, refuse_unless_current
from fincon_tui.storage.postgres.records import Definitions
from fincon_tui.storage.postgres.rows import Audit, Hosts, Info, LoginTests, Secrets, SpfVerdicts
from fincon_tui.storage.postgres.session import Session
from fincon_tui.storage.postgres.users import Users
from fincon_tui.storage.records import SealedPassword, utc_now
from fincon_tui.storage.waiting import WAITING, Waiting

if TYPE_CHECKING:
    from fincon_tui.storage.location import Location

#: A connection lost during COMMIT, and the server could not be asked whether it committed.
IN_DOUBT = ("the connection to the database server was lost while the change was being committed, and the "
            "server could not be asked whether it was saved: open the record again when the server is back to see")
#: A connection lost during COMMIT, and the server, asked again, says it did not commit.
NOT_COMMITTED = ("the connection to the database server was lost while the change was being committed: it was "
                 "not saved (the server, asked again, says so); try again")
#: A connection lost in a write transaction before its COMMIT was sent.
LOST_BEFORE_COMMIT = ("lost the connection to the database server before the change was committed: it was not "
                      "saved; try again (the next action connects again)")
#: How long a save in doubt asks the server whether its transaction is still running.
IN_DOUBT_WAIT_SECONDS = 5.0
#: How long a start waits for another that is creating or upgrading the schema.
UPGRADE_WAIT_SECONDS = 60.0


class PostgresStore:
    """storage.store.Store on one PostgreSQL connection."""

    engine = "PostgreSQL"

    def __init__(self, session: Session) -> None:
        self.session = session
        self.location = session.location.shown
        self.smtp = Definitions(session)
        self.users = Users(session)
        self.secrets = Secrets(session)
        self.own = OwnWrites()
        self.audit = Audit(session, self.own)
        self.info = Info(session)
        self.bulk = PostgresBulk(session)
        self.hosts = Hosts(session)
        self.login_tests = LoginTests(session)
        self.spf_verdicts = SpfVerdicts(session)
        self._changes: PostgresChanges | None = None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[PostgresStore]:
        committed = False
        try:
            with self._open("BEGIN"):
                take_write_lock(self.session.conn, WAITING.get() or Waiting())
                yield self
            committed = True
        finally:
            self.own.ended(committed)

    @contextlib.contextmanager
    def read(self) -> Iterator[PostgresStore]:
        if self.session.in_transaction:
            yield self
            return
        with self._open("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", commit=False):
            yield self

    @contextlib.contextmanager
    def _open(self, begin: str, *, commit: bool = True) -> Iterator[None]:
        """A transaction begun with `begin`: committed at the end of the
        block (or rolled back without `commit`), rolled back on an error.
        A connection lost during the COMMIT leaves the save in doubt: the
        server is asked again, on a new connection, whether the transaction
        committed (`committed`): if so the block ends as saved, if not it
        says so (NOT_COMMITTED), and if the server cannot be asked, that
        (IN_DOUBT); never a guess."""
        import psycopg

        session = self.session
        try:
            conn = session.conn
            conn.execute(begin)
        except psycopg.Error as error:
            raise database_error(error) from error
        session.in_transaction = True
        try:
            yield
            # The transaction's id, if it wrote: what the server is asked if the COMMIT's answer is lost.
            xid = conn.execute("SELECT pg_current_xact_id_if_assigned()::text").fetchone() if commit else None
        except BaseException as error:
            with contextlib.suppress(psycopg.Error):
                conn.execute("ROLLBACK")
            session.in_transaction = False
            if commit and isinstance(error, psycopg.OperationalError) and (conn.broken or conn.closed):
                raise ConnectionLost(LOST_BEFORE_COMMIT) from error  # COMMIT never went: nothing was written
            if isinstance(error, psycopg.Error):
                raise database_error(error) from error
            raise
        try:
            conn.execute("COMMIT" if commit else "ROLLBACK")
        except psycopg.Error as error:
            if commit and (conn.broken or conn.closed):
                session.in_transaction = False
                if xid is None or xid[0] is None:
                    raise database_error(error) from error  # it wrote nothing
                if not committed(session, xid[0]):  # the server may have committed: ask it, never guess
                    raise ConnectionLost(NOT_COMMITTED) from error
                return
            with contextlib.suppress(psycopg.Error):
                conn.execute("ROLLBACK")
            raise database_error(error) from error
        finally:
            session.in_transaction = False

    def secret_replacer(self) -> Callable[[SealedPassword], bool]:
        location = self.session.location

        def replace(sealed: SealedPassword) -> bool:
            owner, binding = sealed.binding.owner, sealed.binding
            with connect(location) as conn, conn.transaction():
                take_write_lock(conn, Waiting())
                changed = conn.execute(
                    "UPDATE secrets SET key_id = %s, sealed = %s, expires_at = %s, updated_at = %s "
                    "WHERE owner_kind = %s AND owner_key = %s AND name = %s AND bound_login = %s "
                    "AND bound_server = %s",
                    [sealed.key_id, sealed.sealed, sealed.expires_at, utc_now(), owner.kind, owner.key,
                     sealed.name, binding.login, binding.server],
                ).rowcount
            return changed == 1

        return translated(replace)

    def changes(self) -> PostgresChanges:
        if self._changes is None:
            self._changes = PostgresChanges(self.session.location, self.own)
        return self._changes

    def how_changes_arrive(self) -> str:
        return self.changes().how

    def close(self) -> None:
        if self._changes is not None:
            self._changes.close()
        self.session.close()


def committed(session: Session, xid: str) -> bool:
    """Whether transaction `xid`, whose COMMIT's answer was lost, was
    committed, as the server says once the session connects again:
    ConnectionLost (IN_DOUBT) when it cannot be asked, or is still at it
    after IN_DOUBT_WAIT_SECONDS (a network cut, not a crash)."""
    import psycopg

    deadline, asked = time.monotonic() + IN_DOUBT_WAIT_SECONDS, 0
    while True:
        try:
            asked += 1
            status = session.value("SELECT pg_xact_status(%s::xid8)", [xid])
        except psycopg.OperationalError:
            if asked == 1:  # a connection not yet known to be lost: the session makes it again
                continue
            raise ConnectionLost(IN_DOUBT, in_doubt=True) from None
        except (psycopg.Error, StorageError):
            raise ConnectionLost(IN_DOUBT, in_doubt=True) from None
        if status in ("committed", "aborted"):
            return bool(status == "committed")
        if time.monotonic() >= deadline:  # still in progress (a network cut, not a crash), or forgotten
            raise ConnectionLost(IN_DOUBT, in_doubt=True)
        time.sleep(0.1)


def open_postgres(location: Location, *, writable: bool = True, waiting: Waiting | None = None,
                  any_schema: bool = False) -> PostgresStore:
    """The store in the database at `location` (see storage.store.open_store)."""
    session = Session(location)
    try:
        _prepare(session, writable, waiting or WAITING.get() or Waiting(), any_schema)
    except BaseException:
        session.close()
        raise
    return PostgresStore(session)


@translated
def _prepare(session: Session, writable: bool, waiting: Waiting, any_schema: bool) -> None:
    if not writable:
        refuse_unless_current(session.conn, session.location.shown, any_schema)
        return
    bring_up_to_date(session.conn, Waiting(
        report=waiting.report, abandoned=waiting.abandoned, limit=UPGRADE_WAIT_SECONDS,
        holder="another fincon-tui creating or upgrading the database"))
