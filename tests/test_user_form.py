"""User Email Settings, F4 look-up lists and Delete, driven by keys."""

from __future__ import annotations

import asyncio
import threading

from support import fill, open_form, stored_password, until
from test_typeahead import send_burst

from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.domain.users import UserEmailSettings
from fincon_tui.ui.screens.confirm import ConfirmScreen
from fincon_tui.ui.screens.lookup import LookupScreen
from fincon_tui.ui.screens.smtp_settings import SmtpSettingsScreen
from fincon_tui.ui.screens.user_settings import CREATE_QUESTION, UserEmailSettingsScreen

SIZE = (80, 24)


async def open_users(pilot, *, by_menu_digits: bool = False) -> UserEmailSettingsScreen:
    """System / Mail Settings / User Email Settings, opened as the menu opens
    it (by its digits, key by key, with `by_menu_digits`)."""
    await open_form(pilot, 2, by_menu_digits=by_menu_digits)
    screen = pilot.app.screen
    assert isinstance(screen, UserEmailSettingsScreen)
    return screen


async def new_user(pilot, code: str = "alice") -> UserEmailSettingsScreen:
    screen = await open_users(pilot)
    await fill(pilot, screen, user_code=code)
    await pilot.press("enter")
    assert isinstance(pilot.app.screen, ConfirmScreen)
    assert str(pilot.app.screen.query_one("#question").content) == CREATE_QUESTION
    await pilot.press("y")
    return screen


def login_line(screen) -> str:
    return str(screen.query_one("#login-used").content)


async def test_create_user_settings_with_own_login(seeded, store, db) -> None:
    app = seeded
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_users(pilot, by_menu_digits=True)
        await pilot.press(*"alice", "enter", "y")
        assert screen.field("user_code").value == "ALICE"
        assert app.focused.id == "smtp_name"
        await pilot.press(*"office", "enter")
        assert login_line(screen) == "Login used: shared@corp.example (from SMTP definition OFFICE)"
        await pilot.press(*"alice@corp.example", "enter")
        assert login_line(screen) == "Login used: alice@corp.example (from user settings) – MISSING: no password"
        await pilot.press(*"alice-pw", "enter")
        assert login_line(screen) == "Login used: alice@corp.example (from user settings)"
        assert app.focused.id == "login_method"  # empty: as the definition does
        await pilot.press("enter", *"Alice Smith", "enter", *"alice@corp.example", "enter")
        await pilot.press(*"Accountant", "enter", *"+27 21 555 0100", "enter", *"CC-7")
        await pilot.press("f10")
        assert screen.message.text == "User email settings ALICE saved"
        assert app.focused.id == "user_code"
    [row] = list(db["user_email_settings"].rows)
    assert (row["user_code"], row["smtp_name"], row["smtp_username"]) == ("ALICE", "OFFICE", "alice@corp.example")
    assert (row["job_title"], row["telephone"], row["user_defined_1"]) == ("Accountant", "+27 21 555 0100", "CC-7")
    assert stored_password(store, "user:ALICE") == "alice-pw"


async def test_login_line_for_each_kind_of_definition(seeded) -> None:
    async with seeded.run_test(size=SIZE) as pilot:
        screen = await new_user(pilot)
        assert login_line(screen) == "Login used: (choose an SMTP Definition)"
        await pilot.press(*"own")
        assert login_line(screen) == ("Login used: MISSING: SMTP definition OWN has no shared login, and the user "
                                      "has none of their own")
        await pilot.press("ctrl+u", *"relay")
        assert login_line(screen) == "Login used: none, SMTP definition RELAY does not authenticate"
        await pilot.press("ctrl+u", *"nope")
        assert login_line(screen) == "Login used: unknown, SMTP definition nope does not exist"


