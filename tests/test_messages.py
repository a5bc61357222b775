"""The message line as a 5250 operator expects it: after an error the field
is ready to overtype, old messages go with the next key that acts, and one
Accept names every refused field (the rest behind F1, like a message subfile)."""

from __future__ import annotations

import pytest
from support import definition, fill, help_body, open_form, screen_lines, sizes, smtp_rows, user

from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.ui.app import FinconApp
from fincon_tui.ui.screens.confirm import ConfirmScreen
from fincon_tui.ui.screens.help import HelpScreen
from fincon_tui.ui.widgets.chrome import first_of

SIZE = (80, 24)


async def open_office(pilot):
    await open_form(pilot, 1, key="office")
    return pilot.app.screen


async def test_typing_after_an_error_replaces_the_field(app, db) -> None:
    app.smtp.save(definition(name="OFFICE"), PasswordChange.keep(), None)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_office(pilot)
        await fill(pilot, screen, mail_server="Nope:25")
        await pilot.press("f10")
        assert screen.message.text.startswith("Mail Server must not include a port")
        await pilot.press(*"relay.example.com", "f10")
        assert db["smtp_settings"].get("OFFICE")["mail_server"] == "relay.example.com"  # not Noperelay…


async def test_an_old_message_goes_with_the_next_key_that_acts(app) -> None:
    app.smtp.save(definition(name="OFFICE"), PasswordChange.keep(), None)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_office(pilot)
        assert screen.message.text.startswith("SMTP definition OFFICE: change the details")
        await pilot.press("tab", "tab", "tab", "tab", "end", ".")  # Port: a character it cannot take
        assert screen.message.text == "Port: digits only, 1-65535"
        await pilot.press("backspace")
        assert screen.message.text == "Port: digits only, 1-65535"  # typing keeps it to read
        await pilot.press("f1", "escape")
        assert screen.message.text == "Port: digits only, 1-65535"  # so does help
        await pilot.press("enter")
        assert screen.message.text == ""  # the next field: the message is old now


async def test_authenticate_n_names_both_login_fields_in_one_accept(app, db) -> None:
    app.smtp.save(definition(name="OFFICE"), PasswordChange.set("secret"), None)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_office(pilot)
        await fill(pilot, screen, authenticate="N")
        await pilot.press("f10")
        assert screen.message.text == (
            "Username must be empty when Authenticate is N (no login is used) (1 of 2: F1/^G lists all)"
        )
        assert app.focused.id == "username" and app.focused.selected_text == "bob"
        in_error = [field.id for field in screen.query(".-in-error")]
        assert in_error == ["username", "password"]
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        body = help_body(app.screen)
        assert body.startswith("Messages\nUsername")
        assert "\nPassword  . . . . . Password must be empty when Authenticate is N" in body
        await pilot.press("escape", "backspace", "tab", "backspace")
        assert list(screen.query(".-in-error")) == []  # mended fields lose the reverse image
        await pilot.press("f10")
        assert screen.message.text == "SMTP definition OFFICE saved"
    row = db["smtp_settings"].get("OFFICE")
    assert row["authenticate"] == "N" and row["username"] is None


async def test_delete_is_refused_before_asking_when_users_are_linked(seeded) -> None:
    seeded.users.save(user("BOB", "OFFICE"), PasswordChange.keep(), None)
    async with seeded.run_test(size=SIZE) as pilot:
        screen = await open_office(pilot)
        await pilot.press("f8")
        assert not isinstance(seeded.screen, ConfirmScreen)
        assert screen.message.text.startswith("Not deleted: SMTP definition OFFICE is used by 1 user (BOB)")


async def test_the_delete_question_names_a_password_only_when_there_is_one(seeded) -> None:
    async with seeded.run_test(size=SIZE) as pilot:
        await open_office(pilot)
        await pilot.press("f8")
        await pilot.pause()
        question = str(seeded.screen.query_one("#question").content)
        assert question == "Delete SMTP definition OFFICE? Its stored password is removed too."
        await pilot.press("n", "escape", "ctrl+u", *"relay", "enter", "f8")
        await pilot.pause()
        question = str(seeded.screen.query_one("#question").content)
        assert question == "Delete SMTP definition RELAY?"
        await pilot.press("y")
    assert [row["name"] for row in smtp_rows(seeded.smtp.store.db.utils)] == ["OFFICE", "OWN"]


async def stale_binding_message(app, size, help_key: str = "f1") -> list[str]:
    """F6 on OFFICE after its mail server was changed behind the form's
    back, at `size`: the message line's rows as painted."""
    app.smtp.save(definition(name="OFFICE"), PasswordChange.set("pw"), None)
    async with app.run_test(size=size) as pilot:
        screen = await open_office(pilot)
        app.smtp.store.db.execute("UPDATE smtp_settings SET mail_server = 'evil.example' WHERE name = 'OFFICE'")
        await pilot.press("f6", "enter")
        message = screen.message
        assert message.text == (
            "Cannot test: cannot use the stored password: enter the password again: the password of SMTP "
            "definition OFFICE was saved for bob at smtp.example.com, but the record now says mail server "
            "smtp.example.com -> evil.example (changed outside fincon-tui)")
        rows = screen_lines(app)[message.region.y:message.region.bottom]
        await pilot.press(help_key)
        assert help_body(app.screen).startswith(f"Messages\nError . . . . . . . {message.text}\n")
        await pilot.press(help_key, "tab")  # the next key that acts: the message goes, and with it F1's copy
        await pilot.press(help_key)
        assert not help_body(app.screen).startswith("Messages")
    return [row.strip() for row in rows]


@pytest.mark.parametrize("size", sizes(SIZE, (60, 20)))
async def test_a_message_too_long_for_its_line_says_what_to_do_first_and_f1_shows_it_whole(app, size) -> None:
    """Issue 22: the line stopped at '… but the record now says', with
    neither the change nor what to do in sight, and F1 showed only the help."""
    rows = await stale_binding_message(app, size)
    assert len(rows) == 2 and "enter the password again" in " ".join(rows)
    assert rows[-1].endswith("… F1/^G shows all")


async def test_a_cut_message_names_the_help_key_as_mapped(store, vault) -> None:
    app = FinconApp(store, vault, cursor_blink=False, keymap={"help": "f11"})
    rows = await stale_binding_message(app, SIZE, help_key="f11")
    assert rows[-1].endswith("… F11 shows all")


async def test_a_cut_message_keeps_its_count_and_is_fitted_again_after_a_resize(app) -> None:
    app.smtp.save(definition(name="OFFICE"), PasswordChange.keep(), None)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_office(pilot)
        words = " ".join(["word"] * 20)
        screen.message.error(first_of([f"do this first: {words}", "and another"], "F1/^G"))
        await pilot.pause()
        assert str(screen.message.visual) == f"do this first: {words} (1 of 2: F1/^G lists all)"  # it fits
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        shown = str(screen.message.visual)
        assert shown.startswith("do this first: word") and shown.endswith("word… (1 of 2: F1/^G lists all)")
        assert screen.message.region.height == 2
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        assert str(screen.message.visual) == f"do this first: {words} (1 of 2: F1/^G lists all)"
