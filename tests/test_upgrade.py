"""A database and keyrings written by the previous version (passwords in
each admin's keyring, a password journal) are upgraded without loss."""

from __future__ import annotations

import json
import sqlite3

import keyring
from keyring.backends import fail
from keyring_backends import FileKeyring
from sqlite_utils import Database
from support import keyring_entries, stored_password

from fincon_tui.domain.password_binding import smtp_owner
from fincon_tui.keystore.vault import PasswordVault
from fincon_tui.services.data_keys import adopt_legacy, legacy_message
from fincon_tui.services.sealed_passwords import Passwords
from fincon_tui.storage.migrations import migrations
from fincon_tui.storage.store import open_store

NOW = "2026-11-20T10:00:00+00:00"


ME = __import__("fincon_tui.storage.audit", fromlist=["who"]).who()  # this process's real account


def old_database(path) -> None:
    """What fincon-tui 0.x left: rows, audit entries and a journal.  The
    passwords of OFFICE, STAGED, CLEARED and ALICE were saved by this
    account (ME), that of BENS by ben."""
    db = Database(sqlite3.connect(path))
    migrations.apply(db, stop_before="m005_encrypted_passwords")
    for name, username in (("OFFICE", "bob"), ("STAGED", "carol"), ("CLEARED", "dave"),
                           ("BENS", "ben-login"), ("OLDEST", "eve"), ("NOLOGIN", None)):
        db["smtp_settings"].insert(dict(
            name=name, mail_server="smtp.example.com", authenticate="Y", username=username, port=587,
            use_tls="Y", timeout_seconds=30, bcc=None, created_at=NOW, updated_at=NOW, version=1))
    db["user_email_settings"].insert(dict(
        user_code="ALICE", smtp_name="OFFICE", smtp_username="alice", sender_name="Alice",
        sender_email="alice@corp.example", created_at=NOW, updated_at=NOW, version=1))
    def audit(key: str, who: str, password: bool, kind: str = "SMTP definition") -> None:
        changes = {"port": [None, 587], **({"password": "password changed"} if password else {})}
        db["audit_log"].insert(dict(at=NOW, who=who, kind=kind, record_key=key, action="create",
                                    changes=json.dumps(changes)))
    for key in ("OFFICE", "STAGED", "CLEARED"):
        audit(key, ME, True)
    audit("BENS", "ben", True)
    audit("ALICE", ME, True, "User email settings")
    # OLDEST has no audit entry: saved before the audit trail existed.
    db["password_journal"].insert_all([
        dict(token="t-staged", account="smtp:STAGED", action="set", state="committed", owner="h:1", created_at=NOW),
        dict(token="t-clear", account="smtp:CLEARED", action="clear", state="committed", owner="h:2", created_at=NOW),
        # Rows in odd shapes that used to stop every start:
        dict(token="t-odd", account=None, action="set", state="prepared", owner="h:not-a-pid",
             created_at="2026-11-20 10:00:00"),
    ])
    db.conn.commit()
    db.close()


def test_upgrade_moves_this_admins_passwords_and_counts_the_others(db_path) -> None:
    old_database(db_path)
    for account, password in (("smtp:OFFICE", "office-pw"), ("smtp:STAGED", "stale-pw"),
                              ("staged:t-staged", "staged-pw"), ("smtp:CLEARED", "cleared-pw"),
                              ("user:ALICE", "alice-pw"), ("smtp:OLDEST", "eve-pw")):
        keyring.set_password("fincon-tui", account, password)
    store = open_store(db_path)
    db = store.db
    assert "password_journal" not in db.table_names()
    passwords = Passwords(store, PasswordVault())
    assert passwords.get(smtp_owner("OFFICE")) == "office-pw"  # readable before it moves, too
    adopted = adopt_legacy(passwords)
    assert adopted.moved == 4 and adopted.left == {"ben": 1}
    assert "1 password saved by an older fincon-tui is still in another admin's keyring (ben: 1)" in (
        legacy_message(adopted))
    assert stored_password(store, "smtp:OFFICE") == "office-pw"
    assert stored_password(store, "smtp:STAGED") == "staged-pw"  # the journal's committed change wins
    assert stored_password(store, "smtp:OLDEST") == "eve-pw"
    assert stored_password(store, "user:ALICE") == "alice-pw"
    assert stored_password(store, "smtp:CLEARED") is None
    # Moved entries are gone from the keyring; the one the journal had cleared is never read.
    assert {name for name in keyring_entries() if not name.startswith("key:")} == {"smtp:CLEARED"}
    # Ben's turn: his keyring holds his password; then nothing is left anywhere.
    # (Who runs is the real uid; a test cannot switch it, so Ben's entry is
    # pointed at this account, which then plays Ben.)
    keyring.set_password("fincon-tui", "smtp:BENS", "ben-pw")
    db.execute("UPDATE legacy_passwords SET saved_by = ? WHERE owner_key = 'BENS'", [ME])
    again = adopt_legacy(Passwords(store, PasswordVault()))
    assert (again.moved, again.left) == (1, {})
    assert stored_password(store, "smtp:BENS") == "ben-pw"


def test_a_headless_admin_counts_what_waits_in_keyrings(db_path) -> None:
    old_database(db_path)
    keyring.set_keyring(fail.Keyring())
    passwords = Passwords(open_store(db_path), PasswordVault())
    adopted = adopt_legacy(passwords)
    assert adopted.moved == 0 and sum(adopted.left.values()) == 5
    assert passwords.has(smtp_owner("BENS"))
    assert "let ben start fincon-tui once: the password of SMTP definition BENS was saved by an older " in (
        passwords.problem(smtp_owner("BENS")))
    keyring.set_keyring(FileKeyring())


async def test_the_app_started_on_an_upgraded_database_says_what_it_moved(db_path) -> None:
    """The note of what moved is shown on the message line of the first screen."""
    from support import until

    from fincon_tui.ui.app import FinconApp

    old_database(db_path)
    keyring.set_password("fincon-tui", "smtp:OFFICE", "office-pw")
    app = FinconApp(open_store(db_path), PasswordVault(), cursor_blink=False)
    async with app.run_test():
        await until(lambda: "Moved 1 " in str(app.screen.message.render()), "the note of the password moved")
