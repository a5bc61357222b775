"""The SMTP Settings form driven by keys, as an admin would, against a real
SQLite file and the test keyring."""

from __future__ import annotations

import keyring
import pytest
from keyring.backends import fail
from keyring_backends import BrokenKeyring
from support import definition, fill, open_form, smtp_rows, stored_password, until
from textual import events

from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.domain.smtp import DECLARED
from fincon_tui.ui.screens.confirm import ConfirmScreen
from fincon_tui.ui.screens.smtp_settings import CREATE_QUESTION, SmtpSettingsScreen

SIZE = (80, 24)


def save_office(app) -> None:
    """A stored definition "Office" with password "old-password"."""
    app.smtp.save(definition(name="Office"), PasswordChange.set("old-password"), None)


async def open_smtp_settings(pilot, *, by_menu_digits: bool = False) -> SmtpSettingsScreen:
    """System / Mail Settings / SMTP Settings, opened as the menu opens it
    (by its digits, key by key, with `by_menu_digits`)."""
    await open_form(pilot, 1, by_menu_digits=by_menu_digits)
    screen = pilot.app.screen
    assert isinstance(screen, SmtpSettingsScreen)
    return screen


async def type_text(pilot, text: str) -> None:
    await pilot.press(*text)


async def create(pilot, name: str = "OFFICE", *, by_menu_digits: bool = False) -> SmtpSettingsScreen:
    """A new definition `name`, its details open (the name filled, not typed)."""
    screen = await open_smtp_settings(pilot, by_menu_digits=by_menu_digits)
    await fill(pilot, screen, name=name)
    await pilot.press("enter", "y")
    return screen


async def test_the_seed_article_step_by_step(app, store, db) -> None:
    async with app.run_test(size=SIZE) as pilot:
        # Navigate to System / Mail Settings / SMTP Settings.
        screen = await open_smtp_settings(pilot, by_menu_digits=True)
        assert app.focused.id == "name"
        assert all(screen.field(key).disabled for key in ("mail_server", "bcc"))
        # 1. Enter a descriptive name in SMTP Name, press Enter.
        await type_text(pilot, "Office 365")
        await pilot.press("enter")
        # 2. A confirmation window with the article's message.
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.query_one("#question").content == CREATE_QUESTION
        assert CREATE_QUESTION == (
            "The SMTP definition does not exist – do you want to create it?"
        )
        # 3. Yes.
        await pilot.press("y")
        assert app.screen is screen and app.focused.id == "mail_server"
        # Details: server, Authenticate, username, password, port, TLS, time out, BCC.
        await type_text(pilot, "smtp.office365.com")
        await pilot.press("enter")
        await pilot.press("y", "enter")
        await type_text(pilot, "accounts@corp.example")
        await pilot.press("enter")
        await type_text(pilot, "Tr0ub4dor&3")
        await pilot.press("enter")
        await type_text(pilot, "587")
        await pilot.press("enter", "y", "enter")
        await type_text(pilot, "45")
        await pilot.press("enter")
        await type_text(pilot, "audit@corp.example")
        # Save: Accept.
        await pilot.press("f10")
        assert screen.message.text == "SMTP definition Office 365 saved"
        assert app.focused.id == "name" and screen.field("name").value == ""
        assert screen.field("mail_server").disabled

    [row] = smtp_rows(db)
    typed = {
        "name": "Office 365",
        "mail_server": "smtp.office365.com",
        "authenticate": "Y",
        "username": "accounts@corp.example",
        "port": 587,
        "use_tls": "Y",
        "timeout_seconds": 45,
        "bcc": "audit@corp.example",
        "version": 1,
        "login_method": "P",
        "tenant": None,
        "client_id": None,
        "name_folded": "office 365",
    }
    # What the article types, and every field declared since left empty (NULL).
    empty = {field.name: None for field in DECLARED.stored if field.name not in typed}
    assert {k: v for k, v in row.items() if k not in ("created_at", "updated_at", "row_id")} == {**empty, **typed}
    assert stored_password(store, "smtp:Office 365") == "Tr0ub4dor&3"