async def test_unknown_definition_is_refused(seeded, db) -> None:
    async with seeded.run_test(size=SIZE) as pilot:
        screen = await new_user(pilot)
        await fill(pilot, screen, smtp_name="nowhere", sender_name="Al", sender_email="al@x.example")
        await pilot.press("f10")
        assert screen.message.text == "SMTP Definition nowhere does not exist (F4/^P lists them)"
        assert seeded.focused.id == "smtp_name"
    assert list(db["user_email_settings"].rows) == []


async def test_f4_on_smtp_definition_picks_into_the_field(seeded) -> None:
    async with seeded.run_test(size=SIZE) as pilot:
        screen = await new_user(pilot)
        await pilot.press("f4")
        lookup = seeded.screen
        assert isinstance(lookup, LookupScreen)
        assert lookup.query_one("#lookup-list").keys == ["OFFICE", "OWN", "RELAY"]
        await pilot.press("r", "e")
        assert lookup.query_one("#lookup-list").keys == ["RELAY"]
        await pilot.press("enter")
        assert seeded.screen is screen
        assert screen.field("smtp_name").value == "RELAY"
        assert seeded.focused.id == "smtp_name"  # as after every pick (Mail Server's too): Enter moves on


async def test_a_longer_definition_picked_is_replaced_whole_by_the_next_key(people) -> None:
    """ALICE is on OWN; OFFICE picked over it is all selected, not the
    first three characters that OWN's selection covered ('xICE')."""
    async with people.run_test(size=SIZE) as pilot:
        screen = await open_form(pilot, 2, key="ALICE")
        assert people.focused.id == "smtp_name"
        await pilot.press("f4", "enter")  # OFFICE, the first row
        field = screen.field("smtp_name")
        assert (field.value, field.selection, people.focused) == ("OFFICE", (0, 6), field)
        await pilot.press("x")
        assert field.value == "x"


async def test_ctrl_p_is_the_f4_fallback_and_esc_closes(seeded) -> None:
    async with seeded.run_test(size=SIZE) as pilot:
        screen = await new_user(pilot)
        await pilot.press("ctrl+p")
        assert isinstance(seeded.screen, LookupScreen)
        await pilot.press("down", "escape")
        assert seeded.screen is screen and screen.field("smtp_name").value == ""


async def test_f4_on_a_key_field_loads_the_picked_record(seeded) -> None:
    async with seeded.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1)
        await pilot.press("f4", "down", "enter")
        screen = seeded.screen
        assert isinstance(screen, SmtpSettingsScreen)
        assert screen.field("name").value == "OWN" and seeded.focused.id == "mail_server"


async def test_f4_elsewhere_says_where_it_works(seeded) -> None:
    async with seeded.run_test(size=SIZE) as pilot:
        screen = await new_user(pilot)
        await pilot.press("tab", "tab", "tab", "f4")
        assert screen.message.text == "F4/^P lists values for User and SMTP Definition only"


async def test_delete_user_after_confirmation(seeded, store, db) -> None:
    seeded.users.save(
        UserEmailSettings("BOB", "OFFICE", "bob", "Bob", "bob@corp.example"), PasswordChange.set("bob-pw"), None
    )
    async with seeded.run_test(size=SIZE) as pilot:
        screen = await open_users(pilot)
        await pilot.press(*"bob", "enter", "f8")
        assert isinstance(seeded.screen, ConfirmScreen)
        assert "Delete User email settings BOB?" in str(seeded.screen.query_one("#question").content)
        await pilot.press("enter")  # default No
        assert seeded.users.load("BOB") is not None
        await pilot.press("ctrl+d", "y")
        assert screen.message.text == "User email settings BOB deleted"
        assert seeded.focused.id == "user_code"
    assert list(db["user_email_settings"].rows) == []
    assert stored_password(store, "user:BOB") is None


async def test_linked_definition_delete_is_refused_with_names(seeded) -> None:
    seeded.users.save(UserEmailSettings("BOB", "OFFICE", "", "Bob", "bob@corp.example"), PasswordChange.keep(), None)
    async with seeded.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="office")
        await pilot.press("f8")
        screen = seeded.screen  # refused before asking: no question to answer
        assert screen.message.text == (
            "Not deleted: SMTP definition OFFICE is used by 1 user (BOB): "
            "link them to another definition first"
        )
        assert screen.field("mail_server").value == "smtp.example.com"  # still open, nothing lost
    assert seeded.smtp.load("OFFICE") is not None


