"""`fincon-tui export` and `import`: the installed command, real databases."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
from cli_runner import run_cli
from support import audit_entries, definition

from fincon_tui.domain import smtp
from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.domain.users import UserEmailSettings
from fincon_tui.services.smtp_settings import SmtpSettings
from fincon_tui.services.user_settings import UserSettings
from fincon_tui.storage.store import open_store

#: Export and import run on both engines; that a reading command creates
#: no database is about SQLite's file.
pytestmark = pytest.mark.engines


@pytest.fixture
def new_location(engine: str, tmp_path: Path, request: pytest.FixtureRequest):
    """Makes another database of the test's engine, with the schema: a new
    file's path, or the URL of a new PostgreSQL database."""
    def made(name: str) -> Path | str:
        if engine == "sqlite":
            return tmp_path / f"{name}.db"
        server = request.getfixturevalue("postgres_server")
        database = server.new_database()
        request.addfinalizer(lambda: server.drop(database))
        return server.url(database)

    return made


def contents(store):
    with store.read() as reading:
        return reading.bulk.contents()


def fincon(db_path: Path | str, *args: str) -> subprocess.CompletedProcess:
    return run_cli(["--db", str(db_path), *args])


def seed(store, vault) -> None:
    """Definitions and users with every kind of value an export must carry."""
    smtp, users = SmtpSettings(store, vault), UserSettings(store, vault)
    smtp.save(definition(name="OFFICE", username="shared@corp.example", bcc="audit@corp.example"),
              PasswordChange.set("shared-pw"), None)
    smtp.save(definition(name="Zürich", username="", port=465), PasswordChange.keep(), None)
    smtp.save(definition(name="RELAY", authenticate=False, username="", port=25, use_tls=False),
              PasswordChange.keep(), None)
    users.save(UserEmailSettings("ALICE", "OFFICE", "alice", "Alice Smith", "alice@corp.example", "Accountant",
                                 "+44 20 7946 0000", ("a", "", "", "", "", "f")), PasswordChange.set("alice-pw"), None)
    users.save(UserEmailSettings("B.OB", "Zürich", "", 'Björn "Bob" Ek \\ 😀', "bob@corp.example"),
               PasswordChange.keep(), None)


def without_passwords(exported: str) -> str:
    """The export as it comes back from a database the file was imported
    into: passwords are never exported, so none is stored there."""
    return re.sub(r'(password_stored"?\s*[:=]\s*)true', r"\1false", exported)


def test_export_import_export_gives_the_same_file(tmp_path, store, db_location, new_location, vault) -> None:
    seed(store, vault)
    as_json, as_toml = fincon(db_location, "export"), fincon(db_location, "export", "--toml")
    assert as_json.returncode == as_toml.returncode == 0, as_json.stderr + as_toml.stderr
    assert json.loads(as_json.stdout) == tomllib.loads(as_toml.stdout)
    assert as_json.stdout.isascii() and as_toml.stdout.isascii()
    assert "-pw" not in as_json.stdout + as_toml.stdout
    exported = json.loads(as_json.stdout)
    assert [r["name"] for r in exported["smtp_definitions"]] == ["OFFICE", "RELAY", "Zürich"]
    assert exported["format"] == 1 and exported["smtp_definitions"][0] == {
        **{field.name: "" for field in smtp.DECLARED.stored},  # every declared field, empty when not set
        "name": "OFFICE", "mail_server": "smtp.example.com", "authenticate": "Y", "username": "shared@corp.example",
        "port": 587, "use_tls": "Y", "timeout_seconds": 30, "bcc": "audit@corp.example",
        "login_method": "P", "password_stored": True,
    }
    assert [(r["user_code"], r["password_stored"]) for r in exported["users"]] == [("ALICE", True), ("B.OB", False)]
    for form, text in (("json", as_json.stdout), ("toml", as_toml.stdout)):
        (tmp_path / f"setup.{form}").write_text(text)
        target = new_location(f"empty-{form}")
        imported = fincon(target, "import", str(tmp_path / f"setup.{form}"), "--detailed-exitcode")
        again = fincon(target, "import", str(tmp_path / f"setup.{form}"), "--detailed-exitcode")
        exported = fincon(target, "export", f"--{form}")
        assert imported.returncode == 3, imported.stdout + imported.stderr
        assert imported.stdout.splitlines()[-1] == "5 created"
        assert [line for line in imported.stdout.splitlines() if "password" in line] == [
            "SMTP definition OFFICE created: no password here yet: fincon-tui smtp set OFFICE --password-stdin",
            "User email settings ALICE created: no password here yet: fincon-tui user set ALICE --password-stdin",
        ]
        assert again.returncode == 0 and again.stdout.splitlines()[-1] == "5 unchanged"
        assert exported.stdout == without_passwords(text)
        imported_into = open_store(target)
        assert len(audit_entries(imported_into)) == 5  # the second import wrote none
        imported_into.close()


