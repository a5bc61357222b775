"""The schema refuses what the domain refuses, for tools that write the
tables directly: every rule in storage/constraints.py is held against the
domain validator of its field, on fixed examples and on random text."""

from __future__ import annotations

import sqlite3
import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import open_form

from fincon_tui._exceptions import FieldError
from fincon_tui.domain import refused_characters, smtp, users
from fincon_tui.domain.value_rules import Email, Host, Text
from fincon_tui.storage.database import open_database
from fincon_tui.storage.field_rules import all_rules
from fincon_tui.storage.store import open_store

NOW = "2026-11-20T10:00:00+00:00"
SMTP_ROW = dict(name="OFFICE", mail_server="smtp.example.com", authenticate="Y", username="bob", port=587,
                use_tls="Y", timeout_seconds=30, bcc=None, created_at=NOW, updated_at=NOW, version=1)
USER_ROW = dict(user_code="ALICE", smtp_name="OFFICE", smtp_username=None, sender_name="Alice",
                sender_email="alice@corp.example", job_title=None, telephone=None, created_at=NOW,
                updated_at=NOW, version=1, **{f"user_defined_{n}": None for n in range(1, 7)})


DECLARED = {"smtp_settings": smtp.DECLARED, "user_email_settings": users.DECLARED}
RULES = all_rules()


HOSTILE = ["\x1b]2;x\x07", "a\nb", "tab\there", "rtl\u202eevil", "zero\u200bwidth", "del\x7f", "c1\x9bx"]
#: field -> (values the domain stores, raw values the domain refuses)
EXAMPLES: dict[str, tuple[list, list]] = {
    "name": (["Office 365", "Zürich relay", "[b]x[/b]"], ["", " padded", "x" * 41, *HOSTILE]),
    "mail_server": (["smtp.example.com", "bücher.example", "10.0.0.1", "2001:db8::1", "mail-1.corp.example"],
                    ["", "smtp://host", "host:587", "user@host", "a..b", "-smtp.example", "exa mple.com",
                     "Smtp.Example.com", "host.", "a/b", "under_score.example", *HOSTILE]),
    "username": ([None, "bob", "corp[/]mailer"], ["", " bob", "x" * 255, *HOSTILE]),
    "bcc": ([None, "audit@corp.example"], ["", "Archive <evil@example.com>", "a@b@c.example", "a b@c.example",
                                           "a,b@c.example", "nodomain@", "@corp.example", "x@nodot", *HOSTILE]),
    "smtp_name": (["OFFICE", "office"], ["NOPE"]),
    "smtp_username": ([None, "alice"], ["", *HOSTILE]),
    "sender_name": (["Sales [/] Support"], ["", "x" * 61, *HOSTILE]),
    "sender_email": (["sales@corp.example"], ["", "Sales <sales@corp.example>", *HOSTILE]),
    "job_title": ([None, "Accountant"], ["", "x" * 61, *HOSTILE]),
    "telephone": ([None, "+27 21 555 0100"], ["", "12", "call me", *HOSTILE]),
    **{f"user_defined_{n}": ([None, "CC-7"], ["", "x" * 61, *HOSTILE]) for n in range(1, 7)},
    "authenticate": (["Y"], ["y", "", "YES", *HOSTILE]),  # N: the row has a username (m001 CHECK)
    "use_tls": (["Y", "N"], ["n", "", "1", *HOSTILE]),
    "port": ([1, 587, 65535], [0, 65536, "", *HOSTILE]),
    "timeout_seconds": ([1, 300], [0, 301, 30.5, *HOSTILE]),
    "login_method": (["P", "M", "G"], ["p", "", "X", "PM", *HOSTILE]),
    "tenant": ([None, "contoso.onmicrosoft.com", "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"],
               ["", "a b", "contoso_corp", "x" * 101, *HOSTILE]),
    "client_id": ([None, "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"], ["", "a b", "x" * 201, *HOSTILE]),
    "user_code": (["ALICE", "A.B_C-1"], ["alice", "", "A B", "X" * 21, *HOSTILE]),
}
#: The users' own Login Method may be NULL; the definition's may not.
USER_EXAMPLES = {"login_method": ([None, "P", "M", "G"], ["p", "", "X", *HOSTILE])}


@pytest.fixture(scope="module")
def conn(tmp_path_factory):
    path = tmp_path_factory.mktemp("rules") / "fincon.db"
    open_database(path).close()
    connection = sqlite3.connect(path)  # a plain connection, foreign keys off, as other tools have
    connection.execute(f"INSERT INTO smtp_settings ({', '.join(SMTP_ROW)}) VALUES "
                       f"({', '.join(':' + column for column in SMTP_ROW)})", SMTP_ROW)
    connection.commit()
    return connection


