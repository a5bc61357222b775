"""Nothing cut at 80x24, forms taller than the screen in 5250 pages, and a
wide terminal's form in the middle."""

from __future__ import annotations

import pytest
from smtp_servers import free_port, smtp_server
from support import definition, fill, open_form, screen_lines, screen_text, sizes, until

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
            await until(lambda: not session.running, "the login test to end")
            await pilot.pause()
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


async def settled_lines(pilot) -> list[str]:
    """The screen's lines once a pause changes nothing more (the page
    marker follows a layout a refresh later)."""
    lines = screen_lines(pilot.app)
    while True:
        await pilot.pause()
        lines, before = screen_lines(pilot.app), lines
        if lines == before:
            return lines


async def fresh_form_lines(db_path, vault, size: tuple[int, int], form) -> list[str]:
    """What the SMTP form shows when started afresh at `size` with what
    `form` has: its record, field values, focused field and message."""
    from fincon_tui.storage.store import open_store
    from fincon_tui.ui.app import FinconApp

    fresh = FinconApp(open_store(db_path), vault, cursor_blink=False)
    async with fresh.run_test(size=size) as pilot:
        screen = await open_form(pilot, 1, key=form.loaded.stored.key)
        await fill(pilot, screen, **{key: value for key, value in form.form_values().items() if key != form.KEY})
        screen.query_one(f"#{form.focused.id}").focus()
        screen.message.show(form.message.text, form.message.kind)
        await pilot.press("end")  # the cursor where typing leaves it
        return await settled_lines(pilot)


async def stale_password_message(pilot) -> None:
    """A 2-line message: F6 on a definition whose mail server was changed
    behind the form's back; Tab then clears it."""
    pilot.app.smtp.store.db.execute("UPDATE smtp_settings SET mail_server = 'evil.example' WHERE name = 'OFFICE'")
    await pilot.press("f6", "enter")
    assert pilot.app.screen.message.region.height == 2
    await pilot.press("tab")


async def login_test_window_closed(pilot) -> None:
    """F6's window closed on its 2-line outcome (nothing listens on the port)."""
    await pilot.press("f6", "enter")
    session = pilot.app.screen
    assert isinstance(session, SmtpSessionScreen)
    await until(lambda: not session.running, "the login test to end")
    await pilot.press("escape")
    assert pilot.app.screen.message.text.startswith("Failed at connect: check the Port")
    assert pilot.app.screen.message.region.height == 2


async def typing_through_resizes(pilot) -> None:
    """Thirty resizes, a character typed after each, ending at 80x24."""
    await pilot.press("end")
    for size in [(60, 20), (100, 30), (70, 22)] * 10:
        await pilot.resize_terminal(*size)
        await pilot.press("x")
    await pilot.resize_terminal(*SIZE)
    await pilot.pause()
    assert pilot.app.screen.field("mail_server").value == "127.0.0.1" + "x" * 30


@pytest.mark.parametrize("events", [
    stale_password_message,
    login_test_window_closed,
    pytest.param(lambda pilot: pilot.resize_terminal(60, 20), id="a-resize-to-60x20"),
    pytest.param(typing_through_resizes, marks=pytest.mark.slow),  # 30 resizes: about 5 s
])
async def test_the_form_after_events_is_laid_out_as_a_fresh_one(app, db_path, vault, events) -> None:
    """Issue 22: after a 2-line message, a window or a smaller terminal,
    'More...' came and stayed (the marker's own row kept the form too tall),
    the key-file line stayed hidden and Page Down scrolled SMTP Name away."""
    app.smtp.save(definition(name="OFFICE", mail_server="127.0.0.1", port=free_port(), timeout_seconds=5),
                  PasswordChange.set("pw"), None)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, 1, key="office")
        await events(pilot)
        await pilot.resize_terminal(*SIZE)
        await pilot.press("pagedown")  # the form fits: there is no next page
        shown = await settled_lines(pilot)
        expected = await fresh_form_lines(db_path, vault, SIZE, form)
    assert shown == expected
    assert "More..." not in "".join(shown)


