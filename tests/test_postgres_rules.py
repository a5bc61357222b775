"""The declared field rules on PostgreSQL (storage/postgres/rules.py): on
random text, a PostgreSQL database takes exactly what SQLite's takes, and
refuses with the same words ('table.column: what it takes'), both written
to by a plain connection as another tool writes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import psycopg
import pytest
from hypothesis import HealthCheck, assume, given, settings
from test_declared_rules import rule_and_value, set_all

from fincon_tui.domain.value_rules import WholeNumber
from fincon_tui.storage.field_rules import ColumnRule
from fincon_tui.storage.versioned_table import fold


@pytest.fixture(scope="module")
def both(tmp_path_factory, postgres_server) -> Iterator[tuple[sqlite3.Connection, psycopg.Connection]]:
    """A SQLite and a PostgreSQL database holding the same definition and user."""
    path = tmp_path_factory.mktemp("rules") / "fincon.db"
    for kind in ("smtp", "user"):
        set_all(path, kind)
    lite = sqlite3.connect(path)
    lite.row_factory = sqlite3.Row
    name = postgres_server.new_database()
    pg = psycopg.connect(postgres_server.url(name), autocommit=True)
    for table in ("smtp_settings", "user_email_settings"):
        for row in lite.execute(f"SELECT * FROM {table}"):
            values = dict(row)
            if table == "smtp_settings":
                values["name_folded"] = fold(values["name"])
            pg.execute(f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join(['%s'] * len(values))})",
                       list(values.values()))
    yield lite, pg
    lite.close()
    pg.close()
    postgres_server.drop(name)


def _sqlite(conn: sqlite3.Connection, rule: ColumnRule, value: object) -> str | None:
    """None if SQLite takes `value`, else what it said."""
    try:
        if rule.column == "authenticate":  # m001's CHECK: no username without Authenticate
            conn.execute("UPDATE smtp_settings SET username = NULL")
        conn.execute(f"UPDATE {rule.table} SET {rule.column} = ?", [value])
        return None
    except sqlite3.IntegrityError as error:
        return str(error)
    finally:
        conn.rollback()


def _postgres(conn: psycopg.Connection, rule: ColumnRule, value: object) -> str | None:
    try:
        with conn.transaction(force_rollback=True):
            if rule.column == "authenticate":
                conn.execute("UPDATE smtp_settings SET username = NULL")
            conn.execute(f"UPDATE {rule.table} SET {rule.column} = %s", [value])
        return None
    except psycopg.IntegrityError as error:
        return error.diag.message_primary or str(error)


@given(case=rule_and_value())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_postgresql_takes_and_refuses_what_sqlite_does_in_the_same_words(both, case) -> None:
    rule, value = case
    assume(not (isinstance(rule.rule, WholeNumber) and isinstance(value, str)))  # an INTEGER column: no text
    assume(not (isinstance(value, str) and "\x00" in value))  # PostgreSQL's text holds no NUL
    lite, pg = both
    said_lite, said_pg = _sqlite(lite, rule, value), _postgres(pg, rule, value)
    assert (said_lite is None) == (said_pg is None), (rule.column, value, said_lite, said_pg)
    rule_said = f"{rule.table}.{rule.column}: "
    if said_lite is not None and said_lite.startswith(rule_said):
        assert said_pg == said_lite, (rule.column, value)


@pytest.mark.parametrize(("table", "column", "value"), [
    ("smtp_settings", "tenant", "contoso tenant"),
    ("smtp_settings", "mail_server", "Smtp.Example.com"),
    ("user_email_settings", "sender_email", "alice@@corp.example"),
    ("user_email_settings", "sender_name", "Alice\u202e"),
])
def test_a_value_against_the_rules_is_refused_by_the_database_itself(both, table: str, column: str,
                                                                       value: str) -> None:
    _, pg = both
    from fincon_tui.storage.field_rules import all_rules

    rule = next(rule for rule in all_rules() if (rule.table, rule.column) == (table, column))
    assert _postgres(pg, rule, value) == f"{table}.{column}: {rule.message}"