SETUP = """\
[[smtp_definitions]]
name = "OFFICE"
port = 2525

[[smtp_definitions]]
name = "NEW"
mail_server = "mail.example.org"
username = "new@example.org"

[[smtp_definitions]]
name = "BAD"
mail_server = "smtp://mail.example.org"
timeout_seconds = 0

[[smtp_definitions]]
name = "new"
port = 25

[[smtp_definitions]]
name = "SECRET"
mail_server = "mail.example.org"
password = "hunter2"

[[users]]
user_code = "alice"
smtp_name = "new"
sender_name = "Alice Smith"
sender_email = "alice@corp.example"

[[users]]
user_code = "BOB"
smtp_name = "BAD"
sender_name = "Bob"
sender_email = "bob@corp.example"
"""

REPORT = [
    "SMTP definition OFFICE {changed}: port: 587 -> 2525",
    "SMTP definition NEW {created}",
    "SMTP definition BAD refused: Mail Server takes the host name only, without a scheme such as smtp://; "
    "Time Out (Seconds) must be from 1 to 300 (not 0)",
    "SMTP definition new refused: appears twice in the file",
    "SMTP definition SECRET refused: Password is never imported (export files hold none): "
    "set it with --password-stdin",
    "User email settings ALICE {created}",
    "User email settings BOB refused: SMTP Definition BAD does not exist",
]


def test_bad_rows_are_refused_alone_and_a_dry_run_writes_nothing(tmp_path, store, db_location, vault) -> None:
    SmtpSettings(store, vault).save(definition(name="OFFICE"), PasswordChange.keep(), None)
    (tmp_path / "setup.conf").write_text(SETUP)  # no extension: TOML by its content
    (tmp_path / "broken.json").write_text('{"users": [')
    before = contents(store)
    dry = fincon(db_location, "import", str(tmp_path / "setup.conf"), "--dry-run")
    after_dry = contents(store)
    done = fincon(db_location, "import", str(tmp_path / "setup.conf"), "--detailed-exitcode")
    broken = fincon(db_location, "import", str(tmp_path / "broken.json"))
    assert dry.returncode == 1 and after_dry == before
    assert dry.stdout.splitlines() == [
        line.format(changed="would be changed", created="would be created") for line in REPORT
    ] + ["1 would be changed, 2 would be created, 4 refused; dry run: nothing was written"]
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        line.format(changed="changed", created="created") for line in REPORT] + ["1 changed, 2 created, 4 refused"]
    assert "hunter2" not in dry.stdout + done.stdout
    assert [stored.key for stored in store.smtp.search("", 10)] == ["NEW", "OFFICE"]
    assert [(u.key, u.record.smtp_name) for u in store.users.search("", 10)] == [("ALICE", "NEW")]
    assert store.secrets.all_sealed() == [] and len(audit_entries(store)) == 4
    assert broken.returncode == 2
    assert broken.stderr.startswith(f"fincon-tui: {tmp_path / 'broken.json'} is not valid JSON: ")


def test_reading_commands_create_no_database(tmp_path) -> None:
    missing = tmp_path / "missing.db"
    (tmp_path / "empty.json").write_text("{}")
    for command in (["export"], ["user", "list"], ["user", "show", "ALICE"]):
        result = fincon(missing, *command)
        assert result.returncode == 2 and "there is no database at" in result.stderr, command
    dry = fincon(missing, "import", "--dry-run", str(tmp_path / "empty.json"))  # as against an empty one
    assert dry.returncode == 0 and "dry run against an empty database" in dry.stdout, dry.stderr
    assert not missing.exists()
