"""Faults met through the screens: a missing key, pasted garbage,
a terminal shrunk to 40x12 under a modal.  Nothing typed is lost, nothing
broken is stored, no traceback."""

from __future__ import annotations

import keyring
import pytest
from keyring.backends import fail
from keyring_backends import FileKeyring
from support import definition, open_form, smtp_rows, stored_password
from textual import events

from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.keystore.vault import PasswordVault
from fincon_tui.ui.app import FinconApp
from fincon_tui.ui.screens.confirm import ConfirmScreen
from fincon_tui.ui.screens.smtp_settings import SmtpSettingsScreen

SIZE = (80, 24)


async def paste(pilot, text: str) -> None:
    """As the terminal delivers a paste (bracketed paste)."""
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()
    await pilot.pause()


async def test_a_missing_key_is_named_and_the_rest_of_the_form_still_saves(app, store) -> None:
    from fincon_tui.services.hosts import this_host

    app.smtp.save(definition(name="OFFICE"), PasswordChange.set("keep-me"), None)
    key_id = store.info.key_id()
    keyring.set_keyring(fail.Keyring())  # another admin, headless, without the key
    other = FinconApp(store, PasswordVault(), cursor_blink=False)
    async with other.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="office")
        screen = other.screen
        text = screen.message.text
        assert text.startswith(f"Password: the passwords of this database were saved with key {key_id}; ")
        assert f"this account on host {this_host()} has no such key" in text and screen.message.has_class("-warning")
        assert screen.password_field.value == "********"
        await pilot.press("tab", "tab", "tab", "tab", *"2525", "f10")
        assert screen.message.text == "SMTP definition OFFICE saved"
    assert store.smtp.get("OFFICE").record.port == 2525
    keyring.set_keyring(FileKeyring())
    assert stored_password(store, "smtp:OFFICE") == "keep-me"


async def test_a_keyring_that_does_not_answer_is_waited_for_in_view_and_esc_stops_the_wait(app, store) -> None:
    """Opening a record opens its password, whose key is in a keyring that
    hangs: the message line says so while it waits, Esc stops the wait (and
    does nothing else), and the record opens saying why its password is not
    there, that first."""
    from keyring_backends import HangingKeyring
    from support import until

    app.smtp.save(definition(name="OFFICE"), PasswordChange.set("keep-me"), None)  # its key in the keyring
    keyring.set_keyring(HangingKeyring())
    other = FinconApp(store, PasswordVault(timeout=86400), cursor_blink=False)
    async with other.run_test(size=SIZE) as pilot:
        screen = await open_form(pilot, 1)
        screen.field("name").value = "office"
        other.post_message(events.Key("enter", "\r"))  # as typed: Pilot's press would wait for the work to end
        await until(lambda: screen.message.text.startswith("Waiting for the keyring ("), "the wait shown")
        assert screen.message.text.endswith(" s) – F12/Esc to stop waiting") and not screen.is_open
        other.post_message(events.Key("escape", None))
        await until(lambda: screen.is_open, "the record opened")
        assert other.screen is screen
        assert screen.message.text.startswith(
            f"Password: you stopped waiting for the keyring: key {store.info.key_id()}, which the passwords "
            "of this database were saved with, may be there; no other place holds it")


async def test_a_keyring_that_times_out_is_named_first(app, store) -> None:
    from keyring_backends import HangingKeyring

    app.smtp.save(definition(name="OFFICE"), PasswordChange.set("keep-me"), None)
    keyring.set_keyring(HangingKeyring())
    other = FinconApp(store, PasswordVault(timeout=0.2), cursor_blink=False)
    async with other.run_test(size=SIZE) as pilot:
        screen = await open_form(pilot, 1, key="office")
        assert screen.is_open and screen.message.text.startswith(
            f"Password: the keyring did not answer within 0.2 s: key {store.info.key_id()}, which ")


async def test_pasted_control_characters_are_refused_naming_the_field(app, store) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="OFFICE")
        await pilot.press("y")
        await paste(pilot, "smtp.\x1b[31mexample\x07.com")
        await pilot.press("f10")
        screen = app.screen
        assert screen.message.text.startswith("Mail Server ")
        assert app.focused.id == "mail_server"
        assert app.focused.value == "smtp.\x1b[31mexample\x07.com"  # kept for mending
    assert store.smtp.search("", 1) == []


async def test_a_paste_longer_than_the_field_is_refused_whole(app, store) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="OFFICE")
        await pilot.press("y", *"smtp.example.com")
        await paste(pilot, "x" * 5000)
        assert app.screen.message.text == "Mail Server: at most 253 characters"
        assert app.focused.value == "smtp.example.com"


async def test_a_multi_line_paste_takes_its_first_line(app, store) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1)
        await paste(pilot, "Office\nrm -rf /\n")
        assert app.focused.value == "Office"


@pytest.mark.parametrize(
    ("pasted", "stored"),
    [
        ("  smtp.example.com  ", "smtp.example.com"),
        ("Bücher.Example", "bücher.example"),
    ],
)
async def test_pasted_hosts_are_cleaned_before_they_are_stored(app, store, pasted, stored) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="OFFICE")
        await pilot.press("y")
        await paste(pilot, pasted)
        await pilot.press("tab", "n", "f10")
        assert app.screen.message.text == "SMTP definition OFFICE saved", app.screen.message.text
    assert store.smtp.get("OFFICE").record.mail_server == stored


@pytest.mark.parametrize("garbage", ["smtp☃.example", "smtp..example", "-smtp.example", "exa mple.com"])
async def test_garbage_host_names_are_refused(app, store, garbage) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="OFFICE")
        await pilot.press("y")
        await paste(pilot, garbage)
        await pilot.press("tab", "n", "f10")
        assert app.screen.message.text.startswith("Mail Server ")
        assert app.focused.id == "mail_server"
    assert store.smtp.search("", 1) == []


async def test_resizing_to_40x12_and_back_under_the_create_modal_loses_nothing(app, db) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="OFFICE")
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


async def test_resizing_under_the_unsaved_changes_question_keeps_what_was_typed(app, store) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="OFFICE")
        await pilot.press("y", *"smtp.example.com", "escape")
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
        await open_form(pilot, 1)
        # 60x20 is the smallest size shown in full (smaller ones say the terminal is too small).
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        menu = app.screen
        assert menu.size == (60, 20) and menu.query_one("KeyLegend").region.bottom == 20
        await pilot.resize_terminal(*SIZE)
        await pilot.press("1")
        await pilot.pause()
        assert app.screen.size == SIZE and app.screen.query_one("KeyLegend").region.bottom == 24


async def test_a_lost_database_info_row_is_reported_and_the_rest_works(store, db) -> None:
    from fincon_tui.ui.app import FinconApp

    service_app = FinconApp(store, PasswordVault(), cursor_blink=False)
    service_app.smtp.save(definition(name="OFFICE"), PasswordChange.set("pw"), None)
    service_app.smtp.save(definition(name="RELAY", authenticate=False, username=""), PasswordChange.keep(), None)
    db.execute("DELETE FROM database_info")  # another tool
    app = FinconApp(store, PasswordVault(), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="relay")
        assert app.screen.is_open
        assert "database_info has lost its row" in str(app.screen.query_one("#store-info").content)
        await pilot.press("escape", *"office", "enter")
        assert app.screen.is_open and "database_info has lost its row" in app.screen.message.text