def test_a_real_terminal_resized_to_60x20_and_back_shows_the_form_as_started(db_path) -> None:
    """The same on a real pty: the terminal's rows after the resizes are
    those of a form started at 80x24."""
    from pty_terminal import Terminal

    from fincon_tui.keystore.vault import PasswordVault
    from fincon_tui.services.smtp_settings import SmtpSettings
    from fincon_tui.storage.store import open_store

    store = open_store(db_path)
    SmtpSettings(store, PasswordVault()).save(definition(name="OFFICE"), PasswordChange.keep(), None)
    store.close()

    # COLUMNS and LINES empty: the size is the pty's, asked again on SIGWINCH.
    resized, fresh = (Terminal(["--db", str(db_path)], "xterm-256color", COLUMNS="", LINES="") for _ in "ab")
    try:
        for terminal in (resized, fresh):  # both start at once
            terminal.wait_for("Main Menu")
            terminal.send("111" "OFFICE\r")
        for terminal in (resized, fresh):
            terminal.wait_for("SMTP definition OFFICE: change the details, then Accept")
        for columns, rows in ((60, 20), SIZE):
            resized.screen.resize(rows, columns)
            resized.child.setwinsize(rows, columns)
            resized.wait_for("F10/^S=Accept  F4/^P=Prompt" if columns == 80 else "F10=Accept  F4=Prompt")
        resized.settle()
        fresh.settle(wrote=False)
        assert resized.screen.display == fresh.screen.display
    finally:
        for terminal in (resized, fresh):
            terminal.child.terminate(force=True)


@pytest.mark.parametrize("size", sizes(SIZE, (60, 20)))
@pytest.mark.parametrize(("typed", "error"), [
    (["enter", "enter"], "give a From address (or a user code): the test email needs a sender address"),
    ([*"NOBODY", "enter"], "User NOBODY has no email settings"),
    (["shift+tab", "end", *["backspace"] * 8, "enter", "enter", "enter"],  # to ann@corp
     "Recipient is not a valid email address: The part after the @-sign is not valid. It should have a period."),
], ids=["no-sender", "unknown-user", "bad-recipient"])
async def test_every_error_of_the_test_email_window_shows_whole(app, size, typed, error) -> None:
    """Issue 22: '… the test email needs a sender addres': the window's error
    line was one row as wide as its text, cut at the frame."""
    app.smtp.save(definition(name="RELAY", authenticate=False, username=""), PasswordChange.keep(), None)
    async with app.run_test(size=size) as pilot:
        await open_form(pilot, 1, key="relay")
        await pilot.press("f7", *"ann@corp.example", "enter")
        await pilot.press(*typed)
        assert str(app.screen.query_one("#send-error").content) == error
        assert error in screen_text(app)


@pytest.mark.parametrize("size", sizes(SIZE, (60, 20)))
async def test_a_long_session_result_shows_whole(app, size) -> None:
    """The F6/F7 window's result (Microsoft 365's longest hint after its
    reply) was cut at the frame: the log kept its 10 rows whatever the room."""
    from fincon_tui.mail.outcome import Outcome
    from fincon_tui.mail.provider_replies import KNOWN

    meaning, hint = KNOWN["5.7.139"]
    reply = ("5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit "
             "https://aka.ms/smtp_auth_disabled for more information. [DM6PR03CA0047.namprd03.prod.outlook.com]")
    outcome = Outcome(False, "AUTH", f"authentication rejected: 535 {reply}", f"{meaning}: {hint}")

    async def run(transcript, step) -> Outcome:
        for number in range(12):  # more than the log has rows
            transcript.note(f"line {number}")
        return outcome

    async with app.run_test(size=size) as pilot:
        await app.typeahead.ready.wait()
        session = SmtpSessionScreen("Login test: OFFICE", run, "OFFICE")
        await app.push_screen(session)
        await until(lambda: not session.running, "the session to end")
        await pilot.pause()
        assert f"FAILED: {outcome.text()}" in screen_text(app)
        assert session.query_one("#session-log").region.height >= (7 if size == SIZE else 1)
