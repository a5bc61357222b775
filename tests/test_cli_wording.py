"""What the command line says (issue 22): the command that creates a
database, a dry run's "would", records shown as the forms show them, what
goes with a rename, a blank key, the exit status of a missing key, and a
synopsis that names every command.  The installed command, real databases."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from oauth_fixtures import microsoft
from support import definition, user

from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.domain.secret_kinds import SecretKind
from fincon_tui.services.smtp_settings import SmtpSettings
from fincon_tui.services.user_settings import UserSettings

CLI_REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
KEEP = PasswordChange.keep()
SETUP = {
    "format": 1,
    "smtp_definitions": [{"name": "OFFICE", "mail_server": "smtp.example.com", "username": "office@corp.example",
                          "password_stored": True}],
    "users": [{"user_code": "ALICE", "smtp_name": "OFFICE", "sender_name": "Alice",
               "sender_email": "alice@corp.example"}],
}


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A database path that needs quoting in a shell."""
    return tmp_path / "new db's.db"


def init_command(db_path: Path) -> str:
    return f"fincon-tui --db {shlex.quote(str(db_path))} init"


def test_a_reading_command_names_the_init_command_that_creates_the_database(fincon, db_path: Path) -> None:
    listed = fincon("smtp", "list")
    assert listed.returncode == 2
    assert listed.stderr == (f"fincon-tui: there is no database at {db_path} yet: "
                             f"create it with `{init_command(db_path)}`\n")
    assert not db_path.exists()
    db_path.touch()  # an empty file, as `touch` or another tool leaves it
    empty = fincon("user", "show", "ALICE")
    assert empty.stderr == (f"fincon-tui: {db_path} holds no fincon-tui database yet: "
                            f"create it with `{init_command(db_path)}`\n")
    assert db_path.read_bytes() == b""
    created = fincon("init")
    assert created.returncode == 0, created.stderr
    assert fincon("smtp", "list").returncode == 0


def test_an_older_database_names_the_init_command_that_upgrades_it(fincon, db, db_path: Path) -> None:
    db.execute("DELETE FROM _sqlite_migrations WHERE rowid = (SELECT max(rowid) FROM _sqlite_migrations)")
    db.conn.commit()
    older = fincon("key", "status")
    assert older.returncode == 2
    assert older.stderr == (f"fincon-tui: {db_path} was written by an older fincon-tui: "
                            f"upgrade it with `{init_command(db_path)}`\n")


