"""Faults met through the screens: a keyring that refuses, pasted garbage,
a terminal shrunk to 40x12 under a modal.  Nothing typed is lost, nothing
broken is stored, no traceback."""

from __future__ import annotations

import keyring
import pytest
from conftest import definition, smtp_rows, stored_password
from keyring_backends import BrokenKeyring, FileKeyring
from textual import events

from fincon_tui.domain.passwords import PasswordChange
from fincon_tui.ui.app import FinconApp
from fincon_tui.ui.screens.confirm import ConfirmScreen
from fincon_tui.ui.screens.smtp_settings import SmtpSettingsScreen

SIZE = (80, 24)


async def paste(pilot, text: str) -> None:
    """As the terminal delivers a paste (bracketed paste)."""
    pilot.app._driver.send_message(events.Paste(text))
    await pilot.pause()
    await pilot.pause()


async def test_delete_when_the_keyring_refuses_says_so_and_start_up_finishes_it(app, db, vault) -> None:
    app.smtp.save(definition(name="OFFICE"), PasswordChange.set("doomed-pw"), None)
    keyring.set_keyring(BrokenKeyring())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "1", "1", *"office", "enter", "f8", "y")
        text = app.screen.message.text
        assert text.startswith("SMTP definition OFFICE deleted, but could not remove the password")
        assert "keychain is locked" in text and "doomed-pw" not in text
        assert app.screen.message.has_class("-warning")
    assert smtp_rows(db) == [] and stored_password("smtp:OFFICE") == "doomed-pw"

    still_broken = FinconApp(db, vault, cursor_blink=False)
    async with still_broken.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "1 password change(s) could not be finished" in still_broken.screen.message.text

    keyring.set_keyring(FileKeyring())
    mended = FinconApp(db, vault, cursor_blink=False)
    async with mended.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert mended.screen.message.text == ""
    assert stored_password("smtp:OFFICE") is None


async def test_pasted_control_characters_are_refused_naming_the_field(app, db) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "1", "1", *"OFFICE", "enter", "y")
        await paste(pilot, "smtp.\x1b[31mexample\x07.com")
        await pilot.press("f10")
        screen = app.screen
        assert screen.message.text.startswith("Mail Server ")
        assert app.focused.id == "mail_server"
        assert app.focused.value == "smtp.\x1b[31mexample\x07.com"  # kept for mending
    assert smtp_rows(db) == []


async def test_a_paste_longer_than_the_field_is_refused_whole(app, db) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "1", "1", *"OFFICE", "enter", "y", *"smtp.example.com")
        await paste(pilot, "x" * 5000)
        assert app.screen.message.text == "Mail Server: at most 253 characters"
        assert app.focused.value == "smtp.example.com"


async def test_a_multi_line_paste_takes_its_first_line(app, db) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "1", "1")
        await paste(pilot, "Office\nrm -rf /\n")
        assert app.focused.value == "Office"


@pytest.mark.parametrize(
    ("pasted", "stored"),
    [
        ("  smtp.example.com  ", "smtp.example.com"),
        ("Bücher.Example", "bücher.example"),
    ],
)
async def test_pasted_hosts_are_cleaned_before_they_are_stored(app, db, pasted, stored) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "1", "1", *"OFFICE", "enter", "y")
        await paste(pilot, pasted)
        await pilot.press("tab", "n", "f10")
        assert app.screen.message.text == "SMTP definition OFFICE saved", app.screen.message.text
    assert smtp_rows(db)[0]["mail_server"] == stored


@pytest.mark.parametrize("garbage", ["smtp☃.example", "smtp..example", "-smtp.example", "exa mple.com"])
async def test_garbage_host_names_are_refused(app, db, garbage) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "1", "1", *"OFFICE", "enter", "y")
        await paste(pilot, garbage)
        await pilot.press("tab", "n", "f10")
        assert app.screen.message.text.startswith("Mail Server ")
        assert app.focused.id == "mail_server"
    assert smtp_rows(db) == []


async def test_resizing_to_40x12_and_back_under_the_create_modal_loses_nothing(app, db) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "1", "1", *"OFFICE", "enter")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.resize_terminal(40, 12)
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and app.size == (40, 12)
        dialog = app.screen.query_one("#dialog").region
        assert dialog.x >= 0 and dialog.right <= 40 and dialog.bottom <= 12  # shrinks to fit
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        await pilot.press("y", *"smtp.example.com", "tab", "n", "f10")
        assert isinstance(app.screen, SmtpSettingsScreen)
        assert app.screen.message.text == "SMTP definition OFFICE saved"
    assert smtp_rows(db)[0]["name"] == "OFFICE"


async def test_resizing_under_the_unsaved_changes_question_keeps_what_was_typed(app, db) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "1", "1", *"OFFICE", "enter", "y", *"smtp.example.com", "escape")
        assert isinstance(app.screen, ConfirmScreen)
        for size in [(40, 12), (20, 6), SIZE]:
            await pilot.resize_terminal(*size)
            await pilot.pause()
        await pilot.press("n")  # no, do not discard
        assert isinstance(app.screen, SmtpSettingsScreen)
        assert app.screen.field("mail_server").value == "smtp.example.com"
        await pilot.press("f10")
        assert app.screen.message.text.startswith("SMTP definition OFFICE saved")


async def test_screens_underneath_follow_a_resize_when_they_come_back(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "1", "1")
        await pilot.resize_terminal(40, 12)
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        menu = app.screen
        assert menu.size == (40, 12) and menu.query_one("Footer").region.bottom == 12
        await pilot.resize_terminal(*SIZE)
        await pilot.press("1")
        await pilot.pause()
        assert app.screen.size == SIZE and app.screen.query_one("Footer").region.bottom == 24