def stored(conn, table: str, column: str, value) -> bool:
    """Whether the schema takes a row whose `column` is `value` (everything else valid)."""
    row = dict(SMTP_ROW, name="PROBE") if table == "smtp_settings" else dict(USER_ROW)
    row[column] = value
    columns = ", ".join(row)
    try:
        conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(row))})", list(row.values()))
    except sqlite3.IntegrityError:
        return False
    finally:
        conn.rollback()
    return True


def domain_stores(table: str, field: str, value) -> bool:
    """Whether Accept could store exactly `value` (None for an empty optional field)."""
    declared = DECLARED[table]
    try:
        clean = declared.check_one(field, "" if value is None else str(value))
    except FieldError:
        return False
    return declared.field(field).rule.to_column(clean) == value


#: The examples of a field that has none of its own above, by its rule's
#: kind: another host name or address takes Mail Server's or BCC's.
LIKE = {Host: "mail_server", Email: "bcc"}


def rule_examples(rule) -> tuple[list, list]:
    """A field's examples: its own above, else its kind's (a plain text
    field's from its length; a field of another kind needs its own)."""
    like = LIKE.get(type(rule.rule))
    if like is not None:
        good, bad = EXAMPLES[like]
        good = [value for value in good if value is not None]
        return (good if rule.required else [None, *good]), bad
    assert isinstance(rule.rule, Text) and not rule.rule.chars, f"{rule.column} needs its EXAMPLES"
    good = ["Plain [b]text[/b]", "x" * rule.rule.high]
    return (good if rule.required else [None, *good]), ["", " padded", "x" * (rule.rule.high + 1), *HOSTILE]


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: f"{rule.table}.{rule.column}")
def test_each_rule_agrees_with_the_domain(conn, rule) -> None:
    examples = USER_EXAMPLES if rule.table == "user_email_settings" else {}
    good, bad = examples.get(rule.column) or EXAMPLES.get(rule.column) or rule_examples(rule)
    for value in good:
        assert rule.link or domain_stores(rule.table, rule.column, value), value
        assert stored(conn, rule.table, rule.column, value), (rule.column, value)
    for value in bad:
        assert rule.link or not domain_stores(rule.table, rule.column, value), value
        assert not stored(conn, rule.table, rule.column, value), (rule.column, value)


TEXT_FIELDS = [("smtp_settings", "name"), ("smtp_settings", "username"), ("user_email_settings", "sender_name"),
               ("user_email_settings", "job_title"), ("user_email_settings", "user_defined_3")]


@given(st.sampled_from(TEXT_FIELDS), st.text(max_size=70))
@settings(max_examples=400, deadline=None)
def test_random_text_is_stored_exactly_when_the_domain_would_store_it(conn, target, text: str) -> None:
    table, field = target
    value = text or None
    assert stored(conn, table, field, value) == domain_stores(table, field, value)


def test_a_linked_definition_cannot_be_deleted_by_another_tool(conn) -> None:
    conn.execute("INSERT INTO user_email_settings (user_code, smtp_name, sender_name, sender_email, created_at, "
                 "updated_at, version) VALUES ('BOB', 'OFFICE', 'Bob', 'bob@corp.example', ?, ?, 1)", [NOW, NOW])
    with pytest.raises(sqlite3.IntegrityError, match="users are linked"):
        conn.execute("DELETE FROM smtp_settings WHERE name = 'OFFICE'")
    conn.rollback()


def old_database_with_bad_rows(path) -> None:
    """Rows another tool wrote before the rules were triggers (m006)."""
    from sqlite_utils import Database

    from fincon_tui.storage.migrations import migrations

    db = Database(path)
    migrations.apply(db, stop_before="m006_rules_for_other_tools")
    db["smtp_settings"].insert(dict(SMTP_ROW, name="BAD", mail_server="smtp://host", bcc="Archive <evil@example.com>"))
    db.conn.commit()
    db.close()


def test_the_upgrade_keeps_bad_rows_and_lists_them_as_needing_attention(db_path) -> None:

    from cli_runner import run_cli

    old_database_with_bad_rows(db_path)
    open_database(db_path).close()  # the next start of fincon-tui upgrades it
    listing = run_cli(["--db", str(db_path), "smtp", "list"])
    assert listing.returncode == 0, listing.stderr
    assert "! BAD " in listing.stdout
    assert "! BAD needs attention: Mail Server takes the host name only, without a scheme" in listing.stdout


