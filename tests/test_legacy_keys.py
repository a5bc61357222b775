"""Keys stored before the rules (docs/storage.md: rows another tool wrote before
m006 stay): a name holding ESC ] ... BEL is shown whole, as visible text,
by every screen that shows a key, and never reaches the terminal as
control; what the field shows stands for the stored key, so Enter,
Accept and Rename act on the stored record, not on the escaped text."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest
from pty_terminal import BIN
from support import fill, open_form
from test_untrusted_text import write_hostile_rows

from fincon_tui.domain.visible import visible
from fincon_tui.ui.screens.confirm import ConfirmScreen
from fincon_tui.ui.screens.entry_dialog import EntryDialog
from fincon_tui.ui.screens.lookup import LookupScreen

SIZE = (80, 24)
#: Sets the terminal's title (OSC 0), and writes "PWNED" to the admin's clipboard (OSC 52).
TITLE = "E\x1b]0;PWNED\x07X"
CLIP = "C\x1b]52;c;UFdORUQ=\x07Y"
SENDER = "s\x1b]52;c;UFdORUQ=\x07@corp.example"


def plant(db_path: Path) -> None:
    """CLIP, TITLE and OFFICE (in list order); LEGACY on TITLE, SENDER on OFFICE."""
    write_hostile_rows(db_path, "", names=(TITLE, CLIP, "OFFICE"),
                       users=(("LEGACY", TITLE, "legacy@corp.example"), ("SENDER", "OFFICE", SENDER)))


@pytest.fixture
def legacy_app(db_path: Path):
    from fincon_tui.keystore.vault import PasswordVault
    from fincon_tui.storage.store import open_store
    from fincon_tui.ui.app import FinconApp

    plant(db_path)
    db = open_store(db_path)
    yield FinconApp(db, PasswordVault(), cursor_blink=False)
    db.close()


def row(app, name: str) -> dict:
    return app.smtp.store.db.execute("SELECT name, port, version FROM smtp_settings WHERE name = ?", [name]).fetchone()


async def test_a_legacy_key_picked_by_f4_shows_whole_and_enter_and_accept_act_on_it(legacy_app) -> None:
    app = legacy_app
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, 1)
        await pilot.press("f4", "down", "enter")  # TITLE, the second row
        assert form.field("name").value == visible(TITLE) and form.is_open
        assert form.loaded.stored.key == TITLE
        assert form.message.text.startswith("Needs attention: SMTP Name contains a control character")
        assert "7=Rename" in form.message.text and app.focused.id == "mail_server"
        await pilot.press("escape", "enter")  # back to the key, Enter: the stored record, no create question
        assert not isinstance(app.screen, ConfirmScreen)
        assert form.is_open and form.loaded.stored.key == TITLE
        await fill(pilot, form, port="588")
        await pilot.press("f10")  # refused for its name: not "renamed by another user", nothing written
        assert form.message.text.startswith("SMTP Name contains a control character"), form.message.text
        assert "7=Rename" in form.message.text
    assert row(app, TITLE) == (TITLE, 587, 1)


async def test_the_rename_window_shows_the_key_escaped_and_renames_the_stored_record(legacy_app) -> None:
    app = legacy_app
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 3)
        await pilot.press("down", "7", "enter")  # 7=Rename on TITLE
        window = app.screen
        assert isinstance(window, EntryDialog) and window.fields[0].value == visible(TITLE)
        await pilot.press("enter")  # as shown: the stored name, which the rules refuse, not its escaped text
        assert app.screen is window
        assert "control character" in str(window.query_one("#entry-error").content)
        await pilot.press("ctrl+u", *"MENDED", "enter")
        assert app.screen is not window
    assert row(app, "MENDED") == ("MENDED", 587, 2) and row(app, TITLE) is None
    assert app.users.get("LEGACY").record.smtp_name == "MENDED"


#: A definition whose name and mail server both break the rules, a user linked to it.
TWICE_LEGACY = dict(escape="\x1b[2J", names=(TITLE,), users=(("LEGACY", TITLE, "legacy@corp.example"),))


def smtp_cli(db_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN), "--db", str(db_path), "smtp", *args], capture_output=True, text=True,
                          timeout=60, env=os.environ.copy(), stdin=subprocess.DEVNULL)


def test_a_legacy_definition_with_more_legacy_values_is_renamed_then_mended_by_the_cli(db_path: Path) -> None:
    """The rename carries the other legacy values over (the triggers check
    what an update changes); `set` then mends them.  Before m012 the rename
    was refused for the mail server it does not change, `set` for the name."""
    write_hostile_rows(db_path, **TWICE_LEGACY)

    def cli(*args: str) -> subprocess.CompletedProcess:
        return smtp_cli(db_path, *args)

    renamed = cli("rename", TITLE, "MENDED")
    assert renamed.returncode == 0, renamed.stderr
    assert renamed.stdout.strip() == (f"SMTP definition {visible(TITLE)} renamed to MENDED; "
                                      "1 linked user goes with it")
    mended = cli("set", "MENDED", "--mail-server", "smtp.example.com", "--username", "bob")
    assert mended.returncode == 0, mended.stderr
    listed = cli("list")
    assert "needs attention" not in listed.stdout and "MENDED" in listed.stdout


def test_the_command_suggested_for_a_legacy_key_works_pasted_into_bash(db_path: Path) -> None:
    """The key as bash reads it back ($'…'), not its escaped text, which
    names no definition; and a rename first, as nothing is saved under it."""
    write_hostile_rows(db_path, **TWICE_LEGACY)
    listed = smtp_cli(db_path, "list")
    [command] = re.findall(r"run `(fincon-tui smtp rename [^`]*)`", listed.stdout)
    assert command == "fincon-tui smtp rename $'E\\x1b]0;PWNED\\x07X' NEW-NAME"
    assert "then enter it on SMTP Settings" in listed.stdout
    pasted = command.replace("fincon-tui", f"{shlex.quote(str(BIN))} --db {shlex.quote(str(db_path))}", 1)
    done = subprocess.run(["bash", "-c", pasted], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"SMTP definition {visible(TITLE)} renamed to NEW-NAME")


def test_the_cli_lists_keep_their_columns_for_escaped_keys(db_path: Path) -> None:
    """Each column as wide as its text shows (the escapes count), not as its stored text."""
    write_hostile_rows(db_path, **TWICE_LEGACY)
    smtp = smtp_cli(db_path, "list").stdout.splitlines()
    assert smtp[1].index("smtp\\x1b[2J.example") == smtp[0].index("MAIL SERVER"), smtp
    users = subprocess.run([str(BIN), "--db", str(db_path), "user", "list"], capture_output=True, text=True,
                           timeout=60, stdin=subprocess.DEVNULL).stdout.splitlines()
    assert users[1].index(" - ") + 1 == users[0].index("OWN LOGIN"), users


@pytest.fixture
def twice_legacy_app(db_path: Path):
    from fincon_tui.keystore.vault import PasswordVault
    from fincon_tui.storage.store import open_store
    from fincon_tui.ui.app import FinconApp

    write_hostile_rows(db_path, **TWICE_LEGACY)
    db = open_store(db_path)
    yield FinconApp(db, PasswordVault(), cursor_blink=False)
    db.close()


@pytest.mark.parametrize("way", ["F4 on SMTP Settings", "2=Change in the list"])
async def test_a_legacy_definition_says_what_needs_attention_however_it_is_opened(twice_legacy_app, way) -> None:
    """One rule on load (KeyField.open), whichever way the form was opened."""
    app = twice_legacy_app
    async with app.run_test(size=SIZE) as pilot:
        if way.startswith("F4"):
            form = await open_form(pilot, 1)
            await pilot.press("f4", "enter")
        else:
            await open_form(pilot, 3)
            await pilot.press("2", "enter")
            form = app.screen
        assert form.is_open and form.loaded.stored.key == TITLE
        assert form.message.text == ("Needs attention: SMTP Name contains a control character; retype it – only "
                                     "7=Rename in the Work with list changes a stored SMTP Name")


async def test_7_rename_carries_the_other_legacy_values_over(db_path: Path) -> None:
    from fincon_tui.keystore.vault import PasswordVault
    from fincon_tui.storage.store import open_store
    from fincon_tui.ui.app import FinconApp

    write_hostile_rows(db_path, **TWICE_LEGACY)
    db = open_store(db_path)
    app = FinconApp(db, PasswordVault(), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        lists = await open_form(pilot, 3)
        await pilot.press("7", "enter")
        window = app.screen
        assert isinstance(window, EntryDialog)
        await pilot.press("ctrl+u", *"MENDED", "enter")
        assert app.screen is lists, str(window.query_one("#entry-error").content)
        assert lists.message.text.startswith(f"SMTP definition {TITLE} renamed to MENDED"), lists.message.text
    stored = app.smtp.get("MENDED")
    assert stored is not None and stored.record.mail_server == "smtp\x1b[2J.example"
    assert app.users.get("LEGACY").record.smtp_name == "MENDED"
    db.close()


async def test_the_user_form_shows_its_legacy_definition_escaped_and_finds_it(legacy_app) -> None:
    app = legacy_app
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, 2, key="LEGACY")
        field = form.field("smtp_name")
        assert field.value == visible(TITLE) and app.focused is field
        used = str(form.query_one("#login-used").content)  # the definition as stored, not its escaped name
        assert used.startswith(f"Login used: user (from SMTP definition {visible(TITLE)})"), used
        await pilot.press("f4")
        assert isinstance(app.screen, LookupScreen)
        await pilot.press("enter")  # CLIP, the first row
        assert (field.value, field.selection, app.focused) == (visible(CLIP), (0, len(visible(CLIP))), field)


async def test_a_legacy_sender_address_shows_escaped_in_the_send_window(legacy_app) -> None:
    app = legacy_app
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="OFFICE")
        await pilot.press("f7", *"carol@client.example", "enter", *"sender", "enter")
        assert app.screen.query_one("#from").value == visible(SENDER)


#: A key of each kind per list option (A 3=Copy, C 5=Display, D 4=Delete,
#: E 2=Change, R 7=Rename, T 8=Test login), in list order with OFFICE.
NAMES = {
    **{option: f"{option}\x1b]52;c;UFdORUQ=\x07" for option in "AC"},
    **{option: f"{option}\x1b]0;PWNED\x07" for option in "DRT"}, "E": TITLE,
}
DOWN, ESC = "\x1b[B", "\x1b"


class LegacyTerminal:
    """fincon-tui in a pty (test_terminal_e2e.Terminal) on a database with
    the NAMES stored before the rules, and everything it writes."""

    def __init__(self, db_path: Path) -> None:
        from test_terminal_e2e import Terminal
        from test_untrusted_text import recorded

        write_hostile_rows(db_path, "", names=(*NAMES.values(), "OFFICE"),
                           users=(("LEGACY", TITLE, "legacy@corp.example"),))
        self.terminal = Terminal(["--db", str(db_path)], "xterm-256color")
        self.written = recorded(self.terminal)
        self.shows("F3=Exit")

    def shows(self, *texts: str) -> None:
        for text in texts:
            self.terminal.wait_for(text)

    def send(self, keys: str, then: str = "", gone: str = "") -> None:
        """`keys`, then wait until the screen shows `then` (or `gone` went)."""
        self.terminal.send(keys)
        if then:
            self.shows(*then.split("|"))
        if gone:
            self.terminal.wait_for(gone, gone=True)

    def quit(self, confirm: bool = False) -> None:
        """Quit (`confirm`: unsaved changes go), then check what was written:
        not one ESC ] from the data (a title set, a clipboard written)."""
        try:
            assert self.terminal.close(confirm) == 0
        finally:
            self.terminal.child.terminate(force=True)
        # Textual's own: the mouse pointer's shape (OSC 22).
        assert set(re.findall(rb"\x1b\](\d*)", self.written)) <= {b"22"}
        assert b"PWNED\x07" not in self.written and b"UFdORUQ=\x07" not in self.written


def field(text: str) -> str:
    """A form field showing `text` whole, as visible text, after its label's dots."""
    return f".  {visible(text)}"


