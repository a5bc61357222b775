"""Provider hints on the SMTP form: presets fill only untouched fields, F4
on Mail Server lists the providers, Microsoft 365 password logins are flagged."""

from __future__ import annotations

import pytest
from conftest import definition
from support import open_form

from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.domain.providers import M365_PASSWORD_FLAG, find
from fincon_tui.ui.screens.lookup import LookupScreen

SIZE = (80, 24)


def test_the_table_knows_each_provider_by_its_host() -> None:
    assert find("smtp.office365.com").name == "Microsoft 365"
    assert find("SMTP.GMAIL.COM").name == "Google Workspace / Gmail"
    assert find("email-smtp.eu-west-1.amazonaws.com").name == "Amazon SES"
    assert find("smtp.example.com") is None


async def test_a_known_server_fills_port_and_tls_where_untouched(app) -> None:
    app.smtp.save(definition(name="RELAY", mail_server="relay.corp.example", port=25, use_tls=False,
                             authenticate=False, username=""), PasswordChange.keep(), None)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="relay")
        form = app.screen
        await pilot.press(*"smtp.sendgrid.net")
        assert (form.field("port").value, form.field("use_tls").value) == ("587", "Y")
        assert form.message.text.startswith("smtp.sendgrid.net is SendGrid: filled Port 587 and Use TLS Y")
        assert "apikey" in form.message.text


async def test_a_typed_port_is_kept(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="MAIL")
        await pilot.press("y")
        form = app.screen
        await pilot.press("tab", "tab", "tab", "tab", *"2525", "shift+tab", "shift+tab", "shift+tab", "shift+tab")
        assert app.focused.id == "mail_server"
        await pilot.press(*"smtp.gmail.com")
        assert form.field("port").value == "2525" and form.field("use_tls").value == "Y"
        assert "kept Port 2525 (typed; Google Workspace / Gmail uses 587)" in form.message.text


async def test_f4_on_mail_server_lists_the_providers(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="MAIL")
        await pilot.press("y", "f4")
        assert isinstance(app.screen, LookupScreen)
        await pilot.press(*"goog", "enter")
        form = app.screen
        assert form.field("mail_server").value == "smtp.gmail.com"


@pytest.mark.parametrize(("typed", "host"), [("micro", "smtp.office365.com"),
                                              ("amazon", "email-smtp.us-east-1.amazonaws.com")])
async def test_a_provider_picked_over_a_mail_server_is_replaced_whole_by_the_next_key(
    app, typed: str, host: str
) -> None:
    """The selection of smtp.example.com (16 characters) stayed on the
    picked host: typing x gave 'xom' and 'xst-1.amazonaws.com'."""
    app.smtp.save(definition(name="OFFICE"), PasswordChange.keep(), None)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, 1, key="OFFICE")
        await pilot.press("f4", *typed, "enter")
        field = form.field("mail_server")
        assert (field.value, field.selection, app.focused) == (host, (0, len(host)), field)
        await pilot.press("x")
        assert field.value == "x"


async def test_the_form_flags_a_password_login_to_microsoft_365(app) -> None:
    app.smtp.save(definition(name="OLD", mail_server="smtp.office365.com"), PasswordChange.set("x"), None)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="old")
        note = app.screen.query_one("#provider-note")
        assert note.display and str(note.content) == f"! {M365_PASSWORD_FLAG}"
        await pilot.press("tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "m")  # Login Method
        assert app.focused.id == "login_method" and not note.display
