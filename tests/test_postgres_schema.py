"""The schema on PostgreSQL: the same tables, columns and step names as on
SQLite, each step in one transaction under the write lock, servers that
start at once both succeed, a reading command never migrates, a newer
schema is refused with the versions named, and names are unique by the
app's own folding."""

from __future__ import annotations

import threading
from pathlib import Path

import psycopg
import pytest
from test_declared_rules import LATER_STEP, a_later_field  # noqa: F401 (a fixture)

from fincon_tui._exceptions import LockWaitAbandoned, NoDatabase, SchemaTooNew, StorageError
from fincon_tui.storage.location import locate
from fincon_tui.storage.postgres.connect import connect
from fincon_tui.storage.postgres.locks import WRITE_LOCK
from fincon_tui.storage.postgres.migrate import applied, bring_up_to_date, pending, refuse_unless_current
from fincon_tui.storage.postgres.schema import STEPS
from fincon_tui.storage.records import fold
from fincon_tui.storage.waiting import Waiting


def _columns_pg(conn: psycopg.Connection) -> dict[str, set[str]]:
    rows = conn.execute("SELECT table_name, column_name FROM information_schema.columns "
                        "WHERE table_schema = 'public'").fetchall()
    tables: dict[str, set[str]] = {}
    for table, column in rows:
        tables.setdefault(table, set()).add(column)
    return tables


def test_the_steps_are_sqlites_by_name_and_make_its_tables_and_columns(pg_empty_url: str, db_path: Path) -> None:
    from fincon_tui.storage.database import open_database
    from fincon_tui.storage.migrations import migrations

    sqlite = open_database(db_path)
    assert [step.name for step in STEPS] == migrations.names
    with connect(locate(pg_empty_url)) as conn:
        bring_up_to_date(conn, Waiting())
        assert applied(conn) == [step.name for step in STEPS]
        tables = _columns_pg(conn)
    expected = {name: set(sqlite.utils[name].columns_dict) for name in sqlite.table_names()}
    del expected["_sqlite_migrations"]  # bookkeeping: the steps' names are compared above
    assert tables.pop("fincon_migrations") == {"migration_set", "name", "applied_at"}
    assert tables == expected


def test_two_servers_starting_at_once_both_succeed(pg_empty_url: str) -> None:
    location = locate(pg_empty_url)
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def migrate() -> None:
        try:
            with connect(location) as conn:
                start.wait()
                bring_up_to_date(conn, Waiting())
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=migrate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with connect(location) as conn:
        assert applied(conn) == [step.name for step in STEPS]
        (infos,) = conn.execute("SELECT count(*) FROM database_info").fetchone() or (0,)
    assert infos == 1


def test_a_reading_command_never_migrates(pg_empty_url: str) -> None:
    location = locate(pg_empty_url)
    with connect(location) as conn:
        with pytest.raises(NoDatabase, match="holds no fincon-tui database yet") as empty:
            refuse_unless_current(conn, location.shown)
        assert empty.value.empty
        assert _columns_pg(conn) == {}
        with conn.transaction():
            conn.execute("CREATE TABLE fincon_migrations (migration_set TEXT, name TEXT, applied_at TEXT)")
            STEPS[0].run(conn)
            conn.execute("INSERT INTO fincon_migrations VALUES ('fincon_tui', %s, 'then')", [STEPS[0].name])
        with pytest.raises(NoDatabase, match="written by an older fincon-tui") as older:
            refuse_unless_current(conn, location.shown)
        assert not older.value.empty
        assert len(pending(conn)) == len(STEPS) - 1


def test_a_newer_schema_is_refused_with_the_versions_named(pg_url: str) -> None:
    location = locate(pg_url)
    with connect(location) as conn:
        conn.execute("INSERT INTO fincon_migrations VALUES ('fincon_tui', 'm999_future', 'later')")
        for check in (lambda: refuse_unless_current(conn, location.shown), lambda: bring_up_to_date(conn, Waiting())):
            with pytest.raises(SchemaTooNew) as refused:
                check()
            assert "m999_future" in str(refused.value) and STEPS[-1].name in str(refused.value)


def test_a_step_waits_for_another_writer_visibly_and_can_stop_waiting(pg_empty_url: str) -> None:
    location = locate(pg_empty_url)
    with connect(location) as holder, connect(location) as conn:
        holder.execute("BEGIN")
        holder.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])
        waiting = Waiting()
        waiting.report = lambda seconds: waiting.abandoned.set()
        with pytest.raises(LockWaitAbandoned, match="nothing was written"):
            bring_up_to_date(conn, waiting)
        holder.execute("ROLLBACK")
        assert applied(conn) == []


