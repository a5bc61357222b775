"""The full-screen app on PostgreSQL (the TUI's tests run on SQLite; these
are where the engine shows): a save behind another server's save waits
visibly and Esc gives up, a connection lost under the form is one
message, the typing kept, and the next save connects again, and a save
whose COMMIT's answer is lost says it cannot know whether it was saved."""

from __future__ import annotations

import psycopg
import pytest
from support import PATIENCE, definition, open_form, until
from test_waits import SIZE, send

from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.storage import waiting
from fincon_tui.storage.postgres.locks import WRITE_LOCK


@pytest.fixture
def db_location(pg_url: str) -> str:
    """`store`, and so `app`, on a PostgreSQL database of this test's own."""
    return pg_url


@pytest.fixture(autouse=True)
def writes_wait_until_released(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(waiting, "WAIT_LIMIT_SECONDS", PATIENCE)


@pytest.fixture
def other_server(pg_url: str):
    """Another server's connection to the same database."""
    conn = psycopg.connect(pg_url, autocommit=True)
    yield conn
    conn.close()


async def test_a_save_behind_another_servers_save_waits_visibly_and_esc_gives_up(app, store, other_server) -> None:
    app.smtp.save(definition(name="OFFICE"), PasswordChange.keep(), None)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="office")
        await pilot.press("tab", "tab", "tab", "tab", *"2525")
        screen = app.screen
        other_server.execute("BEGIN")
        other_server.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])  # another server's save
        send(app, "f10")
        await until(lambda: "waiting for another admin's save" in screen.message.text, "the save shows its wait")
        assert screen.message.text.startswith("Saving… waiting for another admin's save (")
        send(app, "escape")
        await until(lambda: screen.waiting is None, "Esc gives up the wait while the lock is held")
        assert screen.message.text == "Not saved: stopped waiting for another admin's save: nothing was written"
        assert screen.field("port").value == "2525"
        other_server.execute("ROLLBACK")
        await pilot.press("f10")
        await until(lambda: screen.message.text == "SMTP definition OFFICE saved", "the save once the lock is free")
    assert store.smtp.get("OFFICE").record.port == 2525


async def test_a_lost_connection_is_a_message_and_the_next_save_connects_again(app, store, other_server) -> None:
    app.smtp.save(definition(name="OFFICE"), PasswordChange.keep(), None)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="office")
        await pilot.press("tab", "tab", "tab", "tab", *"2525")
        screen = app.screen
        other_server.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE application_name = 'fincon-tui' AND pid <> pg_backend_pid() "
                             "AND datname = current_database()")
        await pilot.press("f10")
        await until(lambda: "lost the connection to the database server" in screen.message.text,
                    "the save says the connection went")
        assert screen.field("port").value == "2525" and screen.is_open
        await pilot.press("f10")
        await until(lambda: screen.message.text == "SMTP definition OFFICE saved", "the next save connects again")
    assert store.smtp.get("OFFICE").record.port == 2525


async def test_the_app_started_on_a_url_creates_the_tables_and_works(pg_empty_url: str, vault) -> None:
    """As `fincon-tui --db URL` starts it: the store opened after the first paint."""
    from fincon_tui.storage.store import Opener, open_store
    from fincon_tui.ui.app import FinconApp
    from fincon_tui.ui.screens.confirm import ConfirmScreen

    app = FinconApp(Opener(pg_empty_url), vault, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await until(app.typeahead.ready.is_set, "the database opens")
        assert app.startup_error == ""
        await open_form(pilot, 1, key="office")
        await until(lambda: isinstance(app.screen, ConfirmScreen), "the form offers to create OFFICE")
    opened = open_store(pg_empty_url, writable=False)  # the schema is there: a reading open takes it
    try:
        assert opened.smtp.get("OFFICE") is None
    finally:
        opened.close()


async def test_a_form_tells_of_a_rename_on_another_server_and_reloads_it(app, store, pg_url, vault) -> None:
    """Another server renames the open definition: the form says so at once
    (LISTEN/NOTIFY), and the reload key opens it under its new name."""
    from datetime import datetime

    from fincon_tui.services.key_changes import rename
    from fincon_tui.services.smtp_settings import SmtpSettings
    from fincon_tui.storage.audit import who
    from fincon_tui.storage.store import open_store

    app.smtp.save(definition(name="OFFICE"), PasswordChange.keep(), None)
    other = open_store(pg_url)
    try:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_form(pilot, 1, key="office")
            assert await app.database.run(app.smtp.store.how_changes_arrive) == "LISTEN/NOTIFY"
            rename(SmtpSettings(other, vault), "OFFICE", other.smtp.get("OFFICE"), "MAIN")
            await until(lambda: "renamed" in screen.message.text, "the notice of the rename")
            at = datetime.fromisoformat(other.smtp.get("MAIN").updated_at).astimezone().strftime("%H:%M")
            assert screen.message.text == f"OFFICE was renamed to MAIN by {who()} at {at} – F5/^R reloads"
            await pilot.press("f5")
            await until(lambda: screen.field("name").value == "MAIN", "the reload opens it under its new name")
            assert screen.message.text == "SMTP definition MAIN reloaded as stored now"
    finally:
        other.close()


@pytest.mark.slow  # a fault run: about 5 s on the loaded 2-core machine
async def test_a_save_in_doubt_says_so_and_keeps_the_typing(postgres_server, pg_url: str, vault) -> None:
    """The COMMIT's answer lost and the server then out of reach: the save
    cannot ask it, and says so rather than 'not saved' (it was saved)."""
    from cutting_proxy import cutting_proxy

    from fincon_tui.storage.store import open_store
    from fincon_tui.ui.app import FinconApp

    with cutting_proxy(postgres_server.socket_dir) as proxy:
        store = open_store(proxy.url(pg_url))
        app = FinconApp(store, vault, cursor_blink=False)
        app.smtp.save(definition(name="OFFICE"), PasswordChange.keep(), None)
        async with app.run_test(size=SIZE) as pilot:
            await open_form(pilot, 1, key="office")
            await pilot.press("tab", "tab", "tab", "tab", *"2525")
            screen = app.screen
            proxy.down = True
            proxy.armed.set()
            await pilot.press("f10")
            await until(lambda: "may or may not be saved" in screen.message.text, "the save says it is in doubt")
            assert screen.message.text == ("The database server stopped answering while the change was being "
                                           "committed: it may or may not be saved – press F5/^R to reload once the "
                                           "server is back")  # the CLI's words (test_postgres_faults)
            assert screen.field("port").value == "2525" and screen.is_open
        store.close()
    truth = open_store(pg_url)
    try:
        assert truth.smtp.get("OFFICE").record.port == 2525
    finally:
        truth.close()
