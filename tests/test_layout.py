"""Nothing cut at 80x24, forms taller than the screen in 5250 pages, and a
wide terminal's form in the middle."""

from __future__ import annotations

import time

import pytest
from smtp_servers import smtp_server
from support import definition, open_form, screen_lines, screen_text

from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.ui.screens.smtp_session import SmtpSessionScreen

SIZE = (80, 24)


def form_lines(app) -> list[str]:
    """The rows between the title bar and the message line."""
    return screen_lines(app)[1:-3]


async def test_the_user_form_at_80x24_cuts_nothing_and_pages(seeded) -> None:
    async with seeded.run_test(size=SIZE) as pilot:
        await open_form(pilot, 2, key="alice")
        await pilot.press("y", *"RELAY", "enter")
        screen = seeded.screen
        lines = form_lines(seeded)
        assert sum(line.rstrip().endswith("optional") for line in lines) == 2
        assert sum(line.rstrip().endswith("required") for line in lines) == 2
        assert any(line.rstrip().endswith("F4/^P=List") or line.rstrip().endswith("F4=List") for line in lines)
        assert "Login used: none, SMTP definition RELAY does not authenticate" in screen_text(seeded)
        # Taller than the screen: the foot of the form says so, as a 5250 does.
        assert lines[-1].rstrip().endswith("More...")
        assert "Passwords:" not in screen_text(seeded)
        await pilot.press("pagedown")
        assert form_lines(seeded)[-1].rstrip().endswith("Bottom")
        assert "Passwords:" in screen_text(seeded)
        focused = seeded.focused
        form = screen.query_one("#form")
        assert focused is not None and form.region.contains_region(focused.region)  # on the page shown
        assert focused.id == "login_method"  # the first field of the last page
        await pilot.press("pagedown")
        assert form_lines(seeded)[-1].rstrip().endswith("Bottom")  # nothing after the last page
        await pilot.press("pageup")
        assert form_lines(seeded)[-1].rstrip().endswith("More...")
        assert seeded.focused.id == "smtp_name"  # the first field of the first page


async def test_the_smtp_form_fits_one_page_at_80x24(seeded) -> None:
    async with seeded.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="office")
        text = screen_text(seeded)
        assert "More..." not in text and "Bottom" not in text
        assert "BCC" in text and "optional" in text and "Passwords:" in text


@pytest.mark.parametrize("path", [("1", "1", "1"), ("1",), ("1", "1", "3")])
async def test_a_wide_terminal_has_the_page_in_the_middle(seeded, path) -> None:
    async with seeded.run_test(size=(120, 40)) as pilot:
        await pilot.press(*path)
        page = seeded.screen.query_one("#body").children[0]
        assert page.region.x == (120 - 80) // 2 and page.region.width == 80


async def test_the_test_email_window_cuts_nothing(seeded) -> None:
    async with seeded.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="office")
        await pilot.press("f7")
        await pilot.pause()
        assert any("As user" in line and "optional" in line for line in screen_lines(seeded))


async def test_session_lines_wrap_and_the_saved_log_shows_its_whole_path(app, certs) -> None:
    with smtp_server(starttls=certs.server_context("mail.elsewhere.example")) as (port, _):
        app.smtp.save(definition(name="OFFICE", mail_server="localhost", port=port, timeout_seconds=5),
                      PasswordChange.set("bob-pw"), None)
        async with app.run_test(size=SIZE) as pilot:
            await open_form(pilot, 1, key="office")
            await pilot.press("f6", "enter")
            session = app.screen
            assert isinstance(session, SmtpSessionScreen)
            deadline = time.monotonic() + 15
            while session.running and time.monotonic() < deadline:
                await pilot.pause(0.05)
            await pilot.pause(0.1)
            assert not session.outcome.ok
            text = screen_text(app)
            long = [line for line in session.shown if len(line) > 74]
            assert long  # the TLS failure, at least
            for line in session.shown[-6:]:
                assert " ".join(line.split()) in text, line
            assert "the server's certificate is for another host, not localhost" in text
            await pilot.press("f2")
            await pilot.pause()
            [saved] = (pilot.app.screen.query_one("#session-note").content,)
            path = str(saved).removeprefix("Log saved to ")
            assert path.endswith(".log") and path in "".join(screen_text(app).split())  # wrapped, not cut
