"""SMTP Names are one name when the app's folding says so (NFC, then
casefold: 'ZÜRICH' and a decomposed 'zürich', 'STRASSE' and 'Straße'), on
both engines, held by the database itself: `smtp_settings.name_folded`
under a unique index (SQLite since m016, PostgreSQL since m001), so two
admins creating one name at the same moment get one definition."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from processes import popen
from support import definition

from fincon_tui._exceptions import RecordExists
from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.services.smtp_settings import SmtpSettings

pytestmark = pytest.mark.engines

PAIRS = [("ZÜRICH", "zu\u0308rich"), ("STRASSE", "Straße")]


@pytest.mark.parametrize(("first", "second"), PAIRS)
def test_names_that_fold_alike_are_one_definition(store, vault, first: str, second: str) -> None:
    smtp = SmtpSettings(store, vault)
    smtp.save(definition(name=first), PasswordChange.keep(), None)
    assert smtp.get(second).key == first
    with pytest.raises(RecordExists), store.transaction():
        store.smtp.insert(definition(name=second))
    other = smtp.save(definition(name="OTHER"), PasswordChange.keep(), None)
    with pytest.raises(RecordExists), store.transaction():
        store.smtp.rename(store.smtp.current("OTHER", other), second)
    with store.transaction():  # its own name in another spelling: the same record, renamed
        store.smtp.rename(store.smtp.current(first, 1), second)
    assert smtp.get(first).key == second and [s.key for s in smtp.search(first, 10)] == [second]


#: A CLI process that says on stderr when its save starts waiting for the write lock.
RACER = """
import sys
from fincon_tui.storage.waiting import WAITING, Waiting
said = []
def report(seconds):
    if not said:
        said.append(seconds)
        print("racer: waiting", file=sys.stderr, flush=True)
WAITING.set(Waiting(report=report))
from fincon_tui.cli.entry import main
sys.exit(main(sys.argv[1:]))
"""


@contextmanager
def write_lock_held(engine: str, location: Path | str) -> Iterator[None]:
    """Another admin's save in progress: the engine's write lock, held."""
    if engine == "sqlite":
        other = sqlite3.connect(location, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    import psycopg

    from fincon_tui.storage.postgres.locks import WRITE_LOCK

    with psycopg.connect(str(location), autocommit=True) as other:
        other.execute("BEGIN")
        other.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])
        yield
        other.execute("ROLLBACK")


def test_two_admins_creating_office_and_OFFICE_at_once_make_one(engine, store, db_location) -> None:
    """Both processes find no OFFICE, then queue for the write lock: the
    first creates it, the second is told it was created meanwhile."""
    with write_lock_held(engine, db_location):
        racers = [
            popen([sys.executable, "-c", RACER, "--db", str(db_location), "smtp", "set", name,
                   "--mail-server", f"smtp.{name.lower()}.example"],
                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
            for name in ("OFFICE", "office")
        ]
        for racer in racers:  # each has read that there is none, and waits to write
            assert racer.stderr.readline() == "racer: waiting\n", racer.communicate(timeout=60)
    done = [(racer.wait(60), racer.stdout.read(), racer.stderr.read()) for racer in racers]
    assert sorted(status for status, _, _ in done) == [0, 2], done
    (won,) = [name for (status, _, _), name in zip(done, ("OFFICE", "office"), strict=True) if status == 0]
    (lost,) = [(name, err) for (status, _, err), name in zip(done, ("OFFICE", "office"), strict=True) if status]
    assert lost[1] == (f"fincon-tui: SMTP definition {lost[0]} refused: it was created by another user meanwhile: "
                       "run it again\n")
    assert [s.key for s in store.smtp.search("office", 10)] == [won]
    assert store.smtp.get(lost[0]).record.mail_server == f"smtp.{won.lower()}.example"


ROW = dict(mail_server="smtp.example.com", authenticate="N", username=None, port=25, use_tls="N", timeout_seconds=30,
           bcc=None, created_at="2026-12-07T00:00:00+00:00", updated_at="2026-12-07T00:00:00+00:00", version=1)


def insert_row(db, name: str) -> None:
    db.execute(f"INSERT INTO smtp_settings (name, {', '.join(ROW)}) VALUES (?, {', '.join('?' for _ in ROW)})",
               [name, *ROW.values()])


def test_the_sqlite_file_itself_refuses_a_second_spelling_of_a_name(db) -> None:
    """Past the app's own check: another tool's row, and a name the app
    folds that SQLite's NOCASE does not ('Straße')."""
    store_row = dict(ROW, name="Straße", name_folded="strasse")
    db.execute(f"INSERT INTO smtp_settings ({', '.join(store_row)}) VALUES ({', '.join('?' for _ in store_row)})",
               list(store_row.values()))
    with pytest.raises(sqlite3.IntegrityError, match="name_folded"):
        insert_row(db, "STRASSE")  # another tool's ASCII name gets its fold from a trigger
    insert_row(db, "Genf")
    db.execute("UPDATE smtp_settings SET name = 'Zürich' WHERE name = 'Genf'")  # a tool's rename, fold left out
    assert db.execute("SELECT name_folded FROM smtp_settings WHERE name = 'Zürich'").fetchone() == (None,)
    db.execute("UPDATE smtp_settings SET name = 'Bern' WHERE name = 'Zürich'")
    assert db.execute("SELECT name_folded FROM smtp_settings WHERE name = 'Bern'").fetchone() == ("bern",)


def test_names_stored_twice_before_m016_stay_and_the_second_needs_attention(db_path: Path, vault, capsys) -> None:
    from sqlite_utils import Database

    from fincon_tui.cli.entry import main
    from fincon_tui.storage.migrations import migrations
    from fincon_tui.storage.store import open_store

    old = Database(db_path)
    migrations.apply(old, stop_before="m016_name_folded")
    for name in ("Zürich", "ZÜRICH", "Genf"):  # NOCASE let another tool store both
        insert_row(old, name)
    old.conn.commit()
    old.close()
    assert main(["--db", str(db_path), "init"]) == 0  # the upgrade does not fail on them
    assert main(["--db", str(db_path), "smtp", "list"]) == 0
    listed = capsys.readouterr().out
    assert "! ZÜRICH needs attention: SMTP Name Zürich has the same name ignoring case: rename one of them" in listed
    assert "! Zürich" not in listed and "! Genf" not in listed
    store = open_store(db_path)
    try:
        smtp = SmtpSettings(store, vault)
        assert smtp.get("zürich").key == "Zürich" and smtp.get("ZÜRICH").key == "ZÜRICH"
        assert smtp.load("Zürich").attention is None
        with store.transaction():
            store.smtp.rename(store.smtp.current("ZÜRICH", 1), "ZÜRICH NORD")
        assert smtp.load("ZÜRICH NORD").attention is None
        assert store.db.execute("SELECT name_folded FROM smtp_settings WHERE name = 'ZÜRICH NORD'").fetchone() == (
            "zürich nord",)
    finally:
        store.close()
