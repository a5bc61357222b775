"""The storage contract, on real database files: the records' behaviour on
both engines (the `engines` marks), the SQLite file, its table layout and
its migrations on SQLite (PostgreSQL's: test_postgres_schema)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import doc_tables
import pytest
from support import definition

from fincon_tui._exceptions import (
    RecordChanged,
    RecordExists,
    SchemaTooNew,
    StorageError,
)
from fincon_tui.storage.database import open_database
from fincon_tui.storage.migrations import migrations
from fincon_tui.storage.smtp_repo import SmtpRepository

STORAGE_DOC = Path(__file__).parent.parent / "docs" / "storage.md"

#: Steps that databases in use have applied, by name, in order: a step is
#: never renamed, removed or reordered (a later one goes after these).
RELEASED_STEPS = [
    "m001_smtp_settings",
    "m002_user_email_settings",
    "m003_audit_log",
    "m004_password_journal",
    "m005_encrypted_passwords",
    "m006_rules_for_other_tools",
    "m007_row_identity",
    "m008_application_id",
    "m009_oauth_logins",
    "m010_user_login_method_as_definition",
    "m011_audit_by_record",
    "m012_rules_check_what_changes",
    "m013_rules_from_declaration",
    "m014_rules_on_every_python",
    "m016_name_folded",
    "m017_hosts",
    "m018_login_tests",
    "m019_rows_before_rules",
    "m020_spf_verdicts",
]

#: The rule triggers that the released steps rendered, over the columns they
#: made: a digest pinned with RELEASED_STEPS (a release whose new steps add
#: a field's column pins both again), never edited for a field added after them.
RELEASED_RULES = "2fb0ab67ed55db20"

OFFICE = definition(name="Office", username="bob@example.com", bcc="audit@example.com")

GOOD_ROW = (
    "INSERT INTO smtp_settings (name, mail_server, authenticate, username, port, use_tls,"
    " timeout_seconds, bcc, created_at, updated_at, version)"
    " VALUES (:name, :mail_server, :authenticate, :username, :port, :use_tls,"
    " :timeout_seconds, :bcc, 'now', 'now', 1)"
)
GOOD = {
    "name": "RAW",
    "mail_server": "mail.example.com",
    "authenticate": "Y",
    "username": None,
    "port": 25,
    "use_tls": "N",
    "timeout_seconds": 30,
    "bcc": None,
}


@pytest.mark.engines
def test_round_trip(store) -> None:
    with store.transaction() as work:
        saved = work.smtp.insert(OFFICE)
    assert saved.version == 1
    loaded = store.smtp.get("office")
    assert loaded is not None and loaded.record == OFFICE
    assert loaded.created_at.endswith("+00:00") and loaded.created_at == loaded.updated_at


def documented_columns(table: str) -> dict[str, str]:
    """The columns docs/storage.md's table of `table` names, with the
    storage class its type starts with (TEXT, INTEGER)."""
    section = STORAGE_DOC.read_text().split(f"\n### `{table}`\n", 1)[1].split("\n#", 1)[0]
    columns = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")] if line.startswith("| `") else []
        for name in re.findall(r"`(\w+)`", cells[0] if cells else ""):
            columns[name] = re.match(r"\w+", cells[1]).group()
    return columns


def test_row_layout_is_the_documented_contract(db) -> None:
    """The table has the columns docs/storage.md documents for other tools,
    no more and no fewer, each of its type."""
    SmtpRepository(db).insert(OFFICE)
    columns = {c.name: c.type for c in db["smtp_settings"].columns}
    assert columns == documented_columns("smtp_settings")
    assert db["smtp_settings"].pks == ["name"]
    row = next(db["smtp_settings"].rows)
    assert row["authenticate"] == "Y" and row["use_tls"] == "Y" and row["name_folded"] == "office"


def test_the_declared_columns_are_documented_as_make_docs_writes_them() -> None:
    """docs/storage.md's tables of the declared columns are the fields'
    declarations as tests/doc_tables.py writes them: `make docs` after a
    field is declared or changed."""
    text = STORAGE_DOC.read_text()
    assert doc_tables.written(text) == text, "docs/storage.md is stale: run make docs"
    assert doc_tables.written(text.replace("| `bcc` | TEXT or NULL |", "| `bcc` | TEXT |")) == text


def test_names_are_unique_ignoring_case_in_the_table_itself(db) -> None:
    """SQLite's own index (PostgreSQL's: test_postgres_schema); the store's RecordExists: the next test."""
    SmtpRepository(db).insert(OFFICE)
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(GOOD_ROW, {**GOOD, "name": "oFFice"})


