"""`fincon-tui db status`: the command in-process (cli.entry.main), on
both engines, and on databases it must describe without changing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from fincon_tui.cli.entry import main
from fincon_tui.services import db_status
from fincon_tui.storage.postgres.schema import STEPS
from fincon_tui.storage.store import open_store

pytestmark = pytest.mark.engines
#: This version's last schema step (the same name on both engines).
LATEST = STEPS[-1].name


def fincon(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_status_names_engine_location_versions_and_schema(capsys, store, engine) -> None:
    location = str(store.location)
    status, out, err = fincon(capsys, "--db", location, "db", "status")
    as_json = json.loads(fincon(capsys, "--db", location, "db", "status", "--json")[1])
    assert status == 0 and err == ""
    lines = dict(line.split(None, 1) if not line.startswith("Version") else ("Version", line[16:])
                 for line in out.split("\n\n")[0].splitlines())
    name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[engine]
    assert lines["Engine"] == name and lines["Location"] == location
    assert lines["Version"].startswith(f"{name} {as_json['server_version']} (")
    assert as_json["server_version"][:1].isdigit()
    assert lines["Schema"] == f"{LATEST} (current)"
    assert as_json["schema"] == {"applied": LATEST, "current": True, "latest": LATEST}
    assert (as_json["engine"], as_json["location"]) == (name, location)
    how = {"sqlite": "PRAGMA data_version polling every 0.5 s", "postgresql": "LISTEN/NOTIFY"}[engine]
    assert out.endswith(f"\n\nChange notices\n  Arrive by     {how}\n")
    assert as_json["change_notices"] == {"arrive_by": how}


def test_a_url_is_shown_without_its_password_parameters(capsys, pg_url) -> None:
    """libpq's `sslpassword` is a secret too: the location shown leaves it out."""
    with_secret = pg_url + "&sslpassword=hunter2"
    status, out, err = fincon(capsys, "--db", with_secret, "db", "status", "--json")
    assert status == 2 and "hunter2" not in out + err
    assert err.count("\n") == 1 and err.startswith("fincon-tui: the database URL ")


def test_an_older_schema_is_described_and_left_as_it_is(capsys, db_path: Path) -> None:
    from sqlite_utils import Database

    from fincon_tui.storage.migrations import migrations

    older = Database(db_path)
    migrations.apply(older, stop_before="m014_rules_on_every_python")
    older.close()
    before = db_path.read_bytes()
    status, out, err = fincon(capsys, "--db", str(db_path), "db", "status")
    assert status == 0, err
    assert (f"Schema          m013_rules_from_declaration (older than this version's {LATEST}: "
            f"upgrade it with `fincon-tui --db {db_path} init`)") in out
    assert db_path.read_bytes() == before
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT max(name) FROM _sqlite_migrations").fetchone() == ("m013_rules_from_declaration",)


def test_a_database_that_cannot_be_opened_is_one_line_and_status_2(capsys, tmp_path: Path, pg_empty_url) -> None:
    missing = tmp_path / "none.db"
    for where, expected in ((missing, f"there is no database at {missing} yet"),
                            (pg_empty_url, "holds no fincon-tui database yet")):
        status, out, err = fincon(capsys, "--db", str(where), "db", "status")
        assert status == 2 and out == "" and err.count("\n") == 1 and expected in err, err
    assert not missing.exists()


def test_a_section_added_by_another_concern_is_printed_and_in_json(capsys, store, monkeypatch) -> None:
    """Parts of the status after the first come from db_status.SECTIONS."""
    section = db_status.Section("notices", "How change notices arrive", (("By", "polling \x1b[31m"),),
                                {"by": "polling"})
    monkeypatch.setattr(db_status, "SECTIONS", [lambda _store: section, lambda _store: None])
    out = fincon(capsys, "--db", str(store.location), "db", "status")[1]
    as_json = json.loads(fincon(capsys, "--db", str(store.location), "db", "status", "--json")[1])
    assert out.endswith("\nHow change notices arrive\n  By            polling \\x1b[31m\n")
    assert as_json["notices"] == {"by": "polling"}


def test_status_reads_through_the_store_opened_read_only(store) -> None:
    """What the command prints is what the store says of itself."""
    reading = open_store(store.location, writable=False)
    report = db_status.status(reading)
    reading.close()
    assert report.schema_current and report.schema == store.info.schema_version()
