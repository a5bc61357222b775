"""Lists read 20,000 records without checking each value again nor asking
for each one's secrets: the database names the rows that break its rules
(one query), the others get only the rules between fields, and which
secrets are stored is asked once a list.  What the lists say is what the
full check says, on both engines; speed is bench/lists.py's."""

from __future__ import annotations

import functools
import json
import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support import definition, user

from fincon_tui.cli.entry import main
from fincon_tui.cli.smtp import KIND as SMTP_KIND
from fincon_tui.cli.user import KIND as USER_KIND
from fincon_tui.domain.password_binding import PasswordChange, smtp_owner, user_owner
from fincon_tui.domain.secret_kinds import SecretKind
from fincon_tui.services.smtp_settings import SmtpSettings
from fincon_tui.services.transfer import Transfer
from fincon_tui.services.user_settings import UserSettings
from fincon_tui.services.work_lists import user_lookups

pytestmark = pytest.mark.engines
KEEP = PasswordChange.keep()
STAMP = "2026-11-20T10:00:00+00:00"
HOSTILE_SERVER = "smtp\x1b]0;owned\x07.example"


def write_around_the_rules(store, db_location, noted: bool = True) -> None:
    """BAD, written by another tool around the rule triggers (its server
    holds a terminal's escape sequence).  `noted`: as a row stored before
    the rule, which the step that brought the rule noted (m019 and every
    step that refreshes the rules); else outside the storage contract."""
    columns = ("name, mail_server, authenticate, username, port, use_tls, timeout_seconds, bcc, login_method, "
               "created_at, updated_at, version")
    values = ["BAD", HOSTILE_SERVER, "Y", "bob", 587, "Y", 30, None, "P", STAMP, STAMP, 1]
    if store.engine == "SQLite":
        from fincon_tui.storage.constraints import insert_triggers

        with sqlite3.connect(db_location) as conn:
            conn.execute("DROP TRIGGER smtp_settings_rules_insert")
            conn.execute(f"INSERT INTO smtp_settings ({columns}, name_folded) VALUES "
                         f"({', '.join('?' for _ in values)}, 'bad')", values)
            conn.execute(insert_triggers()["smtp_settings_rules_insert"])
        if noted:
            from sqlite_utils import Database

            from fincon_tui.storage.migrations import note_rows_before_rules

            note_rows_before_rules(Database(db_location))
        return
    import psycopg

    with psycopg.connect(db_location) as conn:
        conn.execute("ALTER TABLE smtp_settings DISABLE TRIGGER smtp_settings_rules")
        conn.execute(f"INSERT INTO smtp_settings ({columns}, name_folded) VALUES "
                     f"({', '.join('%s' for _ in values)}, 'bad')", values)
        conn.execute("ALTER TABLE smtp_settings ENABLE TRIGGER smtp_settings_rules")
        if noted:
            from fincon_tui.storage.postgres.rules import note_rows_before_rules

            note_rows_before_rules(conn)


def mixed(store, vault, db_location, noted: bool = True) -> tuple[SmtpSettings, UserSettings]:
    """Rows as Accept writes them, rows that break a rule between fields
    (saved past the form's check, as another version or tool could), and
    BAD, which breaks a field's own rule."""
    smtp, users = SmtpSettings(store, vault), UserSettings(store, vault)
    smtp.save(definition(name="GOOD"), PasswordChange.set("pw"), None)
    smtp.save(definition(name="OWN", username=""), KEEP, None)
    smtp.save(definition(name="MSFT", login_method="M", tenant="", client_id="app"), KEEP, None)  # no tenant
    smtp.save(definition(name="GOOG", login_method="G", client_id="app"), KEEP, None)  # no client secret
    smtp.save(definition(name="RELAY", authenticate=False, username="", port=25), KEEP, None)
    write_around_the_rules(store, db_location, noted)
    users.save(user("ANN", "OWN", "ann"), PasswordChange.set("ann-pw"), None)
    users.save(user("BOB", "RELAY", "bob"), KEEP, None)  # a login on a definition without one
    users.save(user("CAT", "GOOD"), KEEP, None)
    users.save(user("DAN", "MSFT", "dan"), PasswordChange.set("dan-pw"), None)  # a password with OAuth
    return smtp, users