async def test_unlinked_definition_is_deleted_from_the_form(seeded) -> None:
    async with seeded.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="office")
        await pilot.press("f8", "y")
        assert seeded.screen.message.text == "SMTP definition OFFICE deleted"
    assert seeded.smtp.load("OFFICE") is None and stored_password(seeded.smtp.store, "smtp:OFFICE") is None


async def test_delete_of_an_unsaved_record_explains(seeded) -> None:
    async with seeded.run_test(size=SIZE) as pilot:
        screen = await new_user(pilot)
        await pilot.press("f8")
        assert screen.message.text == "User email settings ALICE is not saved yet: F12/Esc discards it"


async def test_saving_a_definition_without_login_counts_users_lacking_one(seeded) -> None:
    seeded.users.save(UserEmailSettings("AMY", "OWN", "", "Amy", "amy@corp.example"), PasswordChange.keep(), None)
    seeded.users.save(UserEmailSettings("BOB", "OWN", "bob", "Bob", "bob@corp.example"), PasswordChange.keep(), None)
    async with seeded.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="own")
        await pilot.press("tab", "tab", "tab", "tab", *"2525", "f10")
        assert seeded.screen.message.text == (
            "SMTP definition OWN saved; no shared login: 1 linked user lacks a login of their own"
        )


async def test_user_code_rules_on_enter(seeded) -> None:
    async with seeded.run_test(size=SIZE) as pilot:
        screen = await open_users(pilot)
        await pilot.press(*"al ice", "enter")
        assert screen.message.text == "User takes 1-20 letters, digits, '.', '_' or '-' (no spaces)"
        assert seeded.screen is screen


async def test_a_user_who_cannot_send_yet_is_saved_with_a_warning_why(seeded, db) -> None:
    async with seeded.run_test(size=SIZE) as pilot:
        screen = await new_user(pilot, "jsmith")
        await fill(pilot, screen, smtp_name="own", sender_name="J Smith", sender_email="j@corp.example")
        await pilot.press("f10")
        assert screen.message.text == (
            "User email settings JSMITH saved; this user cannot send yet: User JSMITH has no SMTP login, "
            "and SMTP definition OWN has no shared one"
        )


async def test_accept_with_nothing_changed_writes_nothing(seeded, db) -> None:
    async with seeded.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="office")
        await pilot.press("f10")
        assert seeded.screen.message.text == "SMTP definition OFFICE: nothing changed, nothing saved"
    assert next(db["smtp_settings"].rows)["version"] == 1
    assert db["audit_log"].count == 3  # the three seeded creates only



async def test_keys_typed_ahead_do_not_wait_for_the_login_line_and_the_last_name_wins(seeded) -> None:
    """With the database thread held up, a burst over SMTP Definition and
    Username lands whole and in order (no key waits for the 'Login used'
    line's reads); once the reads end, each older than the name on screen,
    the line is the last values': no late read of x or 'offic' shows."""
    async with seeded.run_test(size=SIZE) as pilot:
        screen = await new_user(pilot)
        await pilot.press(*"office")
        assert login_line(screen) == "Login used: shared@corp.example (from SMTP definition OFFICE)"
        go_on = threading.Event()
        held = asyncio.ensure_future(seeded.database.run(go_on.wait))
        await send_burst(seeded, ["ctrl+u", "x", "ctrl+u", *"office", "enter", *"alice@corp.example"])
        assert (screen.field("smtp_name").value, screen.field("smtp_username").value) == (
            "office", "alice@corp.example")
        go_on.set()
        await held
        await until(lambda: not seeded.database.busy, "the line's reads of a definition to end")
        assert login_line(screen) == "Login used: alice@corp.example (from user settings) – MISSING: no password"
