"""The F4 list's filter under speed (issue 26): keys typed ahead while the
rows are read apply in order and none is lost, rows read before another
admin's change never show over those read after it, Esc leaves while a read
still waits, and the list lays its rows out a page at a time as the
highlight moves on."""

from __future__ import annotations

import asyncio
import threading

from support import definition, open_form, until
from test_typeahead import send_burst
from textual import events
from textual.widgets import Input

from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.services.lookup_index import LookupIndex
from fincon_tui.ui.change_watch import ChangesNoticed
from fincon_tui.ui.screens.lookup import LIST_ROWS, PAGE, LookupScreen
from fincon_tui.ui.screens.smtp_settings import SmtpSettingsScreen
from fincon_tui.ui.widgets.columns import Column

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


def rows_of(*keys: str) -> LookupIndex:
    return LookupIndex([(key, key) for key in keys], shown=1)


def count_line(window: LookupScreen) -> str:
    return str(window.query_one("#lookup-count").content)


async def opened_lookup(pilot) -> LookupScreen:
    """F4 on the SMTP form's key field, once the list has read its rows."""
    await open_form(pilot, 1)
    await pilot.press("f4")
    window = pilot.app.screen
    assert isinstance(window, LookupScreen)
    await until(pilot.app.database.idle.is_set, "the list's rows")
    return window


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


async def test_rows_read_before_another_admins_change_never_show_over_those_read_after(app) -> None:
    """The rows are read as the list opens and again on a change notice; a
    first read that answers after the second (as a slow query could) is
    dropped, and the filter typed meanwhile applies to the newest rows."""
    first_may_answer = asyncio.Event()
    reads: list[int] = []

    async def load(limit: int | None) -> LookupIndex:
        reads.append(len(reads))
        if len(reads) == 1:
            await first_may_answer.wait()
            return rows_of("OLD-A", "OLD-B")
        return rows_of("NEW-A", "NEW-B")

    async with app.run_test(size=SIZE) as pilot:
        await app.typeahead.ready.wait()
        window = LookupScreen("Test", COLUMNS, load)
        await app.push_screen(window)
        await until(lambda: reads == [0], "the first read begins")
        window.query_one("#lookup-filter", Input).value = "b"
        window.post_message(ChangesNoticed([]))
        await until(lambda: shown(window) == ["NEW-B"], "the newer rows, filtered")
        first_may_answer.set()
        await until(app.database.idle.is_set, "both reads ended")
        await pilot.pause()
        assert shown(window) == ["NEW-B"]


async def test_the_first_page_shows_while_the_rest_is_read_and_keys_typed_meanwhile_wait(app) -> None:
    """F4 reads a page first and shows it, then every row; a filter typed
    meanwhile waits for all of them and applies to all of them."""
    names = seed(app, MANY)
    rest_may_answer = threading.Event()
    limits: list[int | None] = []
    lookup_index = app.smtp.lookup_index

    def slow_rest(columns, limit):  # in the database thread
        limits.append(limit)
        if limit is None:
            rest_may_answer.wait(60)
        return lookup_index(columns, limit)

    app.smtp.lookup_index = slow_rest
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1)
        app.post_message(events.Key("f4", None))
        app.post_message(events.Key("4", "4"))
        await until(lambda: limits == [PAGE + 1, None], "the rest is read")
        window = app.screen
        assert isinstance(window, LookupScreen)
        await until(lambda: shown(window) == names[:PAGE], "the first page")
        assert window.query_one("#lookup-filter", Input).value == ""
        rest_may_answer.set()
        await until(lambda: shown(window) == ["DEF004", "DEF014", "DEF024", "DEF034", "DEF040", "DEF041", "DEF042",
                                              "DEF043", "DEF044"], "the filter over every row")


async def test_another_admins_change_shows_in_the_open_list_and_keys_read_nothing(app) -> None:
    """A definition saved elsewhere shows once its notice comes, under the
    filter typed and with the highlighted row kept; the filter keys
    themselves search the rows read, not the database."""
    seed(app, 3)
    async with app.run_test(size=SIZE) as pilot:
        window = await opened_lookup(pilot)
        listed = app.smtp.repo.listing
        app.smtp.repo.listing = None  # a key that read the store would fail
        await pilot.press("d", "e", "f", "down")
        assert shown(window) == ["DEF000", "DEF001", "DEF002"]
        app.smtp.repo.listing = listed
        app.smtp.save(definition(name="DEF0005", mail_server="x.example.com"), PasswordChange.keep(), None)
        window.post_message(ChangesNoticed([]))
        await until(lambda: "DEF0005" in shown(window), "the new definition")
        assert shown(window) == ["DEF000", "DEF0005", "DEF001", "DEF002"]
        await pilot.press("enter")
        assert app.screen.field("name").value == "DEF001"


async def test_esc_closes_the_list_at_once_while_its_rows_are_still_read(app) -> None:
    """A read held up in the database thread (a slow or locked database)
    does not hold Esc: the list closes, and the read's late answer goes
    nowhere."""
    may_answer, answered = threading.Event(), threading.Event()

    def slow_rows() -> LookupIndex:
        may_answer.wait(60)
        answered.set()
        return rows_of("LATE")

    async def load(limit: int | None) -> LookupIndex:
        return await app.database.run(slow_rows)

    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, 1)
        window = LookupScreen("Test", COLUMNS, load)
        await app.push_screen(window)
        assert not app.database.idle.is_set()  # the read waits
        app.post_message(events.Key("escape", None))
        await until(lambda: app.screen is form, "Esc closes the list")
        # the read still waits in the thread (whether the closed list's
        # worker counts as busy depends on when the screen's removal
        # cancels it: the thread's call is what must not have answered)
        assert not answered.is_set()
        may_answer.set()
        await until(answered.is_set, "the late answer")
        await until(app.database.idle.is_set, "the thread idle again")
        await pilot.pause()
        assert app.screen is form and app.is_running


async def test_the_list_reads_a_page_at_a_time_as_the_highlight_moves_on(app) -> None:
    """A filter lays out one page (two windows); Page Down near the end of
    the rows laid out lays out the next page, in order, until all are there."""
    names = seed(app, MANY)
    async with app.run_test(size=SIZE) as pilot:
        window = await opened_lookup(pilot)
        assert shown(window) == names[:PAGE] and count_line(window) == f"{PAGE} or more; type to narrow"
        for _ in range(MANY // LIST_ROWS + 1):
            await pilot.press("pagedown")
        await until(app.database.idle.is_set, "the last page")
        assert shown(window) == names and count_line(window) == f"{MANY} found"
        await pilot.press("enter")
        assert isinstance(app.screen, SmtpSettingsScreen)
        assert app.screen.field("name").value == names[-1]
