"""Every screen and window at 60x20, 80x24 and 120x40: each label, hint,
key, heading and value it means to show is painted whole, or is reachable
by the next page of a form or help (which says More...) or by the list's
next view (which its legend names).  Below 60x20 the screen says that the
terminal is too small, and comes back as it was."""

from __future__ import annotations

import socket

import pytest
from support import definition, legend, open_form, screen_lines, screen_text, until
from textual.containers import ScrollableContainer
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Input, OptionList, Static

from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.ui.keymap_config import context_name, screen_classes
from fincon_tui.ui.screens.dialog import DialogScreen
from fincon_tui.ui.screens.help import HelpScreen
from fincon_tui.ui.screens.menu import MenuScreen
from fincon_tui.ui.screens.sign_in import SignInScreen
from fincon_tui.ui.screens.smtp_session import SmtpSessionScreen
from fincon_tui.ui.screens.work_with import WorkWithScreen
from fincon_tui.ui.widgets.form import FormPages
from fincon_tui.ui.widgets.key_legend import KeyLegend
from fincon_tui.ui.widgets.list_rows import ListRow
from fincon_tui.ui.widgets.row_window import RowWindow
from fincon_tui.ui.widgets.too_small import MIN_HEIGHT, MIN_WIDTH, TooSmall

SIZES = [(60, 20), (80, 24), (120, 40)]


def squeezed(text: str) -> str:
    """Without blanks, box and scroll-bar characters: text wrapped onto
    more lines (a long address broken anywhere) reads as one."""
    return "".join(char for char in text if not char.isspace() and not "\u2500" <= char <= "\u259f")


def shown(widget: Widget) -> bool:
    node: object = widget
    while isinstance(node, Widget) and not isinstance(node, Screen):
        if not node.display:
            return False
        node = node.parent
    return True


def meant(screen: Screen) -> list[str]:
    """What `screen` means to show now: the text of each widget it shows
    (a field's value as the field draws it, each key of the legend, each
    entry of a list), whether scrolled into view or not."""
    texts: list[str] = []
    for widget in screen.query("*"):
        if not shown(widget):
            continue
        if isinstance(widget, KeyLegend):
            texts += widget.labels()
        elif isinstance(widget, Input):
            texts.append(widget.PASSWORD_GLYPH * len(widget.value) if widget.password else widget.value)
        elif isinstance(widget, Button):
            texts.append(str(widget.label))
        elif isinstance(widget, OptionList):
            texts += [str(widget.get_option_at_index(index).prompt) for index in range(widget.option_count)]
        elif isinstance(widget, RowWindow):
            texts += ["\n".join(lines) for _, lines in widget.rows]
        elif isinstance(widget, Static):
            texts.append(str(widget.content))
        elif isinstance(widget, TooSmall):
            texts.append(str(widget.render()))
    return [text for text in map(squeezed, texts) if text]


async def scrolled(pilot, container: Widget) -> str:
    """What `container` shows, a page at a time from its top (as PgDn
    turns them, without waiting for a scroll's animation), then back at the
    top; and each page of the screen around it."""
    app = pilot.app
    rows: dict[int, str] = {}
    around: list[str] = []
    while True:
        region = container.region
        lines = screen_lines(app)
        around.append(" ".join(lines))
        for row, line in enumerate(lines[region.y:region.bottom]):
            rows[round(container.scroll_y) + row] = line[region.x:region.right]
        if container.scroll_y >= container.max_scroll_y:
            break
        container.scroll_to(y=container.scroll_y + container.scrollable_content_region.height, animate=False,
                            immediate=True)
        await pilot.pause()
    container.scroll_to(y=0, animate=False, immediate=True)
    await pilot.pause()
    return squeezed(" ".join(rows[row] for row in sorted(rows)) + " " + " ".join(around))


async def painted(pilot) -> str:
    """Everything the screen in front paints, through the pages of what
    scrolls: a form (whose foot says More...), the help, the history."""
    screen = pilot.app.screen
    for container in screen.query(ScrollableContainer):
        if shown(container) and container.max_scroll_y > 0:
            if isinstance(container, FormPages):
                assert "More..." in screen_text(pilot.app)  # the foot of the first page says that more follows
            else:
                assert container.show_vertical_scrollbar, container  # its scroll bar says so
            return await scrolled(pilot, container)
    return squeezed(" ".join(screen_lines(pilot.app)))


def view_key(screen: Screen) -> str | None:
    return next((key for key, active in screen.active_bindings.items() if active.binding.id == "list.view"), None)


