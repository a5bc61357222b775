"""The F4 list's filter under speed (issue 26): keys typed ahead while a
search runs apply in order and none is lost, a result for an older filter
never shows over a newer one's, Esc leaves while a search still waits, and
the list reads its rows a page at a time as the highlight moves on."""

from __future__ import annotations

import asyncio
import threading

from support import definition, open_form, until
from test_typeahead import send_burst
from textual import events
from textual.widgets import Input

from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.ui.screens.lookup import LIST_ROWS, PAGE, LookupScreen
from fincon_tui.ui.screens.smtp_settings import SmtpSettingsScreen
from fincon_tui.ui.widgets.list_rows import Column

SIZE = (80, 24)
COLUMNS = (Column("Name", 20),)
#: More definitions than a page, so that moving on reads more.
MANY = 2 * PAGE + 5


def seed(app, count: int) -> list[str]:
    names = [f"DEF{n:03d}" for n in range(count)]
    for name in names:
        app.smtp.save(definition(name=name, mail_server=f"smtp{name[3:]}.example.com"), PasswordChange.keep(), None)
    return names


def shown(window: LookupScreen) -> list[str]:
    return window.query_one("#lookup-list").keys


def count_line(window: LookupScreen) -> str:
    return str(window.query_one("#lookup-count").content)


async def test_filter_keys_typed_ahead_apply_in_order_and_enter_picks_from_the_last_filter(app) -> None:
    """One burst: F4, a filter typed and corrected, Down and Enter.  Each
    character starts a search; the keys behind it wait for it and none is
    lost, so Enter picks the second row of the last filter's list ("1":
    DEF001, DEF010, ...), not of "2"'s (DEF002, DEF012, ...)."""
    seed(app, 30)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, 1)
        await send_burst(app, ["f4", "2", "backspace", "1", "down", "enter"])
        await until(lambda: app.screen is form and form.field("name").value, "the pick in the field")
        assert form.field("name").value == "DEF010"


async def test_a_result_for_an_older_filter_never_shows_over_a_newer_ones(app) -> None:
    """The search for "A" answers after the one for "AB" (as a slow query
    could, whatever the order the thread runs them in): its rows are dropped."""
    older_may_answer = asyncio.Event()
    asked: list[str] = []
    answered: list[str] = []

    async def search(text: str, skip: int, count: int) -> list[tuple[str, tuple[str, ...]]]:
        asked.append(text)
        if text == "A":
            await older_may_answer.wait()
        answered.append(text)
        return [(f"{text}-ROW", (f"{text}-ROW",))]

    async with app.run_test(size=SIZE) as pilot:
        await app.typeahead.ready.wait()
        window = LookupScreen("Test", COLUMNS, search)
        await app.push_screen(window)
        await until(lambda: shown(window) == ["-ROW"], "the unfiltered list")
        field = window.query_one("#lookup-filter", Input)
        field.value = "A"
        await until(lambda: "A" in asked, "the search for A begins")
        field.value = "AB"
        await until(lambda: shown(window) == ["AB-ROW"], "the newer filter's rows")
        older_may_answer.set()
        await until(lambda: "A" in answered, "the older search's answer")
        await until(app.database.idle.is_set, "both searches ended")
        await pilot.pause()
        assert shown(window) == ["AB-ROW"]


async def test_esc_closes_the_list_at_once_while_its_search_still_waits(app) -> None:
    """A search held up in the database thread (a slow or locked database)
    does not hold Esc: the list closes, and the search's late answer goes
    nowhere."""
    may_answer = threading.Event()

    def slow_rows(text: str) -> list[tuple[str, tuple[str, ...]]]:
        may_answer.wait(60)
        return [("LATE", ("LATE",))]

    async def search(text: str, skip: int, count: int) -> list[tuple[str, tuple[str, ...]]]:
        return await app.database.run(slow_rows, text)

    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, 1)
        window = LookupScreen("Test", COLUMNS, search)
        await app.push_screen(window)
        assert not app.database.idle.is_set()  # the search waits
        app.post_message(events.Key("escape", None))
        await until(lambda: app.screen is form, "Esc closes the list")
        assert not app.database.idle.is_set() and not may_answer.is_set()
        may_answer.set()
        await until(app.database.idle.is_set, "the late answer")
        await pilot.pause()
        assert app.screen is form and app.is_running


async def test_the_list_reads_a_page_at_a_time_as_the_highlight_moves_on(app) -> None:
    """A filter reads one page (two windows); Page Down near the end of the
    rows read reads the next page, in order, until all are there."""
    names = seed(app, MANY)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1)
        await pilot.press("f4")
        window = app.screen
        assert isinstance(window, LookupScreen)
        await until(app.database.idle.is_set, "the first page")
        assert shown(window) == names[:PAGE] and count_line(window) == f"{PAGE} or more; type to narrow"
        for _ in range(MANY // LIST_ROWS + 1):
            await pilot.press("pagedown")
        await until(app.database.idle.is_set, "the last page")
        assert shown(window) == names and count_line(window) == f"{MANY} found"
        await pilot.press("enter")
        assert isinstance(app.screen, SmtpSettingsScreen)
        assert app.screen.field("name").value == names[-1]
