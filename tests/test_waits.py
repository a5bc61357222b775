"""Waiting is visible and can be abandoned: another admin's save holding
the write lock never freezes the screen."""

from __future__ import annotations

import asyncio
import sqlite3
import time

from support import definition, open_form, smtp_rows
from textual import events

from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.ui.screens.help import HelpScreen

SIZE = (80, 24)


def send(app, key: str) -> None:
    """A key as the terminal sends it (Pilot.press waits for the CPU to go
    idle, up to a second a key, which a screen that shows a wait never is)."""
    app.post_message(events.Key(key, key if len(key) == 1 else None))


async def wait_until(condition, seconds: float = 20.0) -> float:
    """Seconds until `condition()` holds (fails after `seconds`: generous, for a loaded machine)."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < seconds, "never happened"
        await asyncio.sleep(0.01)
    return time.monotonic() - start


async def test_a_save_behind_another_admins_lock_waits_visibly_and_esc_gives_up(app, db, db_path) -> None:
    app.smtp.save(definition(name="OFFICE"), PasswordChange.keep(), None)
    other = sqlite3.connect(db_path, timeout=0)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="office")
        await pilot.press("tab", "tab", "tab", "tab", *"2525")
        screen = app.screen
        other.execute("BEGIN IMMEDIATE")  # another admin's save, in progress
        send(app, "f10")
        await wait_until(lambda: "waiting for another admin's save" in screen.message.text)
        assert screen.message.text.startswith("Saving… waiting for another admin's save (")
        assert screen.message.text.endswith("s) – F12/Esc to stop waiting")
        # Help answers while the save waits (a screen frozen by the wait would
        # answer only once the lock is free, which it never is here; 2 s leaves
        # room for a loaded machine, where 0.5 s was once missed by 7 ms)...
        send(app, "f1")
        assert await wait_until(lambda: isinstance(app.screen, HelpScreen)) < 2
        send(app, "escape")
        assert await wait_until(lambda: app.screen is screen) < 2
        assert screen.waiting is not None  # ...and the save still waits
        send(app, "escape")  # stop waiting
        assert await wait_until(lambda: screen.waiting is None) < 2
        assert screen.message.text == "Not saved: stopped waiting for another admin's save: nothing was written"
        assert screen.field("port").value == "2525" and screen.is_open
        other.rollback()
        await pilot.press("f10")
        assert screen.message.text == "SMTP definition OFFICE saved"
    assert smtp_rows(db)[0]["port"] == 2525


async def test_a_save_that_gets_the_lock_later_goes_through(app, db, db_path) -> None:
    app.smtp.save(definition(name="OFFICE"), PasswordChange.keep(), None)
    other = sqlite3.connect(db_path, timeout=0)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="office")
        await pilot.press("tab", "tab", "tab", "tab", *"2525")
        other.execute("BEGIN IMMEDIATE")
        send(app, "f10")
        await wait_until(lambda: "waiting" in app.screen.message.text)
        send(app, "0")  # typed while the save waits: kept for afterwards, in order
        other.rollback()
        await wait_until(lambda: app.screen.message.text == "SMTP definition OFFICE saved")
        # (the focus is None for a moment, while the details close)
        await wait_until(lambda: app.focused is not None and app.focused.id == "name" and app.focused.value == "0")
    assert smtp_rows(db)[0]["port"] == 2525


async def test_quit_answers_during_a_wait(app, db, db_path) -> None:
    app.smtp.save(definition(name="OFFICE"), PasswordChange.keep(), None)
    other = sqlite3.connect(db_path, timeout=0)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="office")
        await pilot.press(*"x")
        other.execute("BEGIN IMMEDIATE")
        send(app, "f10")
        await wait_until(lambda: "waiting" in app.screen.message.text)
        send(app, "ctrl+q")
        assert await wait_until(lambda: len(app.screen.query("#question"))) < 2  # frozen: never (the lock stays)
        assert "Unsaved changes will be lost" in str(app.screen.query_one("#question").content)
    other.rollback()


async def test_a_rename_or_delete_from_a_list_behind_another_admins_lock_can_be_given_up(people, db, db_path) -> None:
    from fincon_tui.ui.screens.entry_dialog import EntryDialog
    from fincon_tui.ui.screens.work_lists import WorkWithDefinitionsScreen

    other = sqlite3.connect(db_path, timeout=0)
    async with people.run_test(size=SIZE) as pilot:
        await open_form(pilot, 3)
        await pilot.press("down", "down", "7", "enter", *"NEW")
        dialog = people.screen
        assert isinstance(dialog, EntryDialog)
        other.execute("BEGIN IMMEDIATE")  # another admin's save, in progress
        send(people, "enter")
        status = dialog.query_one("#entry-error")
        await wait_until(lambda: "waiting for another admin's save" in str(status.content))
        assert str(status.content).startswith("Renaming… waiting for another admin's save (")
        send(people, "escape")  # stop waiting: the window closes, nothing renamed
        await wait_until(lambda: isinstance(people.screen, WorkWithDefinitionsScreen) and not people.database.busy)
        screen = people.screen
        screen.query_one("#opt-2").value = "4"
        send(people, "enter")
        await wait_until(lambda: people.screen is not screen)
        send(people, "y")
        await wait_until(lambda: "waiting for another admin's save" in screen.message.text)
        assert screen.message.text.startswith("Deleting… waiting for another admin's save (")
        send(people, "escape")
        await wait_until(lambda: screen.message.text.startswith("Not deleted"))
        assert screen.message.text == "Not deleted: stopped waiting for another admin's save: nothing was written"
        assert isinstance(people.screen, WorkWithDefinitionsScreen)
        other.rollback()
    other.close()
    assert sorted(row["name"] for row in smtp_rows(db)) == ["OFFICE", "OWN", "RELAY"]


async def test_database_work_that_ends_after_its_window_was_closed_is_dropped(app) -> None:
    """Esc closes a window while its database work still runs; when that work
    ends and reaches for the window's widgets, nothing breaks (before, a
    window closed but not yet removed let the error end the app)."""
    from fincon_tui.ui.screens.entry_dialog import Entry, EntryDialog

    async def never_checked(values: dict[str, str]) -> None:
        return None

    async with app.run_test(size=SIZE) as pilot:
        await app.typeahead.ready.wait()
        dialog = EntryDialog("Rename", [Entry("key", "New name", 10)], never_checked)
        await app.push_screen(dialog)
        release = asyncio.Event()

        async def job() -> None:
            await app.database.run(lambda: None)
            await release.wait()
            dialog.query_one("#not-there")  # the window's widgets, gone: NoMatches

        app.database.work(dialog, job())
        dialog.dismiss(None)
        release.set()
        dialog.show_status("still waiting")  # a wait reporting into the closed window
        await pilot.pause()
        await pilot.pause()
        assert app.is_running and app.return_value is None
        assert not isinstance(app.screen, EntryDialog)



async def test_a_list_page_read_after_the_lists_widgets_went_is_dropped(people) -> None:
    """A 'Work with' page read that ends after the list's widgets have gone
    (the app quitting: the screen stays on the stack while its widgets are
    removed) shows nothing and focuses nothing.  Before, it reached for the
    gone Position to field and the app ended with NoMatches (seen once in CI)."""
    async with people.run_test(size=SIZE) as pilot:
        screen = await open_form(pilot, 3)
        await pilot.pause()
        await screen.query_one("#work-with").remove()  # as the app's shutdown removes them
        screen.load("", "from", focus_row=0)
        await wait_until(lambda: people.database.idle.is_set())
        await pilot.pause()
        assert people.is_running  # a worker's error ends the app, and run_test raises it


async def test_a_wait_reported_after_its_write_ended_is_not_shown() -> None:
    """Reports of a write's wait come from the database thread; one that
    arrives after the write has ended (given up with Esc, its window closing)
    is dropped, on a form, a list and an entry window alike."""
    import threading
    from types import SimpleNamespace

    from fincon_tui.storage.transactions import WAITING
    from fincon_tui.ui.db_thread import DatabaseThread

    database, owner, shown = DatabaseThread(), SimpleNamespace(waiting=None), []

    def write():
        waiting = WAITING.get()
        waiting.report(1.0)  # while the write waits
        return waiting

    try:
        waiting = await database.run_write(owner, write, doing="Saving", stop="Esc", report=shown.append)
        await asyncio.sleep(0.05)
        assert shown == ["Saving… waiting for another admin's save (1 s) – Esc to stop waiting"]
        assert owner.waiting is None and database.waiting is None
        late = threading.Thread(target=waiting.report, args=(2.0,))  # late, from the thread
        late.start()
        late.join()
        await asyncio.sleep(0.05)
        assert len(shown) == 1
    finally:
        database.close()
