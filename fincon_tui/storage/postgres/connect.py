"""Connecting to PostgreSQL: the session's settings, and why a connection
failed in one line that says what to check.

A dead SSH session must not hold a lock for long: TCP keepalives find a
vanished client (and server), `idle_in_transaction_session_timeout` ends
a transaction left open, and `lock_timeout` bounds any wait for a lock
that the write lock (locks.py) does not cover.  The URL's own parameters
win over these defaults.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fincon_tui._exceptions import StorageError
from fincon_tui.storage.postgres.errors import said

if TYPE_CHECKING:
    from psycopg import Connection

    from fincon_tui.storage.location import Location

#: The oldest server fincon-tui works with (server_version_num).
OLDEST_SERVER = 140000
#: libpq's connection parameters, unless the URL sets them.
PARAMETERS = {
    "application_name": "fincon-tui",
    "connect_timeout": "10",
    "keepalives": "1",
    "keepalives_idle": "30",
    "keepalives_interval": "10",
    "keepalives_count": "3",
}
#: Set on every session (SET, not the startup `options`, which pgbouncer refuses).
SESSION = {
    "idle_in_transaction_session_timeout": "60s",
    "lock_timeout": "10s",
    "statement_timeout": "0",
    "client_encoding": "UTF8",
    "TimeZone": "UTC",
}


def connect(location: Location) -> Connection:
    """An autocommit connection to the database at `location`;
    StorageError with one line of what to check."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    assert location.url is not None
    try:
        given = conninfo_to_dict(location.url)
    except psycopg.ProgrammingError as error:
        raise StorageError(f"{location} is not a PostgreSQL URL libpq reads: {said(error)}") from None
    parameters = {**PARAMETERS, **{name: str(value) for name, value in given.items()}}
    try:
        conn = psycopg.connect(**parameters, autocommit=True)  # type: ignore[arg-type]  # libpq's names as keywords
    except psycopg.OperationalError as error:
        raise StorageError(f"cannot connect to {location}: {why_not(error)}") from None
    try:
        if conn.info.server_version < OLDEST_SERVER:
            raise StorageError(f"{location} is PostgreSQL {_version(conn.info.server_version)}: "
                               f"fincon-tui needs {_version(OLDEST_SERVER)} or newer")
        for name, value in SESSION.items():
            conn.execute("SELECT set_config(%s, %s, false)", [name, value])
    except BaseException:
        conn.close()
        raise
    return conn


def why_not(error: Exception) -> str:
    """libpq's reason a connection failed, as one line with what to check."""
    text = said(error)
    lowered = text.lower()
    hints = (
        ("password authentication failed", "check the password in ~/.pgpass, $PGPASSWORD or the service file"),
        ("no password supplied", "put the password in ~/.pgpass, $PGPASSWORD or the service file"),
        ("does not exist", "check the database and user names, or create them (docs/postgresql.md)"),
        ("connection refused", "is the server running, and listening there?"),
        ("no such file or directory", "is the server running, with its socket in that folder?"),
        ("could not translate host name", "check the host name"),
        ("timeout expired", "the server did not answer: check the host, port and firewall"),
        ("no pg_hba.conf entry", "the server's pg_hba.conf does not let this host, user and database in"),
        ("certificate", "check sslrootcert and the server's certificate (docs/postgresql.md)"),
        ("definition of service", "check the service name in the service file"),
    )
    hint = next((hint for words, hint in hints if words in lowered), "")
    return f"{text} ({hint})" if hint else text


def _version(number: int) -> str:
    return f"{number // 10000}.{number // 100 % 100}" if number < 100000 else str(number // 10000)