@pytest.mark.engines
def test_update_increments_version_and_checks_it(store) -> None:
    with store.transaction() as work:
        work.smtp.insert(OFFICE)
    with pytest.raises(RecordExists), store.transaction() as work:
        work.smtp.insert(definition(name="OFFICE"))
    changed = definition(name="OFFICE", username="bob@example.com", port=465)
    with store.transaction() as work:
        saved = work.smtp.update(changed, work.smtp.current("office", expected=1))
    assert saved.version == 2 and saved.key == "Office"  # the stored spelling stays
    assert store.smtp.get("Office").record.port == 465
    with pytest.raises(RecordChanged), store.transaction() as work:
        work.smtp.current("office", expected=1)


@pytest.mark.parametrize(
    "bad",
    [
        {"name": ""},
        {"name": " padded "},
        {"name": "x" * 41},
        {"mail_server": "has space.example.com"},
        {"mail_server": ""},
        {"authenticate": "y"},
        {"authenticate": "N", "username": "bob"},
        {"username": ""},
        {"port": 0},
        {"port": 65536},
        {"port": "five"},
        {"use_tls": "YES"},
        {"timeout_seconds": 0},
        {"timeout_seconds": 301},
        {"bcc": "not-an-address"},
    ],
)
def test_check_constraints_refuse_bad_rows_written_behind_the_apps_back(db, bad) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(GOOD_ROW, {**GOOD, **bad})


def test_a_good_row_written_by_hand_passes_the_same_checks(db) -> None:
    db.execute(GOOD_ROW, GOOD)
    assert SmtpRepository(db).get("raw").record.mail_server == "mail.example.com"


def test_migrations_create_the_schema_on_an_empty_file(db_path: Path) -> None:
    db = open_database(db_path)
    assert "smtp_settings" in db.table_names()
    applied = migrations.applied(db)
    assert applied == migrations.names  # every step, in order
    assert applied[:len(RELEASED_STEPS)] == RELEASED_STEPS
    assert db.journal_mode == "wal"
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_the_released_rules_change_only_with_a_step(db_path: Path) -> None:
    """The rules of the columns the released steps made, rendered from the
    declarations as they are now, are those those steps rendered: a rule
    changed (or its SQL) fails here, since every database made before has the
    old one.  Add a step that renders the rules again (in storage/migrations.py,
    `declared_columns(name, table)` without columns), then pin the digest this
    test prints.  A field added after the released steps
    has no column among them: adding it edits nothing here, and the step that
    adds its column renders its rule (test_declared_rules: a fresh database has
    exactly the declared rules, on both engines)."""
    import hashlib
    import json

    from sqlite_utils import Database

    from fincon_tui.storage.constraints import rule_triggers
    from fincon_tui.storage.field_rules import OWNER_KINDS

    later = migrations.names[len(RELEASED_STEPS):]
    released = Database(db_path)
    migrations.apply(released, stop_before=later[:1] or None)
    columns = {table: set(released[table].columns_dict) for table in OWNER_KINDS}
    released.close()
    rendered = hashlib.sha256(json.dumps(rule_triggers(columns), sort_keys=True).encode()).hexdigest()[:16]
    assert rendered == RELEASED_RULES, (
        f"a released rule changed: add a step that renders them again, declared_columns(name, table) ({rendered})")


#: Statements whose effect on the transaction differs between sqlite3's own
#: execute and sqlite-utils': each write outside a transaction committed, a
#: failed one rolled back, BEGIN and a write returning rows left open.
STATEMENTS = [
    "CREATE TABLE t (x INTEGER PRIMARY KEY, y TEXT NOT NULL)",
    "INSERT INTO t (y) VALUES ('a')",
    "INSERT INTO t (y) VALUES (NULL)",
    "BEGIN",
    "INSERT INTO t (y) VALUES ('b')",
    "ROLLBACK",
    "BEGIN IMMEDIATE",
    "UPDATE t SET y = 'c'",
    "COMMIT",
    "  delete from t returning x",
    "SELECT count(*) FROM t",
    "COMMIT",
    "SELECT count(*) FROM t",
]


def _transactions(db, path: Path) -> list[tuple[object, ...]]:
    """After each of STATEMENTS: the error, whether a transaction is open,
    and what another connection sees."""
    seen = []
    for sql in STATEMENTS:
        error = None
        try:
            db.execute(sql)
        except sqlite3.Error as refused:
            error = type(refused).__name__
        other = sqlite3.connect(path)
        rows = other.execute("SELECT y FROM t ORDER BY x").fetchall()
        other.close()
        seen.append((sql, error, db.conn.in_transaction, rows))
    return seen


