"""F6 login test and F7 test email from the SMTP Settings form, against real servers."""

from __future__ import annotations

from pathlib import Path

from smtp_servers import silent_server, smtp_server
from support import PATIENCE, definition, open_form, until

from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.domain.users import UserEmailSettings
from fincon_tui.ui.screens.confirm import ConfirmScreen
from fincon_tui.ui.screens.email_request import SendTestScreen
from fincon_tui.ui.screens.smtp_session import SmtpSessionScreen

SIZE = (80, 24)


def save(app, port: int, password: str = "bob-pw", **overrides) -> None:
    values = dict(name="OFFICE", mail_server="localhost", port=port, timeout_seconds=5)
    values.update(overrides)
    app.smtp.save(definition(**values), PasswordChange.set(password), None)


def save_alice(app) -> None:
    """ALICE on OFFICE with a login of her own (alice, alice-pw)."""
    app.users.save(UserEmailSettings("ALICE", "OFFICE", "alice", "Alice Smith", "alice@corp.example"),
                   PasswordChange.set("alice-pw"), None)


async def open_office(pilot) -> None:
    await open_form(pilot, 1, key="office")


async def finished(pilot) -> SmtpSessionScreen:
    """The session window on `pilot`'s screen, once its session has ended."""
    session = pilot.app.screen
    assert isinstance(session, SmtpSessionScreen)
    await until(lambda: session.outcome is not None, "the SMTP session ends")
    return session


def log_text(session: SmtpSessionScreen) -> str:
    return "\n".join(session.shown)


async def test_f6_tests_the_login_and_shows_the_conversation(app, certs) -> None:
    from datetime import UTC, datetime, timedelta

    from fincon_tui.storage.audit import who

    ends = datetime.now(UTC) + timedelta(days=400)
    with smtp_server(starttls=certs.server_context(not_after=ends)) as (port, mailbox):
        save(app, port)
        async with app.run_test(size=SIZE) as pilot:
            await open_office(pilot)
            form = app.screen
            last_test = form.query_one("#last-test")
            assert not last_test.display  # never tested: the key-store line instead
            await pilot.press("f6", "enter")  # no user: the definition's own login
            session = await finished(pilot)
            assert session.outcome.ok
            assert str(session.query_one("#session-result").content).startswith(
                "OK: connection and login OK – no message was sent"
            )
            log = log_text(session)
            assert "C: STARTTLS" in log and "C: AUTH PLAIN ***" in log and "bob-pw" not in log
            await pilot.press("f2")
            saved = next((Path.home() / ".local" / "state" / "fincon-tui").rglob("smtp-OFFICE-*.log"))
            assert "C: AUTH PLAIN ***" in saved.read_text() and "bob-pw" not in saved.read_text()
            await pilot.press("escape")
            assert app.screen is form
            assert form.message.text.startswith("connection and login OK – no message was sent")
            await until(lambda: last_test.display, "the last test is shown under the login fields")
            shown = str(last_test.content)
            assert shown.startswith("Last test: OK ") and shown.endswith(
                f" by {who()} · certificate expires {ends.date().isoformat()}")
            assert not last_test.has_class("-warning") and not form.query_one("#store-info").display
    assert mailbox.logins == [("bob", "bob-pw")] and mailbox.messages == []


async def test_f6_uses_the_password_typed_on_screen(app, certs) -> None:
    with smtp_server(starttls=certs.server_context()) as (port, mailbox):
        save(app, port, password="old-and-wrong")
        async with app.run_test(size=SIZE) as pilot:
            await open_office(pilot)
            await pilot.press("tab", "tab", "tab", *"bob-pw", "ctrl+t", "enter")
            session = await finished(pilot)
            assert session.outcome.ok, session.outcome
    assert mailbox.logins == [("bob", "bob-pw")]


async def test_escape_cancels_a_hanging_test_at_once(app) -> None:
    with silent_server() as port:
        save(app, port, password="", timeout_seconds=60, use_tls=False, authenticate=False, username="")
        async with app.run_test(size=SIZE) as pilot:
            await open_office(pilot)
            form = app.screen
            await pilot.press("f6", "enter")
            session = app.screen
            assert isinstance(session, SmtpSessionScreen)
            await until(lambda: "connecting to" in "\n".join(session.shown), "the login test connects")
            # The server never answers, and the Time Out is 60 s: only Esc ends the session here.
            assert session.running
            await pilot.press("escape")
            await until(lambda: not session.running, "Esc ends a session the server never answers")
            assert str(session.query_one("#session-result").content).startswith("Cancelled")
            await pilot.press("escape")
            assert app.screen is form
            assert form.message.text == "Cancelled: the connection was closed"


