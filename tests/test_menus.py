"""Green-screen menu navigation with the keyboard."""

from __future__ import annotations

from support import legend
from textual.widgets import OptionList

from fincon_tui.ui.screens.menu import Menu, MenuScreen
from fincon_tui.ui.screens.smtp_settings import SmtpSettingsScreen
from fincon_tui.ui.widgets.key_legend import KeyLegend

SIZE = (80, 24)


async def test_digits_open_each_level_at_once(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        assert app.screen.PATH == "Main Menu"
        await pilot.press("1")
        assert app.screen.PATH == "System"
        await pilot.press("1")
        assert app.screen.PATH == "System / Mail Settings"
        await pilot.press("1")
        assert isinstance(app.screen, SmtpSettingsScreen)
        assert app.screen.PATH == "System / Mail Settings / SMTP Settings"


async def test_arrows_and_enter_work_too(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "enter")
        assert app.screen.PATH == "System"
        await pilot.press("enter")
        assert app.screen.PATH == "System / Mail Settings"


async def test_escape_and_f3_go_back_one_level(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "1", "1")
        await pilot.press("escape")
        assert app.screen.PATH == "System / Mail Settings"
        await pilot.press("f3")
        assert app.screen.PATH == "System"
        await pilot.press("escape")
        assert app.screen.PATH == "Main Menu"
        await pilot.press("f3")
        assert not app.is_running


async def test_the_menus_walked_through_are_shown_in_place_not_kept_under_the_form(app) -> None:
    """A menu shows the menu an entry leads to on its own screen (issue 26:
    a screen of each menu kept its widgets under the SMTP form)."""
    async with app.run_test(size=SIZE) as pilot:
        main = app.screen
        await pilot.press("1", "1")
        assert app.screen is main and app.screen.PATH == "System / Mail Settings"
        await pilot.press("1")
        assert [type(screen).__name__ for screen in app.screen_stack] == ["MenuScreen", "SmtpSettingsScreen"]
        await pilot.press("escape", "f3")
        assert app.screen_stack == [main] and main.PATH == "System"


async def test_a_digit_with_no_entry_says_so(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("7")
        assert app.screen.PATH == "Main Menu"
        assert app.screen.message.text == "Option 7 does not exist: choose 1"


async def test_ctrl_q_quits_from_anywhere(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "1")
        await pilot.press("ctrl+q")
        assert not app.is_running


async def test_every_menu_entry_leads_to_a_working_screen(app) -> None:
    """No placeholder entries: walk the whole tree and open everything."""
    async with app.run_test(size=SIZE) as pilot:
        seen = []

        async def walk(menu: Menu) -> None:
            for number, entry in enumerate(menu.entries, 1):
                await pilot.press(str(number))
                opened = app.screen
                assert menu.path != opened.PATH, entry.label
                seen.append(opened.PATH)
                if isinstance(opened, MenuScreen):
                    await walk(opened.menu)
                await pilot.press("f3")
                assert isinstance(app.screen, MenuScreen) and app.screen.menu is menu
                assert app.screen.query_one(OptionList).highlighted == number - 1  # the entry left

        assert isinstance(app.screen, MenuScreen)
        await walk(app.screen.menu)
        assert "System / Mail Settings / SMTP Settings" in seen


async def test_the_key_legend_is_green_screen_style(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "1", "2")
        assert legend(app) == [
            "F10/^S=Accept",
            "F4/^P=Prompt",
            "F8/^D=Delete",
            "F5/^R=Reload",
            "F9/^Y=History",
            "F3=Exit",
            "F12/Esc=Cancel",
            "F2/^N=Sign in",
            "^Q=Quit",
        ]


async def test_a_wide_terminal_shows_the_ctrl_keys_on_two_lines_rather_than_f_keys_on_one(app) -> None:
    """At 120x40 the form's legend fits on one line as F-keys alone, but a
    terminal that swallows F-keys needs the Ctrl aliases: two lines then."""
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("1", "1", "1")
        assert "F10/^S=Accept" in legend(app) and "F12/Esc=Cancel" in legend(app)
        assert app.screen.query_one(KeyLegend).rows == 2


async def test_legend_keeps_only_f_keys_when_the_ctrl_keys_would_take_another_line(app) -> None:
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.press("1", "1", "1")
        assert legend(app) == [
            "F10=Accept",
            "F4=Prompt",
            "F8=Delete",
            "F5=Reload",
            "F9=History",
            "F3=Exit",
            "F12=Cancel",
            "F6=Test",
            "F7=Send",
            "F2=Sign in",
            "^Q=Quit",
        ]


async def test_a_wide_terminal_shows_both_keys_on_one_line(app) -> None:
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.press("1", "1", "1")
        assert "F6/^T=Test" in legend(app) and "F7/^O=Send" in legend(app)
        assert app.screen.query_one("KeyLegend").region.height == 1
