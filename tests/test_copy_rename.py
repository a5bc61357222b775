"""Copy and rename in the services, and the lists' pages: real databases,
real sealed passwords, several connections for the other admin."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import definition, stored_password, user

from fincon_tui._exceptions import (
    FieldError,
    NothingToCopy,
    PasswordUnusable,
    RecordChanged,
    RecordExists,
    StorageError,
)
from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.domain.secret_kinds import SecretKind
from fincon_tui.keystore.vault import PasswordVault
from fincon_tui.services import work_lists
from fincon_tui.services.key_changes import copy, rename
from fincon_tui.services.smtp_settings import SmtpSettings
from fincon_tui.services.user_settings import UserSettings
from fincon_tui.storage.records import PageQuery
from fincon_tui.storage.store import open_store

pytestmark = pytest.mark.engines


@pytest.fixture
def smtp(store, vault) -> SmtpSettings:
    service = SmtpSettings(store, vault)
    service.save(definition(name="OFFICE", username="shared@corp.example"), PasswordChange.set("shared-pw"), None)
    service.save(definition(name="OWN", username=""), PasswordChange.keep(), None)
    return service


@pytest.fixture
def users(store, vault, smtp) -> UserSettings:
    service = UserSettings(store, vault)
    service.save(user("ALICE", "OFFICE", "alice"), PasswordChange.set("alice-pw"), None)
    service.save(user("BOB", "OFFICE"), PasswordChange.keep(), None)
    return service


def owners_of_secrets(store) -> list[tuple[str, str, str]]:
    return sorted((s.binding.owner.kind, s.binding.owner.key, s.name) for s in store.secrets.all_sealed())


def test_rename_moves_password_users_and_history_in_one_version(store, smtp, users) -> None:
    before = smtp.get("OFFICE")
    renamed = rename(smtp, "office", before, "MAIN")
    assert renamed.describe(smtp.kind) == (
        "SMTP definition OFFICE renamed to MAIN; its password and 2 linked users go with it")
    after = smtp.get("MAIN")
    assert (after.version, after.row_id, after.created_at) == (2, before.row_id, before.created_at)
    assert stored_password(store, "smtp:MAIN") == "shared-pw" and stored_password(store, "user:ALICE") == "alice-pw"
    assert owners_of_secrets(store) == [("smtp", "MAIN", "password"), ("user", "ALICE", "password")]
    assert [(u.key, u.record.smtp_name, u.version) for u in users.search("", 10)] == [
        ("ALICE", "MAIN", 2), ("BOB", "MAIN", 2)]
    assert [e.verb for e in smtp.history("MAIN")] == ["rename", "create"] and smtp.history("OFFICE") == []
    if store.engine == "SQLite":  # PostgreSQL checks its foreign keys at commit itself
        assert store.db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_a_later_record_of_the_old_name_keeps_its_own_history(smtp) -> None:
    rename(smtp, "OFFICE", smtp.get("OFFICE"), "MAIN")
    smtp.save(definition(name="OFFICE", username=""), PasswordChange.keep(), None)
    assert [e.action for e in smtp.history("OFFICE")] == ["create"]
    assert [e.verb for e in smtp.history("MAIN")] == ["rename", "create"]
    smtp.delete("OFFICE", smtp.get("OFFICE"))
    smtp.save(definition(name="OFFICE", username=""), PasswordChange.keep(), None)
    rename(smtp, "OFFICE", smtp.get("OFFICE"), "THIRD")  # takes only the entries since the delete
    assert [e.verb for e in smtp.history("THIRD")] == ["rename", "create"]


def test_a_change_of_letter_case_is_a_rename(store, smtp, users) -> None:
    rename(smtp, "OFFICE", smtp.get("OFFICE"), "Office")
    assert smtp.get("office").key == "Office" and stored_password(store, "smtp:Office") == "shared-pw"
    assert users.get("ALICE").record.smtp_name == "Office"
    assert [e.verb for e in smtp.history("Office")] == ["rename", "create"]
    with pytest.raises(FieldError, match="is Office already"):
        rename(smtp, "Office", smtp.get("Office"), "Office")


def test_rename_refuses_a_taken_key_a_bad_key_and_a_stale_version(store, db_location, vault, smtp) -> None:
    stored = smtp.get("OFFICE")
    with pytest.raises(RecordExists, match="SMTP definition OWN already exists"):
        rename(smtp, "OFFICE", stored, "own")
    with pytest.raises(FieldError) as bad:
        rename(smtp, "OFFICE", stored, " ")
    assert bad.value.field == "name"
    other_db = open_store(db_location)  # another admin's connection
    SmtpSettings(other_db, vault).save(
        definition(name="OFFICE", username="shared@corp.example", port=2525), PasswordChange.keep(), stored)
    other_db.close()
    with pytest.raises(RecordChanged) as stale:
        rename(smtp, "OFFICE", stored, "MAIN")
    assert stale.value.current.record.port == 2525
    assert smtp.get("MAIN") is None and stored_password(store, "smtp:OFFICE") == "shared-pw"
    assert store.bulk.counts()["audit_log"] == 3  # two creates and the other admin's update; nothing of the refusals


def test_a_user_rename_moves_their_own_password(store, users) -> None:
    rename(users, "alice", users.get("ALICE"), "alice.smith")
    assert users.get("ALICE") is None and stored_password(store, "user:ALICE.SMITH") == "alice-pw"
    assert users.history("ALICE.SMITH")[0].describe() == "user_code: ALICE -> ALICE.SMITH"


def test_a_password_made_unusable_outside_stays_unusable_after_a_rename(store, db, smtp) -> None:
    db.execute("UPDATE smtp_settings SET username = 'mallory' WHERE name = 'OFFICE'")
    db.conn.commit()
    rename(smtp, "OFFICE", smtp.get("OFFICE"), "MAIN")
    with pytest.raises(PasswordUnusable, match=r"saved for shared@corp\.example at smtp\.example\.com"):
        stored_password(store, "smtp:MAIN")


def test_a_password_still_in_an_old_keyring_stops_the_rename(db, smtp) -> None:
    db.execute("INSERT INTO legacy_passwords (owner_kind, owner_key, saved_by) VALUES ('smtp', 'OWN', 'anna')")
    db.conn.commit()
    with pytest.raises(StorageError, match="still in an older fincon-tui's keyring \\(anna's\\)"):
        rename(smtp, "OWN", smtp.get("OWN"), "MAIN")
    assert smtp.get("OWN") is not None


def test_copy_takes_the_password_only_when_asked(store, smtp) -> None:
    source = smtp.get("OFFICE").record
    copy(smtp, "OFFICE", definition(name="WITH", username="shared@corp.example", mail_server="smtp.b.example"),
         PasswordChange.keep(), True)
    copy(smtp, "OFFICE", definition(name="WITHOUT", username="shared@corp.example"), PasswordChange.keep(), False)
    copy(smtp, "OFFICE", definition(name="TYPED", username="other"), PasswordChange.set("typed-pw"), True)
    assert stored_password(store, "smtp:WITH") == "shared-pw"
    assert store.secrets.get(smtp.owner("WITH")).binding.server == "smtp.b.example"
    assert stored_password(store, "smtp:WITHOUT") is None and stored_password(store, "smtp:TYPED") == "typed-pw"
    assert smtp.get("OFFICE").record == source and stored_password(store, "smtp:OFFICE") == "shared-pw"
    [entry] = smtp.history("WITH")
    assert entry.changes["copied_from"] == [None, "OFFICE"] and entry.changes["password"] == "password changed"
    with pytest.raises(RecordExists):
        copy(smtp, "OFFICE", definition(name="with"), PasswordChange.keep(), False)


def test_copy_of_a_password_gone_meanwhile_writes_nothing(smtp) -> None:
    smtp.save(definition(name="OFFICE", username="shared@corp.example"), PasswordChange.clear(), smtp.get("OFFICE"))
    with pytest.raises(NothingToCopy, match="has no stored password or client secret to copy now"):
        copy(smtp, "OFFICE", definition(name="COPY", username="shared@corp.example"), PasswordChange.keep(), True)
    assert smtp.get("COPY") is None


@settings(max_examples=25, deadline=None)
@given(count=st.integers(0, 30), size=st.integers(1, 8), start=st.text("ABCDEFGHXYZ0123456789", max_size=3))
def test_pages_cover_the_table_in_order_forwards_and_back(tmp_path_factory, count, size, start) -> None:
    store = open_store(tmp_path_factory.mktemp("pages") / "p.db")
    smtp = SmtpSettings(store, PasswordVault())
    keys = sorted(f"{'AbCdXz'[n % 6]}{n:02}" for n in range(count))
    for key in keys:
        smtp.save(definition(name=key, username=""), PasswordChange.keep(), None)
    ordered = sorted(keys, key=str.lower)
    page = store.smtp.page(PageQuery(start, size))
    after = [k for k in ordered if k.lower() >= start.lower()]
    expected = after[:size] if after else ordered[-size:]
    assert [s.key for s in page.rows] == expected
    seen, walk = [], store.smtp.page(PageQuery("", size))
    while True:  # forwards through everything
        seen += [s.key for s in walk.rows]
        if not walk.after:
            break
        walk = store.smtp.page(PageQuery(walk.rows[-1].key, size, "after"))
    assert seen == ordered
    back = []
    while walk.rows:  # and back again
        back = [s.key for s in walk.rows] + back
        if not walk.before:
            break
        walk = store.smtp.page(PageQuery(walk.rows[0].key, size, "before"))
    assert back[: len(ordered)] == ordered[: len(back)] and set(back) == set(ordered)
    store.close()


def test_list_rows_say_tls_login_and_linked_users(smtp, users) -> None:
    smtp.save(definition(name="SSL", username="", port=465), PasswordChange.keep(), None)
    smtp.save(definition(name="PLAIN", authenticate=False, username="", use_tls=False, port=25),
              PasswordChange.keep(), None)
    rows = work_lists.definitions(smtp, "", 10).rows
    assert [(r.key, r.server_port, r.tls, r.login, r.users) for r in rows] == [
        ("OFFICE", "smtp.example.com:587", "STARTTLS", "shared", 2),
        ("OWN", "smtp.example.com:587", "STARTTLS", "per user", 0),
        ("PLAIN", "smtp.example.com:25", "none", "none", 0),
        ("SSL", "smtp.example.com:465", "TLS", "per user", 0),
    ]
    users.save(user("CAROL", "OWN"), PasswordChange.keep(), None)
    assert [(r.key, r.login_used, r.can_send) for r in work_lists.users(users, "", 10).rows] == [
        ("ALICE", "own: alice", True), ("BOB", "shared: shared@corp.example", True),
        ("CAROL", "MISSING: own login", False),
    ]


def oauth(name: str = "M365", **overrides):
    values = dict(name=name, username="ann@contoso.example", login_method="M",
                  tenant="contoso.onmicrosoft.com", client_id="daemon")
    return definition(**{**values, **overrides})


def test_an_oauth_copy_takes_the_client_secret_never_the_sign_in(store, vault) -> None:
    smtp = SmtpSettings(store, vault)
    smtp.save(oauth(), PasswordChange.keep(), None, {"client_secret": PasswordChange.set("daemon-secret")})
    stored = smtp.get("M365")
    with store.transaction():
        smtp.passwords.put(smtp.binding(stored.record), SecretKind.REFRESH_TOKEN, "ann-refresh")
    copy(smtp, "M365", oauth("BRANCH"), PasswordChange.keep(), True)
    branch = smtp.passwords
    assert branch.get(smtp.owner("BRANCH"), SecretKind.CLIENT_SECRET) == "daemon-secret"
    assert branch.get(smtp.owner("BRANCH"), SecretKind.REFRESH_TOKEN) is None
    copy(smtp, "M365", oauth("TYPED"), PasswordChange.keep(), True, {"client_secret": PasswordChange.set("other")})
    copy(smtp, "M365", oauth("NONE"), PasswordChange.keep(), False)
    assert branch.get(smtp.owner("TYPED"), SecretKind.CLIENT_SECRET) == "other"
    assert not any(branch.has(smtp.owner("NONE"), kind)
                   for kind in (SecretKind.CLIENT_SECRET, SecretKind.REFRESH_TOKEN))
    [entry] = smtp.history("BRANCH")
    assert entry.describe().endswith("client_secret: copied from M365")  # as F9 shows it
    assert smtp.history("M365")[0].describe().endswith("client_secret: secret changed")


def test_a_rename_moves_every_secret_of_the_record(store, vault) -> None:
    smtp = SmtpSettings(store, vault)
    smtp.save(oauth(), PasswordChange.keep(), None, {"client_secret": PasswordChange.set("daemon-secret")})
    with store.transaction():
        smtp.passwords.put(smtp.binding(smtp.get("M365").record), SecretKind.REFRESH_TOKEN, "ann-refresh")
    rename(smtp, "M365", smtp.get("M365"), "MAIL")
    assert owners_of_secrets(store) == [("smtp", "MAIL", "client_secret"), ("smtp", "MAIL", "refresh_token")]
    assert smtp.passwords.get(smtp.owner("MAIL"), SecretKind.REFRESH_TOKEN) == "ann-refresh"