def said(problem) -> str | None:
    return None if problem is None else f"{problem.field}: {problem}"


def test_a_list_flags_what_the_full_check_flags(store, vault, db_location) -> None:
    smtp, users = mixed(store, vault, db_location)
    definitions = smtp.search("", 100)
    held = smtp.passwords.names(smtp_owner(stored.key) for stored in definitions)
    listed = [said(problem) for problem in smtp.attentions(definitions, held)]
    assert listed == [said(smtp.attention(stored)) for stored in definitions]
    flagged = {stored.key: problem for stored, problem in zip(definitions, listed, strict=True) if problem}
    assert set(flagged) == {"BAD", "GOOG", "MSFT"}
    assert flagged["BAD"].startswith("mail_server:")
    assert store.smtp.breaking_rules([stored.key for stored in definitions]) == {"BAD"}

    people = users.search("", 100)
    linked, secrets = user_lookups(users, people)
    listed = [said(problem) for problem in users.attentions(people, secrets, linked)]
    assert listed == [said(users.attention(stored)) for stored in people]
    assert [stored.key for stored, problem in zip(people, listed, strict=True) if problem] == ["BOB", "DAN"]
    assert linked["own"].name == "OWN"  # by folded name
    assert secrets[user_owner("ANN")] and not secrets[user_owner("CAT")]


def test_smtp_list_shows_the_row_that_breaks_the_rules_flagged_and_as_text(store, vault, db_location,
                                                                           capsys) -> None:
    mixed(store, vault, db_location)
    assert main(["--db", str(db_location), "smtp", "list"]) == 0
    shown = capsys.readouterr().out
    assert "\x1b" not in shown and "\x07" not in shown
    assert "smtp\\x1b]0;owned\\x07.example" in shown  # as text (domain/visible.py)
    assert any(line.startswith("! BAD needs attention: Mail Server") for line in shown.splitlines()), shown
    assert main(["--db", str(db_location), "smtp", "list", "--json"]) == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["BAD"]["mail_server"] == HOSTILE_SERVER and rows["BAD"]["needs_attention"]
    assert rows["GOOD"]["needs_attention"] is None and rows["MSFT"]["needs_attention"]


def statements_of(db, work) -> list[str]:
    """The SQL statements `work()` runs on the SQLite connection `db`."""
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        work()
    finally:
        db.conn.set_trace_callback(None)
    return statements


def test_the_lists_ask_as_many_queries_for_40_records_as_for_4(store, db, vault) -> None:
    smtp, users = SmtpSettings(store, vault), UserSettings(store, vault)

    def counted() -> dict[str, int]:
        def rows(kind, service) -> None:
            kind.rows(service.search("", 1000), service)

        return {
            "smtp list": len(statements_of(db, lambda: rows(SMTP_KIND, smtp))),
            "user list": len(statements_of(db, lambda: rows(USER_KIND, users))),
            "export": len(statements_of(db, Transfer(store, vault).export)),
        }

    def add(start: int, stop: int) -> None:
        for n in range(start, stop):
            smtp.save(definition(name=f"D{n:02}"), PasswordChange.set("pw") if n % 2 else KEEP, None)
            users.save(user(f"U{n:02}", f"D{n:02}", f"u{n}"), PasswordChange.set("pw") if n % 3 else KEEP, None)

    add(0, 4)
    few = counted()
    add(4, 40)
    assert counted() == few
    assert all(count < 20 for count in few.values()), few


def test_a_row_written_around_the_rules_unnoted_is_shown_as_text_and_flagged_when_opened(
        store, vault, db_location, capsys) -> None:
    """Outside the contract (the rules dropped, a row written, the rules
    back): the list trusts the database's rules, so the row is not flagged
    there, but what it holds is shown as text, and opened it needs attention."""
    smtp, _ = mixed(store, vault, db_location, noted=False)
    assert main(["--db", str(db_location), "smtp", "list"]) == 0
    shown = capsys.readouterr().out
    assert "\x1b" not in shown and "\x07" not in shown
    assert "smtp\\x1b]0;owned\\x07.example" in shown
    assert not any(line.startswith("! BAD needs attention") for line in shown.splitlines())
    loaded = smtp.load("BAD")
    assert loaded is not None and loaded.attention is not None and loaded.attention.field == "mail_server"


