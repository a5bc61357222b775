"""What the full-screen app loads (issue 26: start-up and memory against a
bare Textual app): started as `fincon-tui --db PATH` starts it on an
existing database, in a clean interpreter, at the main menu once the
database is open and this host noted, and with a new definition's SMTP form
open.  The libraries of the
actions not taken (a login test, a sign-in, a password, check --dns,
PostgreSQL, the command line's table) must not be among its modules; they
load where they are used.  One child process for both: an app start costs
about a second of CPU."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

#: Loaded by no screen until an action needs it, by module name prefix.
NEVER_AT_START = (
    "aiosmtplib", "smtplib", "cryptography", "msal", "google", "requests", "dns", "checkdmarc", "psycopg",
    "email_validator", "fincon_tui.mail", "fincon_tui.oauth", "fincon_tui.cli.table", "fincon_tui.cli.smtp",
    "fincon_tui.cli.check", "fincon_tui.storage.postgres", "fincon_tui.keystore.keyfile",
)
#: The windows a form opens on a key, loaded by that key: F4's look-up (its
#: list's widgets) and F2's sign-in (about 0.2 MiB traced, 5 modules; the form
#: declares its F4 columns with widgets/columns.py and signs in with
#: screens/signs_in.py).
ON_A_KEY = ("fincon_tui.ui.screens.lookup", "fincon_tui.ui.widgets.list_rows", "fincon_tui.ui.widgets.row_window",
            "fincon_tui.services.lookup_index", "fincon_tui.ui.screens.sign_in")
#: Nor the keyring, on a database without a key yet (no secret saved) and
#: without a key file (the form's line says the first secret saved makes the
#: key: sealed_passwords.Passwords.summary), or whose key is in a key file.
WITHOUT_A_KEY = ("keyring", "importlib_metadata")
#: sqlite-utils and what it imports whatever is used (about 70 modules, 5
#: MiB): a write or a schema step loads it (storage/connection.py), and
#: `secrets` (hashlib, hmac: 0.6 MiB) a new record's row_id
#: (records.new_row_id); not opening a database that is up to date, nor
#: reading it.
ON_WRITE = ("sqlite_utils", "click", "pluggy", "dateutil", "sqlite_fts4", "secrets", "hmac")

CHILD = r"""
import asyncio, json, sys
from fincon_tui.ui.app import FinconApp

async def settled(app):
    await app.typeahead.ready.wait()
    while any(w.group == "host" and not w.is_finished for w in app.workers) or not app.database.idle.is_set():
        await asyncio.sleep(0.01)

async def drive(app):
    loaded = {}
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app)
        loaded["menu"] = sorted(sys.modules)
        await pilot.press("1", "1", "1", *"OFFICE", "enter")
        while type(app.screen).__name__ != "ConfirmScreen":
            await pilot.pause()
        await pilot.press("y")
        while not (getattr(app.screen, "is_open", False) and str(app.screen.query_one("#store-info").render())):
            await pilot.pause()
        await settled(app)
        loaded["form"] = sorted(sys.modules)
        app.exit()
    print(json.dumps(loaded))

def run(self, **options):
    asyncio.run(drive(self))

FinconApp.run = run
from fincon_tui.cli import main
main(["--db", sys.argv[1]])
"""


def _matching(modules: list[str], prefixes: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes)]


def _loaded(db: Path, env: dict[str, str] | None = None) -> dict[str, list[str]]:
    """The modules of the app started on `db`, at the menu and with the form open."""
    result = subprocess.run([sys.executable, "-c", CHILD, str(db)], capture_output=True, text=True, timeout=120,
                            env=env)
    assert result.returncode == 0, result.stderr
    loaded: dict[str, list[str]] = json.loads(result.stdout.strip().splitlines()[-1])
    assert "fincon_tui.storage.sqlite.store" in loaded["menu"]  # the database is open: the check can fail
    assert "fincon_tui.ui.screens.smtp_settings" in loaded["form"]
    return loaded


def test_the_menu_and_the_smtp_form_load_no_library_of_an_action_not_taken(tmp_path: Path) -> None:
    from fincon_tui.storage.store import open_store

    open_store(tmp_path / "fincon.db").close()  # made by an earlier start: this one has no schema to write
    loaded = _loaded(tmp_path / "fincon.db")
    assert _matching(loaded["menu"], NEVER_AT_START + WITHOUT_A_KEY + ON_WRITE + ON_A_KEY) == []
    assert _matching(loaded["form"], NEVER_AT_START + WITHOUT_A_KEY + ON_WRITE + ON_A_KEY) == []


def test_a_server_whose_key_is_in_its_default_key_file_loads_no_keyring(tmp_path: Path) -> None:
    """No keyring backend (a server over SSH): a saved password's key is in
    the default key file, where the start finds it and the form's line
    names it, and the keyring is not asked first (keystore/vault.py find)."""
    import os

    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    db = tmp_path / "fincon.db"
    subprocess.run([sys.executable, "-m", "fincon_tui", "--db", str(db), "smtp", "set", "HQ", "--mail-server",
                    "smtp.example.com", "--username", "bob", "--password-stdin"], input="pw\n", text=True,
                   env=env, check=True, capture_output=True)
    assert list((tmp_path / "config" / "fincon-tui" / "keys").glob("*.key"))
    loaded = _loaded(db, env)
    unused = tuple(prefix for prefix in NEVER_AT_START if prefix != "fincon_tui.keystore.keyfile")  # it reads the key
    assert _matching(loaded["menu"], unused + WITHOUT_A_KEY + ON_WRITE) == []
    assert _matching(loaded["form"], unused + WITHOUT_A_KEY + ON_WRITE) == []