def test_the_store_connection_runs_statements_as_sqlite_utils_database_does(tmp_path: Path) -> None:
    """connection.py opens and reads without sqlite-utils, and its execute
    stands in for Database.execute, which every write of the store went
    through: the same statements leave the same transaction state and the
    same committed rows."""
    from sqlite_utils import Database

    from fincon_tui.storage.connection import Connection

    ours = _transactions(Connection(sqlite3.connect(tmp_path / "ours.db")), tmp_path / "ours.db")
    theirs = _transactions(Database(sqlite3.connect(tmp_path / "theirs.db")), tmp_path / "theirs.db")
    assert ours == theirs
    assert ours[2][1:] == ("IntegrityError", False, [("a",)])


def test_the_steps_applied_are_read_as_sqlite_utils_reads_them(db_path: Path) -> None:
    """migrations.applied reads sqlite-utils' table with sqlite3 alone (a
    start on a current database loads no sqlite-utils): the same names, in
    the same order, as sqlite-utils' Migrations.applied, also part way."""
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

    db = Database(db_path)
    assert migrations.applied(db) == [] and migrations.pending(db) == migrations.names
    migrations.apply(db, stop_before="m011_audit_by_record")
    theirs = Migrations(migrations.set_name)
    assert migrations.applied(db) == [m.name for m in theirs.applied(db)] == RELEASED_STEPS[:10]
    assert migrations.pending(db) == migrations.names[10:]


def test_reopening_an_existing_database_keeps_its_rows(db_path: Path) -> None:
    first = open_database(db_path)
    SmtpRepository(first).insert(OFFICE)
    first.close()
    again = open_database(db_path)
    assert SmtpRepository(again).get("OFFICE").record == OFFICE
    assert migrations.pending(again) == []


def test_a_first_version_database_is_upgraded_in_place(db_path: Path) -> None:
    from sqlite_utils import Database

    old = Database(db_path)
    migrations.apply(old, stop_before="m002_user_email_settings")
    first = {k: v for k, v in SmtpRepository(old).to_columns(OFFICE).items() if k in old["smtp_settings"].columns_dict}
    old["smtp_settings"].insert({**first, "created_at": "2026-11-20T10:00:00+00:00",
                                 "updated_at": "2026-11-20T10:00:00+00:00", "version": 1})
    old.close()
    upgraded = open_database(db_path)
    assert "user_email_settings" in upgraded.table_names()
    assert SmtpRepository(upgraded).get("office").record == OFFICE


def test_a_database_from_a_newer_version_is_refused_untouched(db_path: Path) -> None:
    db = open_database(db_path)
    db.utils["_sqlite_migrations"].insert(
        {"migration_set": "fincon_tui", "name": "m999_future", "applied_at": "later"}
    )
    db.close()
    before = db_path.read_bytes()
    with pytest.raises(SchemaTooNew, match="newer fincon-tui"):
        open_database(db_path)
    assert db_path.read_bytes() == before


def test_a_file_that_is_not_sqlite_is_refused_untouched(db_path: Path) -> None:
    db_path.write_bytes(b"this is a spreadsheet, not a database\n" * 200)
    before = db_path.read_bytes()
    with pytest.raises(StorageError, match="cannot use"):
        open_database(db_path)
    assert db_path.read_bytes() == before


def test_a_missing_folder_is_reported(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="does not exist"):
        open_database(tmp_path / "nowhere" / "fincon.db")


def test_a_new_database_is_private_or_shared_with_the_folders_group(tmp_path: Path) -> None:
    import os
    import stat

    private = tmp_path / "private.db"
    umask = os.umask(0o022)
    try:
        open_database(private).close()
    finally:
        os.umask(umask)
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o2770)
    db = open_database(shared / "fincon.db")
    db.execute("CREATE TABLE t (x)")  # the -wal and -shm files appear
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in shared.iterdir()}
    assert modes == {"fincon.db": 0o660, "fincon.db-wal": 0o660, "fincon.db-shm": 0o660}
    db.close()


@pytest.mark.engines
def test_names_are_unique_and_found_ignoring_case_in_any_script(store) -> None:
    with store.transaction() as work:
        work.smtp.insert(definition(name="Zürich"))
    repo = store.smtp
    assert repo.get("ZÜRICH").key == "Zürich" and repo.get("zürich").key == "Zürich"
    assert repo.get("Zu\u0308rich").key == "Zürich"  # decomposed ü
    with pytest.raises(RecordExists), store.transaction() as work:
        work.smtp.insert(definition(name="ZÜRICH"))
    assert [s.key for s in repo.search("zÜr", 10)] == ["Zürich"]
    with store.transaction() as work:
        work.smtp.insert(definition(name="Ωmega"))
    assert repo.get("ωMEGA").key == "Ωmega"