async def assert_whole(pilot, visited: set[type]) -> None:
    """The screen in front paints whole all it means to show (a list: in
    one of its views, each column's heading and each row's value)."""
    app = pilot.app
    screen = app.screen
    visited.add(type(screen))
    await pilot.pause()
    views: list[tuple[list[str], str]] = [(meant(screen), await painted(pilot))]
    if isinstance(screen, WorkWithScreen):
        key = view_key(screen)
        if len(screen.views.views) > 1:  # the legend names the second view
            assert key is not None and any(label.endswith("=View 2") for label in legend(app))
        for _ in range(len(screen.views.views) - 1):
            await pilot.press(key)
            views.append((meant(screen), await painted(pilot)))
        if key is not None:
            await pilot.press(key)  # back to the first view
        assert screen.views.shown == 0
        everything = " ".join(text for _, text in views)
        rows = screen.page.rows[: len([row for row in screen.query(ListRow) if row.display])]
        for value in [column.title for column in screen.COLUMNS] + [cell for row in rows for cell in screen.cells(row)]:
            assert squeezed(value) in everything, (value, screen_lines(app))
        if screen.page.after:
            assert "More..." in everything
    for texts, text in views:
        missing = [part for part in texts if part not in text]
        assert not missing, f"{type(screen).__name__} at {app.size}: not painted whole: {missing}\n" + "\n".join(
            screen_lines(app))


async def at_every_size(pilot, visited: set[type]) -> None:
    """The screen in front, at each size in turn, the smallest last
    (opened once: opening each screen at each size took three times as
    long).  A window is at most 78 columns wide, so at 120x40 it is laid
    out as at 80x24."""
    sizes = SIZES if not isinstance(pilot.app.screen, DialogScreen) else SIZES[:2]
    for size in reversed(sizes):
        await pilot.resize_terminal(*size)
        await settled(pilot)
        await assert_whole(pilot, visited)


async def settled(pilot) -> None:
    """The resize handled, what it reads (a list's page) read, and painted."""
    app = pilot.app
    await pilot.pause()
    await until(lambda: not app.database.busy, "the resize's database work to end")
    await app.screen.wait_for_refresh()


async def with_help(pilot, visited: set[type]) -> None:
    """The screen in front, then its help at the smallest size (the help
    window is as wide at 80x24 as at 120x40, and only wider than at 60x20;
    resizing it took more than all the rest: tests/test_help_layout.py
    checks the longest terms at every size), then back."""
    await at_every_size(pilot, visited)
    await pilot.press("f1")
    assert isinstance(pilot.app.screen, HelpScreen) and pilot.app.size == SIZES[0]
    await assert_whole(pilot, visited)
    await pilot.press("f1")


async def open_record(pilot, key: str, *then: str) -> None:
    """`key` into the form's key field (put, not typed key by key), Enter, then `then`."""
    screen = pilot.app.screen
    screen.field(screen.KEY).value = key
    await pilot.press("enter", *then)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def everyone(people):
    """The seeded definitions and users, a definition whose server refuses
    at once (LOCAL) and a Google one whose sign-in needs no server to start."""
    people.smtp.save(definition(name="LOCAL", mail_server="127.0.0.1", port=closed_port(), authenticate=False,
                                username="", use_tls=False), PasswordChange.keep(), None)
    people.smtp.save(definition(name="GMAIL", mail_server="smtp.gmail.com", username="ann@corp.example",
                                login_method="G", client_id="gclient"),
                     PasswordChange.keep(), None, {"client_secret": PasswordChange.set("g-secret")})
    return people