def test_without_db_the_init_command_needs_none(tmp_path: Path) -> None:
    """The default database (in the user data folder) is created by a bare `fincon-tui init`."""
    from fincon_tui.paths import database_path

    result = subprocess.run([str(Path(sys.executable).parent / "fincon-tui"), "export"], capture_output=True,
                            text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.stderr == (f"fincon-tui: there is no database at {database_path(None)} yet: "
                             "create it with `fincon-tui init`\n")


def test_a_dry_run_on_a_missing_database_checks_against_an_empty_one(fincon, db_path: Path, tmp_path: Path) -> None:
    setup = tmp_path / "setup.json"
    setup.write_text(json.dumps(SETUP))
    dry = fincon("import", str(setup), "--dry-run", "--detailed-exitcode")
    assert dry.returncode == 3, dry.stderr
    assert dry.stdout.splitlines() == [
        "SMTP definition OFFICE would be created: no password here yet: "
        "fincon-tui smtp set OFFICE --password-stdin",
        "User email settings ALICE would be created",
        f"2 would be created; dry run against an empty database (there is none at {db_path} yet): "
        "nothing was written",
    ]
    assert dry.stderr == ""
    assert not [path for path in tmp_path.iterdir() if path.name.startswith(db_path.name)]  # nor -wal, -shm


def test_a_dry_run_summary_says_would(fincon, store, db, vault, tmp_path: Path) -> None:
    SmtpSettings(store, vault).save(definition(name="OFFICE", username="office@corp.example"), KEEP, None)
    setup = tmp_path / "setup.json"
    setup.write_text(json.dumps({**SETUP, "smtp_definitions": [{"name": "OFFICE", "port": 2525}]}))
    dry = fincon("import", str(setup), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines() == [
        "SMTP definition OFFICE would be changed: port: 587 -> 2525",
        "User email settings ALICE would be created",
        "1 would be changed, 1 would be created; dry run: nothing was written",
    ]
    assert db["user_email_settings"].count == 0


PYTHON_VALUES = re.compile(r"\b(None|True|False)\b|\{\}|\{'")


@pytest.mark.engines  # what the store holds, as the command says it
def test_show_prints_values_as_the_forms_do(fincon, store, vault) -> None:
    smtp, users = SmtpSettings(store, vault), UserSettings(store, vault)
    smtp.save(definition(name="OFFICE", username="office@corp.example"), PasswordChange.set("pw"), None)
    smtp.save(microsoft(587), KEEP, None, {"client_secret": PasswordChange.set("s", "2027-03-01T00:00:00+00:00")})
    users.save(user("ALICE", "OFFICE"), KEEP, None)
    said = {}
    for argv in (("smtp", "show", "OFFICE"), ("smtp", "show", "M365"), ("user", "show", "ALICE")):
        shown = fincon(*argv)
        assert shown.returncode == 0, shown.stderr
        assert not PYTHON_VALUES.search(shown.stdout), shown.stdout
        assert all(line == line.rstrip() for line in shown.stdout.splitlines())
        said[argv[2]] = dict(line.split(None, 1) if " " in line else (line, "") for line in shown.stdout.splitlines())
    lines, m365 = said["OFFICE"], said["M365"]
    assert (lines["authenticate"], lines["use_tls"], lines["password_stored"]) == ("Y", "Y", "Y")
    assert lines["needs_attention"] == lines["password_problem"] == lines["expires"] == "—"
    assert lines["bcc"] == ""
    assert m365["password_stored"] == "N"
    assert m365["expires"] == "client_secret: 2027-03-01T00:00:00+00:00"
    as_json = json.loads(fincon("smtp", "show", "OFFICE", "--json").stdout)
    assert as_json["password_stored"] is True and as_json["needs_attention"] is None  # JSON keeps its types


def test_rename_names_the_secrets_that_go_with_it(fincon, store, vault) -> None:
    smtp, users = SmtpSettings(store, vault), UserSettings(store, vault)
    smtp.save(microsoft(587), KEEP, None)  # a delegated login: only a sign-in
    smtp.save(microsoft(587, name="APP", client_id="daemon"), PasswordChange.set("pw"), None,
              {"client_secret": PasswordChange.set("secret")})
    users.save(user("ANN", "M365", "ann@contoso.example"), KEEP, None)
    with store.transaction():
        smtp.passwords.put(smtp.binding(smtp.get("M365").record), SecretKind.REFRESH_TOKEN, "rt")
    signed_in = fincon("smtp", "rename", "M365", "MAIL")
    app_only = fincon("smtp", "rename", "APP", "DAEMON")
    bare = fincon("user", "rename", "ANN", "ANNE")
    assert signed_in.stdout == "SMTP definition M365 renamed to MAIL; its sign-in and 1 linked user go with it\n"
    assert app_only.stdout == "SMTP definition APP renamed to DAEMON; its password and client secret go with it\n"
    assert bare.stdout == "User email settings ANN renamed to ANNE\n"
    helped = " ".join(fincon("smtp", "--help").stdout.split())
    assert "rename give a definition a new NAME: its stored secrets (password, client secret, sign-in" in helped


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (("smtp", "set", ""), 'fincon-tui: SMTP definition "" refused: SMTP Name is required'),
        (("smtp", "set", " ", "--mail-server", "x.example"),
         'fincon-tui: SMTP definition "" refused: SMTP Name is required'),
        (("smtp", "show", ""), 'fincon-tui: SMTP definition "" does not exist'),
        (("smtp", "test", ""), 'fincon-tui: SMTP definition "" does not exist'),
        (("user", "show", ""), 'fincon-tui: User email settings "" do not exist'),
        (("user", "copy", "", "BOB"), 'fincon-tui: User email settings "" refused: does not exist'),
        (("smtp", "rename", "", "NEW"), 'fincon-tui: SMTP definition "" refused: does not exist'),
    ],
)
def test_a_blank_key_is_quoted_with_the_reason(fincon, store, argv, said: str) -> None:
    result = fincon(*argv)
    assert result.returncode == 2
    assert result.stderr.startswith(said), result.stderr
    assert "  " not in result.stderr