def test_no_list_option_sends_a_legacy_key_to_the_terminal(db_path: Path) -> None:
    """Each option of Work with SMTP Definitions, and F9 in the form of 2:
    the form's key field got the key as stored before it was opened (5, 2,
    8), and the Rename window's field as stored."""
    pty = LegacyTerminal(db_path)
    try:
        pty.send("113", then=f"Type options, press Enter.|{visible(TITLE)}")
        pty.send("3" + DOWN + "5" + DOWN + "4" + DOWN + "2" + DOWN + DOWN + "7" + DOWN + "8" + "\r",
                 then="Copy SMTP definition")
        pty.send(ESC, then=f"/ Display|{field(NAMES['C'])}")
        pty.send(ESC, then="Delete SMTP definition")
        pty.send("n", then=f"/ Change|{field(TITLE)}")
        pty.send("\x19", then="History of SMTP definition")  # Ctrl+Y: History
        pty.send(ESC, gone="History of")
        pty.send(ESC, then=f"Rename SMTP definition|{visible(NAMES['R'])}")
        pty.send(ESC, then=f"/ Test login|{field(NAMES['T'])}")
    finally:
        pty.quit()


def test_no_f4_pick_sends_a_legacy_key_to_the_terminal(db_path: Path) -> None:
    """F4 on SMTP Settings' key, Cancel and Enter again (the stored record,
    not a new one), F4 on SMTP Definition in the user form."""
    from test_terminal_e2e import F4

    pty = LegacyTerminal(db_path)
    try:
        pty.send("111", then="SMTP Name . .")
        pty.send(F4, then="7 found")
        pty.send(DOWN * 3 + "\r", then=f"{field(TITLE)}|Needs attention")  # E
        pty.send(ESC, gone="Needs attention")
        pty.send("\r", then="Needs attention")
        assert "do you want to create it" not in pty.terminal.text()
        pty.send(ESC, gone="Needs attention")
        pty.send(ESC, gone="SMTP Name . .")
        pty.send("2LEGACY\r", then=field(TITLE))
        pty.send(F4, then="7 found")
        pty.send("\r", then=field(NAMES["A"]))
    finally:
        pty.quit(confirm=True)
