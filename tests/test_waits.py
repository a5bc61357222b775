"""Waiting is visible and can be abandoned: another admin's save holding
the write lock never freezes the screen.

The other admin's save here holds the lock until the test lets it go, and a
write's own limit on its wait (10 s) is as long as a test's patience: what
the screen does while the lock is held, it did without the lock, however
slow the machine (a bound on the seconds it took proved no more)."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from support import PATIENCE, definition, open_form, until
from textual import events

from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.storage import waiting
from fincon_tui.ui.screens.help import HelpScreen

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def writes_wait_until_released(monkeypatch: pytest.MonkeyPatch) -> None:
    """A write waits for the lock as long as a test waits for anything
    (a screen frozen by the wait fails then, instead of hanging)."""
    monkeypatch.setattr(waiting, "WAIT_LIMIT_SECONDS", PATIENCE)


def send(app, key: str) -> None:
    """A key as the terminal sends it (Pilot.press waits for the CPU to go
    idle, up to a second a key, which a screen that shows a wait never is)."""
    app.post_message(events.Key(key, key if len(key) == 1 else None))


async def saving_behind_a_lock(pilot, other: sqlite3.Connection, *typed: str):
    """OFFICE opened, `typed` pressed, and F10 sent while `other` holds the
    write lock (another admin's save in progress), once the save shows its
    wait; the form."""
    app = pilot.app
    screen = await open_form(pilot, 1, key="office")
    await pilot.press(*typed)
    other.execute("BEGIN IMMEDIATE")
    send(app, "f10")
    await until(lambda: "waiting for another admin's save" in screen.message.text, "the save shows its wait")
    return screen


async def test_a_save_behind_another_admins_lock_waits_visibly_and_esc_gives_up(app, store, db_path) -> None:
    app.smtp.save(definition(name="OFFICE"), PasswordChange.keep(), None)
    other = sqlite3.connect(db_path, timeout=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await saving_behind_a_lock(pilot, other, "tab", "tab", "tab", "tab", *"2525")
        assert screen.message.text.startswith("Saving… waiting for another admin's save (")
        assert screen.message.text.endswith("s) – F12/Esc to stop waiting")
        # Help answers while the save waits: the lock is never free here, so
        # a screen frozen by the wait would never answer...
        send(app, "f1")
        await until(lambda: isinstance(app.screen, HelpScreen), "F1 opens help while the save waits")
        send(app, "escape")
        await until(lambda: app.screen is screen, "Esc closes help while the save waits")
        assert screen.waiting is not None  # ...and the save still waits
        send(app, "escape")  # stop waiting: before the lock is free, so without waiting for it
        await until(lambda: screen.waiting is None, "Esc gives up the wait while the lock is held")
        assert screen.message.text == "Not saved: stopped waiting for another admin's save: nothing was written"
        assert screen.field("port").value == "2525" and screen.is_open
        other.rollback()
        await pilot.press("f10")
        assert screen.message.text == "SMTP definition OFFICE saved"
    assert store.smtp.get("OFFICE").record.port == 2525


async def test_a_save_that_gets_the_lock_later_goes_through(app, store, db_path) -> None:
    app.smtp.save(definition(name="OFFICE"), PasswordChange.keep(), None)
    other = sqlite3.connect(db_path, timeout=0)
    async with app.run_test(size=SIZE) as pilot:
        await saving_behind_a_lock(pilot, other, "tab", "tab", "tab", "tab", *"2525")
        send(app, "0")  # typed while the save waits: kept for afterwards, in order
        other.rollback()
        await until(lambda: app.screen.message.text == "SMTP definition OFFICE saved", "the save goes through")
        # (the focus is None for a moment, while the details close)
        await until(lambda: app.focused is not None and app.focused.id == "name" and app.focused.value == "0",
                    "the 0 typed during the wait lands in SMTP Name")
    assert store.smtp.get("OFFICE").record.port == 2525


async def test_quit_answers_during_a_wait(app, store, db_path) -> None:
    app.smtp.save(definition(name="OFFICE"), PasswordChange.keep(), None)
    other = sqlite3.connect(db_path, timeout=0)
    async with app.run_test(size=SIZE) as pilot:
        await saving_behind_a_lock(pilot, other, "x")
        send(app, "ctrl+q")  # frozen by the wait, the screen would never ask: the lock stays held
        await until(lambda: len(app.screen.query("#question")), "Ctrl+Q asks while the save waits")
        assert "Unsaved changes will be lost" in str(app.screen.query_one("#question").content)
    other.rollback()


async def test_a_rename_or_delete_from_a_list_behind_another_admins_lock_can_be_given_up(
    people, store, db_path
) -> None:
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
        await until(lambda: "waiting for another admin's save" in str(status.content), "the rename shows its wait")
        assert str(status.content).startswith("Renaming… waiting for another admin's save (")
        send(people, "escape")  # stop waiting: the window closes, nothing renamed
        await until(lambda: isinstance(people.screen, WorkWithDefinitionsScreen) and not people.database.busy,
                    "Esc gives up the rename while the lock is held")
        screen = people.screen
        screen.query_one("#opt-2").value = "4"
        send(people, "enter")
        await until(lambda: people.screen is not screen, "option 4 asks to confirm the delete")
        send(people, "y")
        await until(lambda: "waiting for another admin's save" in screen.message.text, "the delete shows its wait")
        assert screen.message.text.startswith("Deleting… waiting for another admin's save (")
        send(people, "escape")
        await until(lambda: screen.message.text.startswith("Not deleted"),
                    "Esc gives up the delete while the lock is held")
        assert screen.message.text == "Not deleted: stopped waiting for another admin's save: nothing was written"
        assert isinstance(people.screen, WorkWithDefinitionsScreen)
        other.rollback()
    other.close()
    assert [stored.key for stored in store.smtp.search("", 10)] == ["OFFICE", "OWN", "RELAY"]


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
        await until(people.database.idle.is_set, "the page read ends")
        await pilot.pause()
        assert people.is_running  # a worker's error ends the app, and run_test raises it


async def test_a_wait_reported_after_its_write_ended_is_not_shown() -> None:
    """Reports of a write's wait come from the database thread; one that
    arrives after the write has ended (given up with Esc, its window closing)
    is dropped, on a form, a list and an entry window alike."""
    import threading
    from types import SimpleNamespace

    from fincon_tui.storage.waiting import WAITING
    from fincon_tui.ui.db_thread import DatabaseThread

    database, owner, shown = DatabaseThread(), SimpleNamespace(waiting=None), []

    def write():
        waiting = WAITING.get()
        waiting.report(1.0)  # while the write waits
        return waiting

    def report_late(loop: asyncio.AbstractEventLoop, delivered: asyncio.Event) -> None:
        waiting.report(2.0)
        loop.call_soon_threadsafe(delivered.set)  # the loop runs what a thread hands it in order

    try:
        # The report is handed to the loop before the write's result: shown by the time it returns.
        waiting = await database.run_write(owner, write, doing="Saving", stop="Esc", report=shown.append)
        assert shown == ["Saving… waiting for another admin's save (1 s) – Esc to stop waiting"]
        assert owner.waiting is None and database.waiting is None
        delivered = asyncio.Event()
        late = threading.Thread(target=report_late, args=(asyncio.get_running_loop(), delivered))
        late.start()  # late, from the thread
        await delivered.wait()
        late.join()
        assert len(shown) == 1
    finally:
        database.close()