async def test_a_row_needing_attention_opens_at_the_field_and_can_be_mended(db_path) -> None:
    from fincon_tui.keystore.vault import PasswordVault
    from fincon_tui.ui.app import FinconApp

    old_database_with_bad_rows(db_path)
    store = open_store(db_path)
    app = FinconApp(store, PasswordVault(), cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_form(pilot, 1, key="bad")
        screen = app.screen
        assert screen.message.text.startswith("Needs attention: Mail Server takes the host name only")
        assert app.focused.id == "mail_server"
        await pilot.press(*"smtp.example.com", "f10")
        assert screen.message.text.startswith("BCC is not a valid email address")
        await pilot.press("ctrl+u", "f10")
        assert screen.message.text == "SMTP definition BAD saved"
    row = store.smtp.get("BAD").record
    assert (row.mail_server, row.bcc) == ("smtp.example.com", "")


def test_an_update_is_checked_on_the_values_it_changes(db_path) -> None:
    """A rename by another tool (or by fincon-tui) carries a row's other
    legacy values over as stored; a value it changes is checked."""
    old_database_with_bad_rows(db_path)
    open_database(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE smtp_settings SET name = 'RENAMED' WHERE name = 'BAD'")
    with pytest.raises(sqlite3.IntegrityError, match="a host name or IP address"):
        conn.execute("UPDATE smtp_settings SET mail_server = 'a..b' WHERE name = 'RENAMED'")
    with pytest.raises(sqlite3.IntegrityError, match="1-40 printable characters"):
        conn.execute("UPDATE smtp_settings SET name = 'E\x1b]0;x\x07' WHERE name = 'RENAMED'")
    conn.execute("UPDATE smtp_settings SET mail_server = 'smtp.example.com' WHERE name = 'RENAMED'")
    assert conn.execute("SELECT mail_server, bcc FROM smtp_settings").fetchall() == [
        ("smtp.example.com", "Archive <evil@example.com>")]
    conn.close()


@pytest.mark.engines
def test_a_refusal_of_the_rules_names_the_field_in_the_apps_words(store) -> None:
    """The store's own rules, under the domain's checks: what another
    tool, or a bug, would write is refused naming the field."""
    from dataclasses import replace

    from fincon_tui._exceptions import RecordInUse, RuleRefused
    from fincon_tui.domain.users import UserEmailSettings

    with store.transaction() as work:
        work.smtp.insert(smtp.SmtpDefinition("OFFICE", "smtp.example.com", True, "bob", 587, True, 30, ""))
        work.users.insert(UserEmailSettings("BOB", "OFFICE", "", "Bob", "bob@corp.example"))
    stored = store.smtp.get("OFFICE")
    for change, message in ((dict(mail_server="a..b"), "Mail Server refused by the database's rules "
                             "(a host name or IP address, nothing else)"),
                            (dict(bcc="nobody"), "BCC refused by the database's rules (empty or one email address)")):
        with pytest.raises(RuleRefused) as refused, store.transaction() as work:
            work.smtp.update(replace(stored.record, **change), stored)
        assert (str(refused.value), refused.value.field) == (message, next(iter(change)))
    with pytest.raises(RecordInUse, match=r"^users are linked to it: link them to another definition first$"), \
            store.transaction() as work:
        work.smtp.delete(stored)
    assert store.smtp.get("OFFICE") == stored


def _by_this_python(test) -> set[str]:
    return {chr(code) for code in range(sys.maxunicode + 1) if test(chr(code))}


def test_the_pinned_characters_are_this_pythons_unicode_where_it_is_not_newer() -> None:
    """domain/refused_characters pins Unicode 15.1's sets: an older
    Unicode (Python 3.11's 14.0) knows fewer of them, the same one exactly
    them, and a newer one that adds a format character fails here until it
    is pinned with a migration step."""
    unsafe = _by_this_python(lambda char: unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"))
    spaces = _by_this_python(lambda char: char.isspace() and unicodedata.category(char) not in ("Cc", "Zl", "Zp"))
    pinned = tuple(int(part) for part in refused_characters.UNICODE_VERSION.split("."))
    ours = tuple(int(part) for part in unicodedata.unidata_version.split("."))
    assert spaces == set(refused_characters.SPACES)
    added = sorted(hex(ord(char)) for char in unsafe - set(refused_characters.UNSAFE))
    assert not added, f"Unicode {unicodedata.unidata_version} adds {added}: pin them with a migration step"
    if ours == pinned:
        assert unsafe == set(refused_characters.UNSAFE)


def test_a_field_and_the_database_refuse_the_same_characters_on_every_python(conn) -> None:
    """A format character Unicode 15.1 added (U+13439) is refused by the
    form's check and by the database alike, on Python 3.11 (whose Unicode
    14.0 does not know it) as on 3.13; a letter beside it is taken."""
    for name, taken in (("OFF\U00013439ICE", False), ("OFF\U00013000ICE", True)):
        assert domain_stores("smtp_settings", "name", name) is taken, name
        assert stored(conn, "smtp_settings", "name", name) is taken, name