async def test_create_defaults_and_tab_order(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await create(pilot)
        values = screen.form_values()
        assert (values["authenticate"], values["port"], values["use_tls"]) == ("Y", "587", "Y")
        assert values["timeout_seconds"] == "30"
        order = []
        for _ in DECLARED.fields:
            order.append(app.focused.id)
            await pilot.press("tab")
        # The declared order, back to the top: the seed article's fields first,
        # in its order, then OAuth 2.0's last (a field declared since: between).
        assert order == [field.name for field in DECLARED.fields[1:]] + ["mail_server"]
        assert order[:8] == ["mail_server", "authenticate", "username", "password", "port", "use_tls",
                             "timeout_seconds", "bcc"]
        assert order[-5:-1] == ["login_method", "tenant", "client_id", "client_secret"]
        # Authenticate=N does not change the order: Username stays reachable.
        assert app.focused.id == "authenticate"
        await pilot.press("n", "tab")
        assert app.focused.id == "username"


async def test_no_on_the_modal_returns_to_the_name_with_text_kept(app, db) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_smtp_settings(pilot)
        await type_text(pilot, "BRANCH")
        await pilot.press("enter", "n")
        assert app.screen is screen and app.focused.id == "name"
        assert screen.field("name").value == "BRANCH"
        await pilot.press("enter", "escape")
        assert app.screen is screen and screen.field("name").value == "BRANCH"
        assert screen.field("mail_server").disabled
    assert smtp_rows(db) == []


async def test_enter_on_yes_button_creates(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_smtp_settings(pilot)
        await type_text(pilot, "BRANCH")
        await pilot.press("enter", "enter")
        assert app.screen is screen and app.focused.id == "mail_server"


async def test_existing_definition_loads_case_insensitively_and_edits(app, store, db) -> None:
    save_office(app)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_smtp_settings(pilot)
        await type_text(pilot, "OFFICE")
        await pilot.press("enter")
        assert not isinstance(app.screen, ConfirmScreen)
        assert screen.field("name").value == "Office"
        assert screen.field("mail_server").value == "smtp.example.com"
        assert screen.password_field.value == screen.password_field.MASK
        assert app.focused.id == "mail_server"
        # Change the port only; the password mask is left alone.
        for _ in range(4):
            await pilot.press("tab")
        assert app.focused.id == "port"
        await type_text(pilot, "2525")
        await pilot.press("ctrl+s")
        assert screen.message.text == "SMTP definition Office saved"
    [row] = smtp_rows(db)
    assert (row["port"], row["version"]) == (2525, 2)
    assert stored_password(store, "smtp:Office") == "old-password"


async def test_a_new_mail_server_takes_the_stored_password_along_and_says_so(app, store) -> None:
    save_office(app)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_smtp_settings(pilot)
        await type_text(pilot, "office")
        await pilot.press("enter")
        await type_text(pilot, "smtp.new.example")
        await pilot.press("f10")
        assert screen.message.text == (
            "SMTP definition Office saved; the stored password now goes to smtp.new.example")
    assert stored_password(store, "smtp:Office") == "old-password"


async def test_clearing_the_masked_password_removes_it(app, store) -> None:
    save_office(app)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_smtp_settings(pilot)
        await type_text(pilot, "office")
        await pilot.press("enter", "tab", "tab", "tab", "backspace")
        assert screen.password_field.value == ""
        await pilot.press("f10")
        assert "saved" in screen.message.text
    assert stored_password(store, "smtp:Office") is None


async def test_typing_over_the_mask_replaces_the_whole_password(app) -> None:
    save_office(app)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_smtp_settings(pilot)
        await type_text(pilot, "office")
        await pilot.press("enter", "tab", "tab", "tab", "end")
        await type_text(pilot, "new")
        assert screen.password_field.value == "new"
        await pilot.press("f10")
    assert stored_password(app.smtp.store, "smtp:Office") == "new"


async def test_yes_no_fields_take_one_letter_and_refuse_others(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await create(pilot)
        await pilot.press("tab")
        assert app.focused.id == "authenticate"
        await pilot.press("n")
        assert screen.field("authenticate").value == "N"
        await pilot.press("x")
        assert screen.field("authenticate").value == "N"
        assert screen.message.text == "Authenticate: type Y or N"
        await pilot.press("y")
        assert screen.field("authenticate").value == "Y"


@pytest.mark.parametrize("field", ["port", "timeout_seconds"])
async def test_a_number_field_refuses_a_letter_as_it_is_typed_or_pasted(app, field: str) -> None:
    """As a 5250 numeric field: the key itself is refused, with the bell and
    the field's hint, and the digits typed so far stay as they were."""
    hint = "digits only, " + ("1-300" if field == "timeout_seconds" else "1-65535")
    async with app.run_test(size=SIZE) as pilot:
        screen = await create(pilot)
        rang: list[bool] = []
        app.bell = lambda: rang.append(True)  # type: ignore[method-assign]
        screen.field(field).focus()
        await pilot.press("ctrl+u", "1", "N")
        assert screen.field(field).value == "1" and rang == [True]
        assert screen.message.text.endswith(hint)
        screen.message.clear()
        await pilot.press("2")
        assert screen.field(field).value == "12" and screen.message.text == ""
        app.post_message(events.Paste("5x"))
        await pilot.pause()
        await pilot.pause()
        assert screen.field(field).value == "12" and rang == [True, True]
        assert screen.message.text.endswith(hint)
        app.post_message(events.Paste("5"))
        await pilot.pause()
        await pilot.pause()
        assert screen.field(field).value == "125"


async def assert_refused(app, db, values: dict[str, str], field: str, message: str) -> None:
    """Fill a new definition with `values` and Accept: the error names the
    field, focus moves to it, nothing is written and nothing typed is lost."""
    async with app.run_test(size=SIZE) as pilot:
        screen = await create(pilot)
        await fill(pilot, screen, **values)
        typed = screen.form_values()
        await pilot.press("f10")
        assert screen.message.text.startswith(message), screen.message.text
        assert app.focused.id == field
        assert app.focused.selected_text == app.focused.value  # typing overtypes it
        assert screen.form_values() == typed
        assert not screen.field("mail_server").disabled
        app.last_message = screen.message.text
    assert smtp_rows(db) == []


SERVER = {"mail_server": "mail.example.com"}


async def test_missing_mail_server(app, db) -> None:
    await assert_refused(app, db, {}, "mail_server", "Mail Server is required")


async def test_host_with_port(app, db) -> None:
    values = {"mail_server": "mail.example.com:25"}
    await assert_refused(app, db, values, "mail_server", "Mail Server must not include a port")


async def test_port_out_of_range(app, db) -> None:
    await assert_refused(app, db, {**SERVER, "port": "70000"}, "port", "Port must be from 1 to 65535")


async def test_port_zero(app, db) -> None:
    await assert_refused(app, db, {**SERVER, "port": "0"}, "port", "Port must be from 1 to 65535 (not 0)")


async def test_time_out_out_of_range(app, db) -> None:
    values = {**SERVER, "timeout_seconds": "301"}
    await assert_refused(app, db, values, "timeout_seconds", "Time Out (Seconds) must be from 1 to 300")


async def test_empty_time_out(app, db) -> None:
    values = {**SERVER, "timeout_seconds": ""}
    await assert_refused(app, db, values, "timeout_seconds", "Time Out (Seconds) is required")


async def test_bad_bcc(app, db) -> None:
    values = {**SERVER, "bcc": "audit-at-corp"}
    await assert_refused(app, db, values, "bcc", "BCC is not a valid email address")


async def test_username_with_authenticate_n(app, db) -> None:
    values = {**SERVER, "authenticate": "N", "username": "bob"}
    await assert_refused(app, db, values, "username", "Username must be empty when Authenticate is N")


async def test_password_without_username(app, db) -> None:
    values = {**SERVER, "password": "secret"}
    await assert_refused(app, db, values, "username", "Username is required when a password is given")


async def test_several_errors_name_the_first_and_count_the_rest(app, db) -> None:
    values = {"timeout_seconds": "", "bcc": "x"}
    await assert_refused(app, db, values, "mail_server", "Mail Server is required")
    assert app.last_message.endswith("(1 of 3: F1/^G lists all)")


async def test_authenticate_y_without_username_says_users_bring_their_own(app, db) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await create(pilot, "SHARED")
        await fill(pilot, screen, mail_server="mail.example.com")
        await pilot.press("f10")
        assert screen.message.text == (
            "SMTP definition SHARED saved; no shared login, so each user needs their own"
        )
    assert smtp_rows(db)[0]["username"] is None


async def test_empty_name_is_refused_on_enter(app, db) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_smtp_settings(pilot)
        await pilot.press("space", "enter")
        assert screen.message.text == "SMTP Name is required"
        assert app.screen is screen and app.focused.id == "name"


async def test_accept_before_lookup_explains(app, db) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_smtp_settings(pilot)
        await pilot.press("f10")
        assert screen.message.text == "Type the SMTP Name and press Enter first"


async def test_keyring_failure_keeps_everything_typed(app, db) -> None:
    keyring.set_keyring(BrokenKeyring())
    async with app.run_test(size=SIZE) as pilot:
        screen = await create(pilot)
        await fill(pilot, screen, mail_server="mail.example.com")
        await pilot.press("tab", "tab", *"bob", "tab", *"pw")
        typed = screen.form_values()
        await pilot.press("f10")
        assert screen.message.text == "Not saved: the keyring could not store: the keychain is locked"
        assert "pw" not in screen.message.text.replace("password", "")
        assert screen.form_values() == typed and screen.password_field.value == "pw"
        assert app.focused.id == "password"
    assert smtp_rows(db) == []


async def test_no_keyring_backend_keeps_the_key_in_a_key_file(app, store) -> None:
    keyring.set_keyring(fail.Keyring())
    async with app.run_test(size=SIZE) as pilot:
        screen = await create(pilot)
        info = screen.query_one("#store-info")
        assert str(info.content) == "Passwords: encrypted in the database, key made with the first one saved"
        await fill(pilot, screen, mail_server="mail.example.com")
        await pilot.press("tab", "tab", *"bob", "tab", *"pw", "f10")
        assert screen.message.text == "SMTP definition OFFICE saved"
        assert str(info.content).startswith("Passwords: encrypted in the database, key in key file ~/")
    assert stored_password(store, "smtp:OFFICE") == "pw"


async def test_escape_with_unsaved_changes_asks_first(app, db) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await create(pilot, by_menu_digits=True)
        await fill(pilot, screen, mail_server="mail.example.com")
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmScreen)
        assert "Unsaved changes to SMTP definition OFFICE will be lost" in str(
            app.screen.query_one("#question").content
        )
        await pilot.press("enter")  # the default button is No
        assert app.screen is screen and screen.field("mail_server").value == "mail.example.com"
        await pilot.press("escape", "y")
        assert app.focused.id == "name" and screen.field("name").value == "OFFICE"
        assert screen.field("mail_server").disabled and screen.field("mail_server").value == ""
        await pilot.press("escape")
        assert app.screen.PATH == "System / Mail Settings"
    assert smtp_rows(db) == []


async def test_f3_leaves_the_screen_without_asking_when_nothing_changed(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await create(pilot, by_menu_digits=True)
        await pilot.press("f3")
        assert app.screen.PATH == "System / Mail Settings"


async def test_f3_with_changes_asks_then_leaves(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await create(pilot, by_menu_digits=True)
        await type_text(pilot, "x")
        await pilot.press("f3")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        assert app.screen.PATH == "System / Mail Settings"


async def test_ctrl_q_with_unsaved_changes_asks(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await create(pilot)
        await type_text(pilot, "x")
        await pilot.press("ctrl+q")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert app.screen is screen and app.is_running
        await pilot.press("ctrl+q", "y")
        assert not app.is_running


async def test_saving_twice_in_a_row_without_leaving(app, db) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await create(pilot, "ONE")
        await type_text(pilot, "one.example.com")
        await pilot.press("f10")
        await type_text(pilot, "two")
        await pilot.press("enter", "y")
        await type_text(pilot, "two.example.com")
        await pilot.press("f10")
        assert screen.message.text.startswith("SMTP definition two saved")
    assert [row["name"] for row in smtp_rows(db)] == ["ONE", "two"]


async def test_enter_accept_and_yes_buttons_work_with_the_mouse(app, db) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_smtp_settings(pilot)
        await type_text(pilot, "CLICKED")
        await pilot.click("#lookup")  # a click's effect comes through messages the click does not wait for
        await until(lambda: isinstance(app.screen, ConfirmScreen), "Enter clicked asks the question")
        await pilot.click("#yes")
        await until(lambda: app.screen is screen, "Yes closes the question")  # its dismiss may paint later
        assert app.focused.id == "mail_server"
        await fill(pilot, screen, mail_server="mail.example.com")
        await pilot.click("#accept")
        await until(lambda: screen.message.text.startswith("SMTP definition CLICKED saved"), "Accept clicked saves")
    assert [row["name"] for row in smtp_rows(db)] == ["CLICKED"]


@pytest.mark.parametrize(("field", "typed", "message"), [
    ("timeout_seconds", "0", "Time Out (Seconds) must be from 1 to 300 (not 0)"),
    ("port", "65536", "Port must be from 1 to 65535 (not 65536)"),
])
async def test_numbers_out_of_range_are_refused_by_name(app, db, field: str, typed: str, message: str) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await create(pilot)
        await fill(pilot, screen, mail_server="mail.example.com")
        screen.field(field).focus()
        await pilot.press("ctrl+u", *typed)
        assert screen.field(field).value == typed  # digits: all taken
        await pilot.press("f10")
        assert screen.message.text == message and app.focused.id == field
    assert smtp_rows(db) == []