@pytest.mark.engines
def test_a_search_is_read_a_page_at_a_time_in_key_order(store) -> None:
    """The F4 list reads a page, then the next from where it stopped."""
    with store.transaction() as work:
        for n in (4, 0, 6, 2, 5, 1, 3):
            work.smtp.insert(definition(name=f"PPP{n}", mail_server=f"host{n}.example.com"))
        work.smtp.insert(definition(name="OTHER", mail_server="other.example.com"))
    pages = [[stored.key for stored in store.smtp.search("ppp", 3, skip)] for skip in (0, 3, 6, 9)]
    assert pages == [["PPP0", "PPP1", "PPP2"], ["PPP3", "PPP4", "PPP5"], ["PPP6"], []]
    assert [stored.key for stored in store.smtp.search("HOST6", 3)] == ["PPP6"]


#: Names and hosts whose folding or LIKE escaping a search could get wrong.
SEARCHED = [("Zürich", "mail.zu\u0308rich.example"), ("STRASSE", "a.example"), ("Straße-2", "b.example"),
            ("Ωmega", "c.example"), ("50%_OFF", "d.example"), ("back\\slash", "e.example"),
            ("OFFICE", "smtp.office365.com")]


@pytest.mark.engines
@pytest.mark.parametrize("text", ["", "zür", "ZU\u0308R", "strasse", "STRAẞE", "ω", "%", "_", "\\", "0%_", "o",
                                  " office ", "365.", "é"])
def test_the_look_up_lists_index_finds_what_the_search_finds(store, text: str) -> None:
    """An F4 list filters the rows Records.listing read, in memory, by the
    rule each engine's search follows (records.searched_for): the same
    records, in the same order, and the listed columns as stored."""
    from fincon_tui.services.lookup_index import LookupIndex

    with store.transaction() as work:
        for name, host in SEARCHED:
            work.smtp.insert(definition(name=name, mail_server=host))
    columns = ("name", "mail_server", "port", "use_tls")
    index = LookupIndex(store.smtp.listing(columns), len(columns))
    found = index.find(text, 0, 100)
    assert [key for key, _ in found] == [stored.key for stored in store.smtp.search(text, 100)]
    assert [key for key, _ in index.find(text, 1, 2)] == [stored.key for stored in store.smtp.search(text, 2, 1)]
    if text == "o":
        assert ("OFFICE", ("OFFICE", "smtp.office365.com", "587", "Y")) in found
        assert store.smtp.listing(columns, 2) == store.smtp.listing(columns)[:2]  # the first page, read first


def test_the_quick_check_and_the_migration_agree_on_the_application_id(db_path: Path) -> None:
    from fincon_tui.storage import checks
    from fincon_tui.storage.migrations import APPLICATION_ID

    assert checks.APPLICATION_ID == APPLICATION_ID
    open_database(db_path).close()
    assert int.from_bytes(db_path.read_bytes()[68:72], "big") == APPLICATION_ID


def test_m010_lets_a_users_login_method_follow_the_definition(db_path: Path) -> None:
    """Before m010 every user row held 'P', meaning nothing; after, NULL: the
    definition's method.  The table is rebuilt with its rows, index and triggers."""
    from sqlite_utils import Database

    old = Database(db_path)
    old.execute("PRAGMA foreign_keys = ON")
    migrations.apply(old, stop_before="m010_user_login_method_as_definition")
    now = "2026-11-20T10:00:00+00:00"
    old.execute("INSERT INTO smtp_settings (name, mail_server, authenticate, port, use_tls, timeout_seconds, "
                "created_at, updated_at) VALUES ('OWN', 'smtp.example.com', 'Y', 587, 'Y', 30, ?, ?)", [now, now])
    old.execute("INSERT INTO user_email_settings (user_code, smtp_name, smtp_username, sender_name, sender_email, "
                "created_at, updated_at, version, row_id) VALUES ('ALICE', 'own', 'alice', 'Alice', "
                "'alice@corp.example', ?, ?, 4, 'abc')", [now, now])
    old.conn.commit()
    before = {row[0] for row in old.execute("SELECT name FROM sqlite_master WHERE sql LIKE '%user_email_settings%'")}
    old.close()
    db = open_database(db_path)
    row = dict(next(db.utils["user_email_settings"].rows))
    assert (row["login_method"], row["version"], row["row_id"], row["smtp_username"]) == (None, 4, "abc", "alice")
    assert {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE sql LIKE '%user_email_settings%'")} \
        == before | {f"user_email_settings_row_id{end}" for end in ("", "_insert", "_update")}  # m011's
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    with pytest.raises(sqlite3.IntegrityError, match="NULL or one of P, M, G"):  # m013's rule, then the CHECK
        db.execute("UPDATE user_email_settings SET login_method = 'X'")
    with pytest.raises(sqlite3.IntegrityError, match="one email address"):  # m006's rules still hold
        db.execute("UPDATE user_email_settings SET sender_email = 'nobody'")
    with pytest.raises(sqlite3.IntegrityError, match="users are linked"):
        db.execute("DELETE FROM smtp_settings")
    db.execute("UPDATE user_email_settings SET login_method = 'M'")