def test_the_upgrade_notes_the_rows_stored_before_the_rules_and_the_list_flags_them(db_path, capsys) -> None:
    from test_untrusted_text import write_hostile_rows

    write_hostile_rows(db_path, "\x1b[2J", names=("EVIL", "FINE"), users=(("U1", "FINE", "u1@corp"),))
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE smtp_settings SET mail_server = 'smtp.example.com', username = 'bob' WHERE name = 'FINE'")
        noted = conn.execute("SELECT owner_kind, count(*) FROM rows_before_rules GROUP BY owner_kind").fetchall()
    assert sorted(noted) == [("smtp", 2), ("user", 1)]  # FINE was noted before it was mended
    assert main(["--db", str(db_path), "smtp", "list", "--json"]) == 0
    flagged = {row["name"]: row["needs_attention"] for row in json.loads(capsys.readouterr().out)}
    assert flagged["EVIL"].startswith("Mail Server") and flagged["FINE"] is None
    assert main(["--db", str(db_path), "user", "list", "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["needs_attention"].startswith("Sender's Email Address")


def test_lists_and_the_export_read_a_chunk_at_a_time_and_print_what_they_print_whole(
        store, vault, db_location, capsys, monkeypatch) -> None:
    """Chunks of 2 over the mixed rows print byte for byte what one chunk
    prints, and the JSON is json.dumps's of the whole list or export, on both engines."""
    from fincon_tui.storage import records

    smtp, users = mixed(store, vault, db_location)

    def printed(*words: str) -> str:
        assert main(["--db", str(db_location), *words]) == 0
        return capsys.readouterr().out

    commands = [("smtp", "list"), ("smtp", "list", "--json"), ("user", "list"), ("user", "list", "--json"),
                ("export",), ("export", "--toml")]
    whole = {words: printed(*words) for words in commands}
    monkeypatch.setattr(records, "LIST_CHUNK", 2)
    assert [len(found) for found in smtp.chunks()] == [2, 2, 2]
    for words in commands:
        assert printed(*words) == whole[words], words
    for kind, service in ((SMTP_KIND, smtp), (USER_KIND, users)):
        assert whole[(kind.name, "list", "--json")] == json.dumps(
            kind.rows(service.search("", 100), service), indent=2) + "\n"
    assert whole[("export",)] == json.dumps(Transfer(store, vault).export(), indent=2, ensure_ascii=True) + "\n"
    assert "! BAD needs attention: Mail Server" in whole[("smtp", "list")]


#: Rows as an export's (text, numbers, true, false, null), what may look like
#: the separators between them in their text, and items that are not such rows.
ROWS = [{"text": "a\"b\\c\u00e9\U0001f600\x1b\n", "number": -7, "yes": True, "no": False, "none": None,
         "float": 1.5, "}": "},\n    {", "{": "}"}, {"only": "}"}, {2: "a key not text"}]
OTHERS = [{"nested": {"n": [1, {}], "t": "x"}, "empty": [], "none_inside": {}}, {}, "text", 3]


@pytest.mark.parametrize("chunks", [[], [[]], [["a\nb", {"k": "\x1b\u202e"}]], [[1], [], [{"x": [1, 2]}, 3]],
                                    [ROWS, [], ROWS[1:]], [ROWS[:1], OTHERS + ROWS, ROWS[:2]]])
@pytest.mark.parametrize("level", [0, 1, 2])
def test_json_list_writes_what_json_dumps_writes_of_the_whole_list(chunks, level) -> None:
    from fincon_tui.cli.common import json_list

    whole = [item for chunk in chunks for item in chunk]
    expected = json.dumps(whole, indent=2, ensure_ascii=True)
    assert "".join(json_list(chunks, level)) == expected.replace("\n", "\n" + "  " * level)


def test_a_drivers_error_while_a_generator_is_read_is_a_storage_error(tmp_path) -> None:
    from fincon_tui._exceptions import StorageError
    from fincon_tui.storage.translate import translated

    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4080)

    @translated
    def rows():
        yield 1
        sqlite3.connect(garbage).execute("SELECT * FROM sqlite_master")  # SQLITE_NOTADB

    read = rows()
    assert next(read) == 1
    with pytest.raises(StorageError, match="damaged"):
        next(read)


def test_a_page_says_whether_records_come_before_and_after_it(store, vault) -> None:
    from fincon_tui.storage.records import PageQuery

    smtp = SmtpSettings(store, vault)
    for n in range(5):
        smtp.save(definition(name=f"D{n:02}"), KEEP, None)

    def page(key: str, direction: str = "from") -> tuple[list[str], bool, bool]:
        with store.read():
            found = store.smtp.page(PageQuery(key, 2, direction))
        return [stored.key for stored in found.rows], found.before, found.after

    assert page("") == (["D00", "D01"], False, True)
    assert page("D02") == (["D02", "D03"], True, True)
    assert page("D04") == (["D04"], True, False)
    assert page("D01", "after") == (["D02", "D03"], True, True)
    assert page("D02", "before") == (["D00", "D01"], False, True)
    assert page("D04", "before") == (["D02", "D03"], True, True)
    assert page("d03", "after") == (["D04"], True, False)
    assert page("ZZZ") == (["D03", "D04"], True, False)  # past the last key: the last page
    assert page("D01", "before") == (["D00", "D01"], False, True)  # fewer left: the first page
    assert page(None, "before") == (["D03", "D04"], True, False)  # before the end


def test_a_work_with_page_runs_the_same_few_statements_wherever_it_is(store, db, vault) -> None:
    """A page of the Work with lists, first, middle, last, after and before
    a key: its rows with whether any come before and after them (one query),
    the definitions' linked users, the secrets held, the last tests with the
    SPF verdicts, in one read (BEGIN .. ROLLBACK): six statements, however
    many rows the tables hold (bench/lists.py times them against one joined query)."""
    from fincon_tui.services.work_lists import definitions, users

    smtp, settings = SmtpSettings(store, vault), UserSettings(store, vault)
    for n in range(45):
        smtp.save(definition(name=f"D{n:02}"), PasswordChange.set("pw") if n % 2 else KEEP, None)
        settings.save(user(f"U{n:02}", f"D{n % 7:02}", f"u{n}"), PasswordChange.set("pw") if n % 3 else KEEP, None)
    pages = [("", "from"), ("20", "from"), ("40", "from"), ("19", "after"), ("30", "before")]

    def counted(read, prefix: str) -> list[int]:
        return [len(statements_of(db, functools.partial(read, f"{prefix}{key}" if key else "", direction)))
                for key, direction in pages]

    assert counted(lambda key, direction: definitions(smtp, key, 10, direction), "D") == [6] * len(pages)
    assert counted(lambda key, direction: users(settings, key, 10, direction), "U") == [6] * len(pages)


@given(authenticate=st.booleans(), username=st.sampled_from(["", "bob", "relay@corp.example"]),
       method=st.sampled_from("PMG"), name=st.sampled_from(["OFFICE", "M365", "bad name"]),
       held=st.frozensets(st.sampled_from(list(SecretKind))), others=st.frozensets(st.sampled_from(list(SecretKind))))
def test_the_login_column_by_a_definitions_shape_is_the_column_by_its_values(
    authenticate, username, method, name, held, others,
) -> None:
    """definition_login finds the Login column once a shape (_login_column,
    over a stand-in): it says of every definition what the rule says over
    its own values and secrets (another owner's secrets beside), and why
    in the same words."""
    from fincon_tui.services.work_lists import _definition_login, definition_login

    stored = definition(name=name, authenticate=authenticate, username=username, login_method=method,
                        tenant="corp.example" if method == "M" else "", client_id="app" if method != "P" else "")
    secrets = {smtp_owner(name): held, smtp_owner("OTHER"): others, user_owner(name): others}
    assert definition_login(stored, secrets) == _definition_login(stored, secrets)

