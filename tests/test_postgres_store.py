"""The store on PostgreSQL where it differs from SQLite underneath: the
CLI end to end on a URL, several admins' sessions at once (stale saves,
the write lock's wait), the database's own rules, names folded by the
app, and a connection lost between two actions.  The services' and the
CLI's behaviour on both engines is in the modules marked `engines`."""

from __future__ import annotations

import threading

import psycopg
import pytest
from support import definition, user

from fincon_tui._exceptions import (
    LockWaitAbandoned,
    RecordChanged,
    RecordInUse,
    RuleRefused,
    StorageError,
)
from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.services.smtp_settings import SmtpSettings
from fincon_tui.services.user_settings import UserSettings
from fincon_tui.storage.postgres.locks import WRITE_LOCK
from fincon_tui.storage.store import open_store
from fincon_tui.storage.waiting import WAITING, Waiting


@pytest.fixture
def pg_fincon(fincon, pg_empty_url: str, monkeypatch: pytest.MonkeyPatch):
    """`fincon-tui ARGS` on a new, empty PostgreSQL database ($FINCON_TUI_DB)."""
    from cli_runner import run_cli

    monkeypatch.setenv("FINCON_TUI_DB", pg_empty_url)
    return lambda *args, stdin=None: run_cli(list(args), stdin)


def test_the_cli_on_a_url_inits_writes_reads_and_refuses_as_on_sqlite(pg_fincon, pg_empty_url: str) -> None:
    before = pg_fincon("smtp", "list")
    assert before.returncode == 2
    assert before.stderr == (f"fincon-tui: {pg_empty_url} holds no fincon-tui database yet: "
                             f"create it with `fincon-tui init`\n")
    init = pg_fincon("init")
    assert (init.returncode, init.stdout) == (0, f"{pg_empty_url} holds fincon-tui's tables and is up to date\n")
    created = pg_fincon("smtp", "set", "Straße", "--mail-server", "smtp.corp.example", "--username", "shared",
                        "--password-stdin", stdin="shared-pw\n")
    assert created.returncode == 0, created.stderr
    linked = pg_fincon("user", "set", "alice", "--smtp-definition", "STRASSE", "--sender-name", "Alice",
                       "--sender-email", "alice@corp.example")
    assert linked.returncode == 0, linked.stderr
    shown = pg_fincon("user", "show", "ALICE")
    assert "Straße" in shown.stdout  # the definition as stored, found by the app's folding
    refused = pg_fincon("smtp", "delete", "STRASSE")
    assert (refused.returncode, refused.stderr) == (2, "fincon-tui: SMTP definition Straße refused: it is used by "
                                                    "1 user (ALICE): link them to another definition first\n")
    renamed = pg_fincon("smtp", "rename", "strasse", "MAIN")
    assert renamed.returncode == 0, renamed.stderr
    assert "MAIN" in pg_fincon("user", "show", "ALICE").stdout
    listed = pg_fincon("smtp", "list")
    assert listed.returncode == 0 and "MAIN" in listed.stdout and "Straße" not in listed.stdout
    assert "shared-pw" not in listed.stdout + renamed.stdout


def test_a_password_in_the_url_is_one_line_that_never_shows_it(pg_fincon, pg_url: str) -> None:
    with_password = pg_url.replace("postgres@", "postgres:s3cret@")
    ran = pg_fincon("--db", with_password, "smtp", "list")
    assert ran.returncode == 2
    assert ran.stderr.count("\n") == 1 and "s3cret" not in ran.stderr and ".pgpass" in ran.stderr


def test_a_stale_save_from_another_server_is_refused(pg_url: str, vault) -> None:
    here, there = open_store(pg_url), open_store(pg_url)
    try:
        mine, theirs = SmtpSettings(here, vault), SmtpSettings(there, vault)
        mine.save(definition(name="OFFICE"), PasswordChange.keep(), None)
        loaded = mine.get("OFFICE")
        theirs.save(definition(name="OFFICE", port=2525), PasswordChange.keep(), theirs.get("OFFICE"))
        with pytest.raises(RecordChanged) as stale:
            mine.save(definition(name="OFFICE", port=465), PasswordChange.keep(), loaded)
        assert stale.value.current is not None and stale.value.current.version == 2
        assert here.smtp.get("office").record.port == 2525
    finally:
        here.close()
        there.close()


