"""fincon-tuis starting at once on a database that does not exist yet, or
that an older version wrote: one creates or upgrades it, the others wait
for it, visibly, and find it done.

`make test` runs a short version; `make test-slow` runs the long one
(FINCON_STRESS_STARTS overrides its rounds).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from processes import popen
from sqlite_utils import Database

from fincon_tui.storage.migrations import migrations

#: A process that runs `fincon-tui --db PATH init` for each PATH it reads,
#: everything loaded beforehand, so that the starts meet in the database.
STARTER = r"""
import contextlib, io, json, sys
import fincon_tui.storage.constraints, fincon_tui.storage.database
from fincon_tui.cli.entry import main
print("ready", flush=True)
for line in sys.stdin:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["--db", line.strip(), "init"])
    print(json.dumps([status, out.getvalue(), err.getvalue()]), flush=True)
"""


def older_database(path: Path) -> None:
    """A database as the version before m011 left it, with a record."""
    db = Database(sqlite3.connect(path))
    db.enable_wal()
    migrations.apply(db, stop_before="m011_audit_by_record")
    db.execute("INSERT INTO smtp_settings (name, mail_server, authenticate, port, use_tls, timeout_seconds, "
               "created_at, updated_at, row_id) VALUES ('OFFICE', 'smtp.example.com', 'N', 25, 'N', 30, 'x', 'x', "
               "'0123456789abcdef')")
    db.conn.commit()
    db.close()


def start_together(tmp_path: Path, processes: int, rounds: int) -> None:
    """Each round, the processes open one new (or, every third round,
    older) database at the same moment; each must end well."""
    starters = [
        popen([sys.executable, "-c", STARTER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for _ in range(processes)
    ]
    try:
        assert [starter.stdout.readline() for starter in starters] == ["ready\n"] * processes  # type: ignore[union-attr]
        older = tmp_path / "older.db"
        older_database(older)
        for n in range(rounds):
            path = tmp_path / f"round-{n}.db"
            if n % 3 == 2:
                shutil.copy(older, path)
            for starter in starters:  # one write each: they start within microseconds
                starter.stdin.write(f"{path}\n")  # type: ignore[union-attr]
                starter.stdin.flush()  # type: ignore[union-attr]
            results = [json.loads(starter.stdout.readline()) for starter in starters]  # type: ignore[union-attr]
            assert all(status == 0 and "is up to date" in out for status, out, _ in results), (n, results)
            waits = [err for _, _, err in results if err]
            assert all(err == f"fincon-tui: another fincon-tui is creating or upgrading {path}: waiting for it...\n"
                       for err in waits), waits
            conn = sqlite3.connect(path)
            applied = [name for (name,) in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
            assert applied == migrations.names
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            conn.close()
    finally:
        for starter in starters:
            starter.stdin.close()  # type: ignore[union-attr]
            starter.wait(timeout=60)


def test_starts_at_once_short(tmp_path: Path) -> None:
    start_together(tmp_path, processes=2, rounds=6)


@pytest.mark.slow
def test_starts_at_once_long(tmp_path: Path) -> None:
    start_together(tmp_path, processes=4, rounds=int(os.environ.get("FINCON_STRESS_STARTS", "150")))


@pytest.fixture
def upgrading(db_path: Path):
    """An older database whose write lock another process holds, as one
    that is upgrading it does."""
    older_database(db_path)
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    yield other
    other.close()


def test_a_command_says_that_it_waits_then_finds_the_upgrade_done(db_path: Path, upgrading) -> None:
    command = popen(
        [str(Path(sys.executable).parent / "fincon-tui"), "--db", str(db_path), "init"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    said = command.stderr.readline()  # type: ignore[union-attr]
    assert said == f"fincon-tui: another fincon-tui is creating or upgrading {db_path}: waiting for it...\n"
    upgrading.execute("ROLLBACK")
    out, err = command.communicate(timeout=60)
    assert command.returncode == 0 and err == ""
    assert out == f"{db_path} holds fincon-tui's tables and is up to date\n"


async def test_the_app_shows_that_it_waits_and_keeps_answering(db_path: Path, upgrading, vault) -> None:
    from support import until

    from fincon_tui.storage.store import open_store
    from fincon_tui.ui.app import FinconApp
    from fincon_tui.ui.screens.help import HelpScreen

    app = FinconApp(lambda: open_store(db_path), vault, cursor_blink=False)
    async with app.run_test(size=(100, 24)) as pilot:
        menu = app.screen
        await until(lambda: "waiting" in menu.message.text, "the menu says the open waits")
        assert menu.message.text.startswith(
            "Opening the database… another fincon-tui is creating or upgrading it: waiting (")
        assert menu.message.text.endswith(f" s) – {app.key_label('quit')} to quit")
        await pilot.press("f1")  # the screen answers while the open waits
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert app.screen is menu and not app.typeahead.ready.is_set()
        upgrading.execute("ROLLBACK")
        await until(app.typeahead.ready.is_set, "the database opens once the upgrade is rolled back")
        assert menu.message.text == "" and app.startup_error == ""
    assert not migrations.pending(Database(db_path))  # brought up to date once the upgrade is rolled back