def test_names_are_unique_as_the_app_folds_them(pg_url: str) -> None:
    """'STRASSE' and 'Straße', 'ZÜRICH' and a decomposed 'zürich': one name."""
    row = ("mail.example.com", "N", None, 25, "N", 30, "2026-12-07T00:00:00+00:00", "2026-12-07T00:00:00+00:00")
    insert = ("INSERT INTO smtp_settings (name, name_folded, mail_server, authenticate, username, port, use_tls, "
              "timeout_seconds, created_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)")
    with connect(locate(pg_url)) as conn:
        for first, second in (("Straße", "STRASSE"), ("ZÜRICH", "zu\u0308rich")):
            conn.execute(insert, [first, fold(first), *row])
            with pytest.raises(psycopg.errors.UniqueViolation):
                conn.execute(insert, [second, fold(second), *row])


def test_a_database_that_is_not_there_is_one_line_with_what_to_check(pg_url: str) -> None:
    missing = locate(pg_url.replace("/test_", "/nowhere_"))
    with pytest.raises(StorageError) as refused:
        connect(missing)
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(f"cannot connect to {missing.shown}: ")
    assert "does not exist" in message and "check the database and user names" in message


def test_each_session_is_set_so_a_dead_client_cannot_hold_a_lock_for_long(pg_url: str) -> None:
    with connect(locate(pg_url)) as conn:
        settings = dict(conn.execute(
            "SELECT name, setting FROM pg_settings WHERE name IN "
            "('idle_in_transaction_session_timeout', 'lock_timeout')").fetchall())
        assert settings == {"idle_in_transaction_session_timeout": "60000", "lock_timeout": "10000"}
        assert conn.info.get_parameters()["keepalives"] == "1"
        assert conn.info.get_parameters()["application_name"] == "fincon-tui"


def test_a_fresh_database_has_the_declared_rules_and_no_others(pg_url: str) -> None:
    """As on SQLite (test_declared_rules): the rule functions and triggers
    the steps made are those rendered from the declarations, no more."""
    from fincon_tui.storage.postgres.rules import rule_functions

    with connect(locate(pg_url)) as conn:
        made = dict(conn.execute("SELECT proname, prosrc FROM pg_proc WHERE right(proname, 6) = '_rules' "
                                 "AND pronamespace = 'public'::regnamespace").fetchall())
        triggers = {name for (name,) in conn.execute("SELECT tgname FROM pg_trigger "
                                                     "WHERE right(tgname, 6) = '_rules'").fetchall()}
    rendered = {name: statement.split("$$")[1] for name, statement in rule_functions().items()}
    assert made == rendered and triggers == set(rendered)


@pytest.mark.usefixtures("a_later_field")
def test_a_field_declared_later_gets_its_column_and_rule_from_its_declared_step(pg_empty_url: str) -> None:
    """As on SQLite (test_declared_rules): m013, m014 and m019 render the
    rules of the columns they find, and the engine-neutral step adds the
    columns as declared and renders their rules."""
    from fincon_tui.storage.postgres.rules import rule_functions
    from fincon_tui.storage.postgres.schema import add_declared_columns

    with connect(locate(pg_empty_url)) as conn:
        bring_up_to_date(conn, Waiting())
        made = conn.execute("SELECT prosrc FROM pg_proc WHERE proname = 'smtp_settings_rules'").fetchone()[0]
        assert "later_" not in made
        add_declared_columns(conn, LATER_STEP)
        made = conn.execute("SELECT prosrc FROM pg_proc WHERE proname = 'smtp_settings_rules'").fetchone()[0]
        columns = {name: (kind, nullable, default) for name, kind, nullable, default in conn.execute(
            "SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns "
            "WHERE table_name = 'smtp_settings' AND column_name LIKE 'later_%'").fetchall()}
        conn.commit()
    assert "NEW.later_field" in made and "NEW.later_number" in made
    assert made in rule_functions()["smtp_settings_rules"]
    assert columns == {"later_field": ("text", "YES", None), "later_number": ("integer", "NO", "3")}


def test_a_page_in_key_order_reads_an_index_not_a_sort_of_every_row(pg_url: str) -> None:
    """Lists and their pages read in key order by byte (COLLATE "C"): from
    indexes of that order (m021), which the unique ones in the database's
    collation cannot give, so that a page of 20 does not sort every row
    (planned as over 20,000 rows: what costs most there off)."""
    with connect(locate(pg_url)) as conn:
        for costly in ("seqscan", "bitmapscan", "sort"):
            conn.execute(f"SET enable_{costly} = off")
        for table, column in (("smtp_settings", "name_folded"), ("user_email_settings", "user_code")):
            plan = "\n".join(line for (line,) in conn.execute(
                f'EXPLAIN SELECT * FROM {table} WHERE {column} COLLATE "C" >= %s '
                f'ORDER BY {column} COLLATE "C" LIMIT 21', ["m"]))
            assert "Sort" not in plan and f"{table}_{column}_c" in plan, plan