async def test_plaintext_login_asks_first(app) -> None:
    with smtp_server() as (port, mailbox):
        save(app, port, use_tls=False)
        async with app.run_test(size=SIZE) as pilot:
            await open_office(pilot)
            await pilot.press("f6", "enter")
            assert isinstance(app.screen, ConfirmScreen)
            assert "unencrypted" in str(app.screen.query_one("#question").content)
            await pilot.press("n")
            assert not isinstance(app.screen, SmtpSessionScreen)
            await pilot.press("f6", "enter", "y")
            session = await finished(pilot)
            assert session.outcome.ok
    assert mailbox.logins == [("bob", "bob-pw")]


async def test_f7_sends_as_a_user_with_bcc(app, certs) -> None:
    with smtp_server(starttls=certs.server_context()) as (port, mailbox):
        save(app, port, username="shared@corp.example", password="shared-pw", bcc="audit@corp.example")
        save_alice(app)
        async with app.run_test(size=SIZE) as pilot:
            await open_office(pilot)
            await pilot.press("f7")
            assert isinstance(app.screen, SendTestScreen)
            assert app.screen.query_one("#from").value == "shared@corp.example"  # the login
            await pilot.press(*"nobody", "enter", "enter", "enter")
            assert str(app.screen.query_one("#send-error").content).startswith("Recipient is not a valid")
            await pilot.press("ctrl+u", *"carol@client.example", "enter", *"ghost", "enter")
            assert str(app.screen.query_one("#send-error").content) == "User GHOST has no email settings"
            await pilot.press("ctrl+u", *"alice", "enter")
            assert app.screen.query_one("#from").value == "alice@corp.example"  # the user's sender
            assert app.focused.id == "from"
            await pilot.press("enter")
            session = await finished(pilot)
            assert session.outcome.ok, session.outcome
    assert mailbox.logins == [("alice", "alice-pw")]
    [(mail_from, rcpt_tos, content)] = mailbox.messages
    assert mail_from == "alice@corp.example"
    assert rcpt_tos == ["carol@client.example", "audit@corp.example"]
    assert b"Bcc" not in content


async def test_a_send_window_closed_while_its_user_look_up_runs_breaks_nothing(app) -> None:
    """The look-up of As user is the window's database work: counted while
    it runs (keys wait for it), and when the window closes meanwhile (the app
    closes its windows when it ends, on a hang-up for one) its refusal of
    the user reaches for no widget (seen once under load, as the app ended:
    NoMatches('#send-error'))."""
    import asyncio
    import threading

    from textual import events

    save(app, 2525)
    held = threading.Event()
    async with app.run_test(size=SIZE) as pilot:
        await open_office(pilot)
        await pilot.press("f7", *"carol@client.example", "enter", *"ghost")
        window = app.screen
        assert isinstance(window, SendTestScreen)
        holding = asyncio.ensure_future(app.database.run(held.wait, PATIENCE))
        app.post_message(events.Key("enter", None))  # as the terminal sends it: the look-up waits behind the hold
        await until(lambda: app.database.busy, "Enter starts the look-up of As user")
        window.dismiss(None)
        held.set()
        await holding
        await until(lambda: not app.database.busy, "the look-up ends")
        await pilot.pause()
        assert app.is_running and app.screen is not window and not app.database.busy


async def test_f6_needs_an_open_definition(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1)
        await pilot.press("f6")
        assert app.screen.message.text == "Open an SMTP definition with Enter first"


async def test_f6_logs_in_as_a_user_when_given_one(app, certs) -> None:
    """A server that only accepts the user's own login: the definition's
    shared login fails, the same test as ALICE passes."""
    from fincon_tui.ui.screens.entry_dialog import EntryDialog

    with smtp_server(starttls=certs.server_context()) as (port, mailbox):
        mailbox.accounts = {"alice": "alice-pw"}
        save(app, port)
        save_alice(app)
        async with app.run_test(size=SIZE) as pilot:
            await open_office(pilot)
            form = app.screen
            await pilot.press("f6")
            assert isinstance(app.screen, EntryDialog)
            await pilot.press(*"ghost", "enter")
            assert str(app.screen.query_one("#entry-error").content) == "User GHOST has no email settings"
            await pilot.press("escape")
            assert app.screen is form and mailbox.logins == []  # Esc: nothing tested
            await pilot.press("f6", "enter")
            shared = await finished(pilot)
            assert not shared.outcome.ok and shared.outcome.step == "AUTH"
            await pilot.press("escape", "f6", *"alice", "enter")
            as_alice = await finished(pilot)
            assert as_alice.outcome.ok, as_alice.outcome
            assert "as ALICE" in str(as_alice.query_one("#dialog-title").content)
    assert mailbox.logins == [("bob", "bob-pw"), ("alice", "alice-pw")]
    assert mailbox.messages == []