def test_delete_of_a_blank_key_says_so(fincon, store) -> None:
    result = fincon("smtp", "delete", "")
    assert (result.returncode, result.stdout) == (0, 'SMTP definition "" unchanged: does not exist\n')


def exit_statuses() -> dict[int, str]:
    """The CLI reference's table of exit statuses: status -> meaning."""
    rows = re.findall(r"^\| (\d+) \| (.+) \|$", CLI_REFERENCE.read_text(), re.MULTILINE)
    return {int(status): meaning for status, meaning in rows}


def test_a_missing_key_exits_as_the_cli_reference_says(fincon, store, vault, tmp_path: Path, monkeypatch) -> None:
    """`key status` checks the key: missing, the check failed (1).  Every
    other command needs it and cannot run without it (2), as with a missing login."""
    from keyring_backends import ENV

    SmtpSettings(store, vault).save(definition(name="OFFICE"), PasswordChange.set("pw"), None)
    monkeypatch.setenv(ENV, str(tmp_path / "another-keyring.json"))
    status = fincon("key", "status")
    tested = fincon("smtp", "test", "OFFICE")
    assert status.returncode == 1 and "no such key" in status.stdout
    assert tested.returncode == 2 and "no such key" in tested.stderr
    table = exit_statuses()
    assert "`key status` finds the key missing" in table[1]
    assert "the key missing" in table[2]


def leaf_commands() -> list[str]:
    """Every command of the parser, as typed: 'smtp list', 'key status', 'init'."""
    from fincon_tui.cli.entry import build_parser

    def walk(parser, words: list[str]):
        found = [action for action in parser._actions if isinstance(action.choices, dict)]  # noqa: SLF001
        if not found:
            yield " ".join(words)
        for action in found:
            for name, command in action.choices.items():
                yield from walk(command, [*words, name])

    return list(walk(build_parser(), []))


def test_every_command_is_in_the_synopsis_of_help(fincon) -> None:
    """(The CLI reference names them too: test_docs.)"""
    commands = leaf_commands()
    assert {"init", "key status", "key rotate", "smtp list", "user sign-in", "import"} <= set(commands)
    helped = fincon("--help")
    assert helped.returncode == 0
    synopsis = helped.stdout.split("\ncommands (each takes --help):\n", 1)[1]
    for command in commands:
        assert re.search(rf"^  fincon-tui {command}\b", synopsis, re.MULTILINE), command


def test_a_sign_in_without_the_key_is_one_line_and_status_2(fincon, store, vault, idp, tmp_path: Path,
                                                            monkeypatch) -> None:
    """The sign-in worked but its refresh token cannot be sealed: this
    account has no key for the database's passwords."""
    from keyring_backends import ENV
    from oauth_server import approve_when_asked

    smtp = SmtpSettings(store, vault)
    smtp.save(definition(name="OFFICE"), PasswordChange.set("pw"), None)  # the database's key is made
    smtp.save(microsoft(587), KEEP, None)
    monkeypatch.setenv(ENV, str(tmp_path / "another-keyring.json"))
    approve_when_asked(idp, "ann@contoso.example")
    result = fincon("smtp", "sign-in", "M365")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1].startswith("fincon-tui: the passwords of this database were saved with key")
    assert "Traceback" not in result.stderr
    assert not smtp.passwords.has(smtp.owner("M365"), SecretKind.REFRESH_TOKEN)
