"""Text from the database, a server or a keyring is shown as it is: never
parsed as markup, never sent to the terminal as control characters."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from pathlib import Path

import pytest
from cli_runner import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st
from support import definition, open_form

from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.domain.users import UserEmailSettings
from fincon_tui.domain.visible import visible
from fincon_tui.ui.screens.history import HistoryScreen
from fincon_tui.ui.screens.lookup import LookupScreen

SIZE = (80, 24)
F4 = "\x1bOS"
HOSTILE_NAMES = ["Relay [/] A", "[@click=app.quit]Main relay", "[b]x[/b]", "[red]R[/red] [link=x]y"]
ESCAPES = ["\x1b]2;owned\x07", "\x1b[2J", "\x1b]52;c;c2VjcmV0\x07", "\x9b31m", "abc\u202eexe.txt"]


def option_texts(screen) -> list[str]:
    return ["\n".join(lines) for _, lines in screen.query_one("#lookup-list").rows]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
async def test_markup_in_names_shows_literally_and_runs_nothing(app, name: str) -> None:
    app.smtp.save(definition(name=name, username="corp[/]mailer"), PasswordChange.keep(), None)
    app.smtp.save(definition(name=name, username="corp[/]mailer", port=25), PasswordChange.keep(), 1)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1)
        await pilot.press("f4")
        assert isinstance(app.screen, LookupScreen)
        [line] = option_texts(app.screen)
        assert line.startswith(name[:22])
        await pilot.click("#lookup-list", offset=(3, 0))  # clicking a row picks it, nothing else
        await pilot.pause()
        assert app.is_running
        await pilot.press("f9")
        assert isinstance(app.screen, HistoryScreen)
        changes = [str(text.content) for text in app.screen.query(".history-changes")]
        assert len(changes) == 2 and "Username: (none) -> corp[/]mailer" in changes[1]


async def test_markup_in_a_sender_name_shows_in_the_user_list(app) -> None:
    app.smtp.save(definition(name="OFFICE"), PasswordChange.keep(), None)
    app.users.save(
        UserEmailSettings("JSMITH", "OFFICE", "", "Sales [/] Support", "sales@corp.example"),
        PasswordChange.keep(), None,
    )
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 2)
        await pilot.press("f4")
        [line] = option_texts(app.screen)
        assert "Sales [/] Support" in line


STAMP = "2026-11-20T10:00:00+00:00"


def write_hostile_rows(db_path: Path, escape: str, names: tuple[str, ...] = ("EVIL",),
                       users: tuple[tuple[str, str, str], ...] = ()) -> None:
    """Another tool wrote the documented tables directly, before the rules
    became triggers (m006): such rows stay, and must still show safely.
    A definition for each of `names`; each of `users` (code, definition,
    sender address)."""
    from sqlite_utils import Database

    from fincon_tui.storage.migrations import migrations

    if not db_path.exists():
        migrations.apply(Database(db_path), stop_before="m006_rules_for_other_tools")
    with sqlite3.connect(db_path) as conn:
        for name in names:
            conn.execute(
                "INSERT INTO smtp_settings (name, mail_server, authenticate, username, port, use_tls, "
                "timeout_seconds, bcc, created_at, updated_at, version) VALUES "
                "(?, ?, 'Y', ?, 587, 'Y', 30, NULL, ?, ?, 1)",
                [name, f"smtp{escape}.example", f"user{escape}", STAMP, STAMP],
            )
        for code, smtp_name, sender in users:
            conn.execute(
                "INSERT INTO user_email_settings (user_code, smtp_name, sender_name, sender_email, created_at, "
                "updated_at, version) VALUES (?, ?, 'Legacy', ?, ?, ?, 1)", [code, smtp_name, sender, STAMP, STAMP],
            )
    from fincon_tui.storage.store import open_store

    open_store(db_path).close()  # upgraded, as the next start of fincon-tui would


@pytest.mark.parametrize("escape", ESCAPES)
def test_cli_text_output_never_carries_control_characters(db_path, escape: str) -> None:
    write_hostile_rows(db_path, escape)
    for args in (["smtp", "list"], ["smtp", "show", "EVIL"]):
        done = run_cli(["--db", str(db_path), *args])
        assert done.returncode == 0, done.stderr
        assert not any((ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) <= 0x9F or c == "\u202e" for c in done.stdout)
        assert visible(f"smtp{escape}.example") in done.stdout
    shown = run_cli(["--db", str(db_path), "smtp", "show", "EVIL", "--json"])
    assert json.loads(shown.stdout)["mail_server"] == f"smtp{escape}.example"  # JSON keeps it, escaped
    assert "\x1b" not in shown.stdout


@given(st.text(min_size=1, max_size=200))
@settings(max_examples=300)
def test_visible_leaves_nothing_a_terminal_would_act_on(text: str) -> None:
    shown = visible(text)
    bidi = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in bidi for c in shown)
    if text.isprintable():
        assert shown == text


def recorded(terminal) -> bytearray:
    """Everything fincon-tui writes to its pty `terminal` (a
    pty_terminal.Terminal) from now on, as it is read."""
    raw = bytearray()
    original = terminal.stream.feed
    terminal.stream.feed = lambda data: (raw.extend(data), original(data))  # type: ignore[method-assign]
    return raw


def tui_bytes(terminal) -> bytes:
    """What fincon-tui writes to `terminal` while the definition EVIL (see
    write_hostile_rows) is shown in the F4 list, then opened; each step
    waits for what it shows."""
    raw = recorded(terminal)
    try:
        terminal.wait_for("Main Menu")
        terminal.send("111")
        terminal.wait_for("SMTP Name . . .")
        terminal.send(F4)
        terminal.wait_for("1 found")
        terminal.send("\x1b")  # alone: Esc followed at once by E would be Alt+E
        terminal.wait_for("SMTP definitions", gone=True)
        terminal.send("EVIL\r")
        terminal.wait_for("Username  . . . . . . . .  user")
        assert terminal.close(confirm=False) == 0
    except AssertionError as failed:  # a screen the data cleared or moved, say
        raise AssertionError(f"{failed}\nWritten so far that a terminal acts on: {control_sequences(raw)}") from None
    finally:
        terminal.child.terminate(force=True)
    return bytes(raw)


#: What a terminal would act on: OSC strings (title, clipboard, ...), clear
#: screen, a BEL of its own, C1 controls (UTF-8 encoded) and bidi overrides.
ACTED_ON = re.compile(
    rb"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b\[2J|\x07|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]"
)


def control_sequences(data: bytes | bytearray) -> set[bytes]:
    """Each distinct sequence in `data` that a terminal would act on.  The
    app's own come again at each repaint, so how often is left out: a
    loaded machine paints some screens more often than an idle one."""
    return set(ACTED_ON.findall(data))


def test_hostile_rows_reach_the_pty_as_text_only(tmp_path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from pty_terminal import Terminal

    runs = {"clean": "", "hostile": "".join(ESCAPES)}
    for label, escape in runs.items():
        write_hostile_rows(tmp_path / f"{label}.db", escape)
    # Both terminals at once (most of each run is waiting), started from this
    # thread: a fork from a second thread risks a deadlock in the child.
    terminals = [Terminal(["--db", str(tmp_path / f"{label}.db")], "xterm-256color") for label in runs]
    with ThreadPoolExecutor(len(runs)) as pool:
        seen = dict(zip(runs, pool.map(lambda terminal: control_sequences(tui_bytes(terminal)), terminals),
                        strict=True))
    assert b"\x1b]22;default\x07" in seen["clean"]  # the mouse pointer's shape: the check sees an OSC
    assert seen["hostile"] <= seen["clean"], seen["hostile"] - seen["clean"]


async def test_copy_and_cut_in_the_password_field_do_nothing(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="OFFICE")
        await pilot.press("y", "tab", "tab", "tab")
        assert app.focused.id == "password"
        await pilot.press(*"hunter2", "shift+home", "ctrl+c", "ctrl+x")
        assert app.clipboard == "" and app.focused.value == "hunter2"
        await pilot.press("shift+tab", *"bob", "shift+home", "ctrl+c")
        assert app.clipboard == "bob"  # other fields copy as usual: the check above can fail


async def test_a_name_in_another_case_and_script_opens_the_stored_record(app) -> None:
    app.smtp.save(definition(name="Zürich"), PasswordChange.keep(), None)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="ZÜRICH")
        screen = app.screen
        assert screen.field("name").value == "Zürich" and screen.is_open


PIECES = ["[", "]", "[/]", "[b]", "[@click=app.quit]", "[link=x]", "\\", "é", "e\u0301", "Ω", "漢", "🙂",
          "*", "%", "_", "'", '"', "<", ">", " ", "x"]


@pytest.mark.slow  # random hostile text in every field, a sweep: the named cases above run in make test
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=12).map("".join))
@settings(max_examples=int(os.environ.get("FINCON_HOSTILE_EXAMPLES", "4")), deadline=None)
async def test_hostile_text_in_every_displayed_field_of_the_lists_and_forms(text: str) -> None:
    """Names, logins and sender names built from markup, brackets, combining
    marks and wide characters: F4, the record and F9 show them and survive."""
    import tempfile

    from fincon_tui.keystore.vault import PasswordVault
    from fincon_tui.storage.store import open_store
    from fincon_tui.ui.app import FinconApp

    name = text.strip()[:40] or "x"
    with tempfile.TemporaryDirectory() as folder:
        db = open_store(Path(folder) / "fincon.db")
        app = FinconApp(db, PasswordVault(), cursor_blink=False)
        app.smtp.save(definition(name=name, username=text.strip()[:254] or "u"), PasswordChange.keep(), None)
        app.users.save(UserEmailSettings("U1", name, "", text.strip()[:60] or "s", "s@corp.example"),
                       PasswordChange.keep(), None)
        async with app.run_test(size=SIZE) as pilot:
            await open_form(pilot, 1, by_menu_digits=True)  # the test goes back through the menus
            await pilot.press("f4")
            assert option_texts(app.screen)[0].startswith(name[:10].rstrip())
            await pilot.press("enter")
            assert app.screen.field("name").value == name
            await pilot.press("f9")
            assert isinstance(app.screen, HistoryScreen)
            await pilot.press("escape", "escape", "escape", "2", "f4")  # the form, its key, Mail Settings
            assert isinstance(app.screen, LookupScreen)  # the users' list (four Esc left the System menu's list)
            assert len(option_texts(app.screen)) == 1
            assert app.is_running
        db.close()