@pytest.mark.slow  # a sweep of every window at three sizes; each is tested at 80x24 by its own tests
async def test_every_screen_and_window_shows_all_it_means_to(everyone, monkeypatch) -> None:
    app = everyone
    # The full collection the app makes once keys pause for a second (idle_gc.py) came after
    # nearly every check here: a third of the test's CPU, and nothing to do with what is painted.
    monkeypatch.setattr(app.collector, "collect_if_quiet", lambda busy: None)
    visited: set[type] = set()
    async with app.run_test(size=SIZES[0]) as pilot:
        await app.typeahead.ready.wait()
        await with_help(pilot, visited)  # the main menu
        await pilot.press("1")
        await at_every_size(pilot, visited)
        await pilot.press("1")
        await at_every_size(pilot, visited)
        # SMTP Settings: closed, its F4 list, the create question, then a record and its windows
        await pilot.press("1")
        await with_help(pilot, visited)
        await pilot.press("f4")
        await with_help(pilot, visited)
        await pilot.press("escape")
        await open_record(pilot, "NEW")
        await with_help(pilot, visited)
        await pilot.press("n")
        await open_record(pilot, "office")
        await with_help(pilot, visited)
        for key in ("f9", "f6", "f7"):  # history, login test, test email
            await pilot.press(key)
            await with_help(pilot, visited)
            await pilot.press("escape")
        await pilot.press("escape")
        await open_record(pilot, "relay", "f8")  # no user is linked: the question
        await with_help(pilot, visited)
        await pilot.press("escape")
        app.screen.field("mail_server").focus()
        await pilot.press("f4")  # the providers
        await at_every_size(pilot, visited)
        await pilot.press("escape", "escape")
        await open_record(pilot, "local", "f6", "enter")
        await until(lambda: isinstance(app.screen, SmtpSessionScreen) and not app.screen.running,
                    "the login test to end (the connection is refused)")
        await with_help(pilot, visited)  # the SMTP session window
        await pilot.press("escape", "escape")
        await open_record(pilot, "gmail", "f2")
        assert isinstance(app.screen, SignInScreen)
        # Its address comes from a thread (where the OAuth library loads): the window grows by the steps and the
        # status line then, and a size checked meanwhile saw it half laid out (CI, under load).
        await until(lambda: app.screen.installed is not None, "the sign-in window's address")
        await with_help(pilot, visited)
        await pilot.press("escape", "escape", "escape")
        assert isinstance(app.screen, MenuScreen) and app.screen.menu.path.endswith("Mail Settings")
        # User Email Settings, and its F4 list of definitions
        await pilot.press("2")
        await open_record(pilot, "alice")
        await with_help(pilot, visited)
        app.screen.field("smtp_name").focus()
        await pilot.press("f4")
        await at_every_size(pilot, visited)
        await pilot.press("escape", "escape", "escape")
        # the lists, and what their options open
        await pilot.press("3")
        await with_help(pilot, visited)
        for option in ("3", "7", "4", "5"):  # copy, rename, delete, display
            app.screen.options[0].focus()
            await pilot.press(option, "enter")
            await with_help(pilot, visited)
            await pilot.press("escape")
        await pilot.press("escape", "4")
        await with_help(pilot, visited)
        app.screen.options[0].focus()
        await pilot.press("5", "enter")
        await with_help(pilot, visited)
    concrete = {cls for cls in screen_classes() if context_name(cls)} - {DialogScreen}
    assert concrete <= visited, sorted(cls.__name__ for cls in concrete - visited)


TOO_SMALL = [(40, 12), (MIN_WIDTH - 1, MIN_HEIGHT), (MIN_WIDTH, MIN_HEIGHT - 1)]


async def test_too_small_a_terminal_says_so_and_the_screen_comes_back_as_it_was(people) -> None:
    async with people.run_test(size=(80, 24)) as pilot:
        form = await open_form(pilot, 1, key="office")
        await pilot.press("tab", "tab", "ctrl+u", *"typed")
        for size in TOO_SMALL:
            await pilot.resize_terminal(*size)
            await pilot.pause()
            text = screen_text(people)
            assert text.startswith(f"The terminal is too small: {size[0]}x{size[1]}; fincon-tui needs at least "
                                   f"{MIN_WIDTH}x{MIN_HEIGHT}.")
            assert "FINCON" not in text and "Accept" not in text  # nothing else, nothing cut
            # What it says is what happens: keys typed now do nothing, the values typed before stay.
            assert text.endswith("comes back as it was, with the values typed before. Until then keys do nothing; "
                                 "^Q quits.")
            await pilot.press("x", "f10", "f4")
            assert people.screen is form and form.field("username").value == "typed"
            assert people.smtp.get("OFFICE").record.username == "shared@corp.example"
            await pilot.resize_terminal(80, 24)
            await pilot.pause()
            assert "too small" not in screen_text(people)
            assert people.focused is form.field("username") and form.field("username").value == "typed"
            assert legend_rows(people) == 2 and screen_lines(people)[-1].strip()  # laid out as before
        await pilot.press("f9")  # a window too
        await pilot.resize_terminal(*TOO_SMALL[0])
        await pilot.pause()
        assert screen_text(people).startswith("The terminal is too small")
        await pilot.resize_terminal(MIN_WIDTH, MIN_HEIGHT)
        await pilot.pause()
        assert "History of SMTP definition OFFICE" in screen_text(people)
        assert "too small" not in screen_text(people)


def legend_rows(app) -> int:
    return app.screen.query_one(KeyLegend).region.height