def test_a_save_waits_for_another_admins_visibly_and_can_stop_waiting(pg_url: str, vault) -> None:
    store = open_store(pg_url)
    holder = psycopg.connect(pg_url, autocommit=True)
    waited: list[float] = []
    waiting = Waiting(report=waited.append)
    waiting.report = lambda seconds: (waited.append(seconds), waiting.abandoned.set())
    try:
        holder.execute("BEGIN")
        holder.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])
        token = WAITING.set(waiting)
        try:
            with pytest.raises(LockWaitAbandoned, match="nothing was written"):
                SmtpSettings(store, vault).save(definition(name="OFFICE"), PasswordChange.keep(), None)
        finally:
            WAITING.reset(token)
        assert waited and store.smtp.get("OFFICE") is None
        holder.execute("ROLLBACK")
        SmtpSettings(store, vault).save(definition(name="OFFICE"), PasswordChange.keep(), None)
        assert store.smtp.get("OFFICE") is not None
    finally:
        holder.close()
        store.close()


def test_the_database_enforces_the_rules_and_references_itself(pg_url: str, vault) -> None:
    store = open_store(pg_url)
    try:
        with pytest.raises(RuleRefused) as refused, store.transaction():
            store.smtp.insert(definition(name="OFFICE", port=0))
        assert refused.value.field == "port" and str(refused.value).startswith("Port refused by the database")
        SmtpSettings(store, vault).save(definition(name="OFFICE"), PasswordChange.keep(), None)
        UserSettings(store, vault).save(user("ALICE", "office"), PasswordChange.keep(), None)
        with pytest.raises(RecordInUse), store.transaction():  # past the services' own check
            store.smtp.delete(store.smtp.get("OFFICE"))
        assert store.users.get("alice").record.smtp_name == "OFFICE"  # as the definition is stored
    finally:
        store.close()


def test_a_lost_connection_is_one_error_then_the_next_action_connects_again(pg_url: str, vault) -> None:
    store = open_store(pg_url)
    admin = psycopg.connect(pg_url, autocommit=True)
    try:
        service = SmtpSettings(store, vault)
        service.save(definition(name="OFFICE"), PasswordChange.keep(), None)
        stopped = threading.Event()

        def cut() -> None:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE application_name = 'fincon-tui' AND pid <> pg_backend_pid() "
                          "AND datname = current_database()")
            stopped.set()

        with pytest.raises(StorageError, match="lost the connection to the database server") as lost, \
                store.transaction():
            cut()
            store.smtp.get("OFFICE")
        assert "\n" not in str(lost.value) and stopped.is_set()
        assert service.get("OFFICE") is not None  # connected again
    finally:
        admin.close()
        store.close()


def test_a_connection_lost_before_the_commit_says_the_save_was_not_made(pg_url: str, vault) -> None:
    """Its COMMIT never went: not saved, for certain (a COMMIT whose answer
    is lost is in doubt: test_postgres_faults)."""
    from fincon_tui.storage.postgres.store import LOST_BEFORE_COMMIT

    store = open_store(pg_url)
    admin = psycopg.connect(pg_url, autocommit=True)
    try:
        with pytest.raises(StorageError) as doubt, store.transaction():
            store.smtp.insert(definition(name="OFFICE"))
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE application_name = 'fincon-tui' AND pid <> pg_backend_pid() "
                          "AND datname = current_database()")
        assert str(doubt.value) == LOST_BEFORE_COMMIT
        assert store.smtp.get("OFFICE") is None  # the next action connects again
    finally:
        admin.close()
        store.close()
