"""Readable in every colour depth: 256 and more, the 16 ANSI colours
(TERM=linux, TERM=xterm), and NO_COLOR."""

from __future__ import annotations

import pytest
from rich.terminal_theme import TerminalTheme
from support import definition, open_form, screen_text

from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.ui.app import FinconApp
from fincon_tui.ui.screens.confirm import ConfirmScreen
from fincon_tui.ui.theme import terminal_colours

SIZE = (80, 24)
#: The Linux console's palette: what 16-colour styles look like on one.
VGA = TerminalTheme(
    (0, 0, 0), (170, 170, 170),
    [(0, 0, 0), (170, 0, 0), (0, 170, 0), (170, 85, 0), (0, 0, 170), (170, 0, 170), (0, 170, 170), (170, 170, 170)],
    [(85, 85, 85), (255, 85, 85), (85, 255, 85), (255, 255, 85), (85, 85, 255), (255, 85, 255), (85, 255, 255),
     (255, 255, 255)],
)


def luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
    red, green, blue = map(channel, rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(style) -> float:
    """WCAG contrast of a style's text on its background (ANSI colours as a Linux console shows them)."""
    fore = luminance(tuple(style.color.get_truecolor(VGA)))
    back = luminance(tuple(style.bgcolor.get_truecolor(VGA, foreground=False)))
    return (max(fore, back) + 0.05) / (min(fore, back) + 0.05)


@pytest.mark.parametrize(("environ", "colours"), [
    ({"TERM": "linux"}, 16),
    ({"TERM": "xterm"}, 16),
    ({"TERM": "xterm-256color"}, 256),
    ({"TERM": "xterm", "COLORTERM": "truecolor"}, 256),
    ({"TERM": "xterm-256color", "TEXTUAL_COLOR_SYSTEM": "standard"}, 16),
])
def test_the_terminal_says_how_many_colours(environ: dict[str, str], colours: int) -> None:
    assert terminal_colours(environ) == colours


def test_a_16_colour_terminal_gets_the_ansi_theme(store, vault, monkeypatch) -> None:
    monkeypatch.setenv("TERM", "linux")
    app = FinconApp(store, vault)
    assert app.theme == "fincon-green-16" and app.native_ansi_color
    monkeypatch.setenv("TERM", "xterm-256color")
    assert FinconApp(store, vault).theme == "fincon-green"


@pytest.mark.parametrize(("colours", "no_color"), [(16, False), (256, True), (16, True)])
async def test_empty_fields_and_buttons_show_without_a_background(store, vault, monkeypatch, colours, no_color) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = FinconApp(store, vault, cursor_blink=False, colours=colours)
    app.smtp.save(definition(name="OFFICE"), PasswordChange.keep(), None)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="office")
        bcc = app.screen.query_one("#bcc")
        assert bcc.value == ""
        assert set(bcc.render_line(0).text.strip()) == {"_"}  # the whole field, as a 5250 emulator draws it
        accept = app.screen.query_one("#accept").rich_style
        if no_color:
            assert accept.reverse  # a block of its own without any colour
        else:
            assert accept.bgcolor != app.screen.rich_style.bgcolor


async def test_fields_have_their_background_in_256_colours(app) -> None:
    app.smtp.save(definition(name="OFFICE"), PasswordChange.keep(), None)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="office")
        bcc = app.screen.query_one("#bcc")
        assert "_" not in bcc.render_line(0).text
        assert bcc.rich_style.bgcolor != app.screen.rich_style.bgcolor


@pytest.mark.parametrize("colours", [256, 16])
async def test_the_locked_key_of_the_open_record_reads_well(app) -> None:  # colours: the app fixture's
    app.smtp.save(definition(name="OFFICE"), PasswordChange.keep(), None)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="office")
        name = app.screen.query_one("#name")
        assert name.disabled and contrast(name.rich_style) >= 7


@pytest.mark.parametrize("colours", [256, 16])
async def test_the_plaintext_warning_has_a_colour_of_its_own(app) -> None:  # colours: the app fixture's
    app.smtp.save(definition(name="PLAIN", use_tls=False), PasswordChange.set("pw"), None)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="plain")
        await pilot.press("f6", "enter")
        warning = app.screen
        assert isinstance(warning, ConfirmScreen) and "unencrypted" in str(warning.query_one("#question").content)
        alarming = warning.query_one("#question").rich_style
        title = warning.query_one("#dialog-title").rich_style
        await pilot.press("n", "f8")
        await pilot.pause()
        question = app.screen
        assert isinstance(question, ConfirmScreen)
        assert str(question.query_one("#question").content).startswith("Delete")
        ordinary = question.query_one("#question").rich_style
        assert alarming.color != ordinary.color and alarming.bold
        assert title.bgcolor == alarming.color  # its title in reverse


@pytest.mark.parametrize(("colours", "no_color"), [(256, False), (16, False), (256, True)])
async def test_display_mode_has_no_buttons_drawn_in_their_background(
    store, vault, monkeypatch, colours, no_color
) -> None:
    """Issue 22: 5=Display drew Accept and Delete (and the key's Enter),
    which it never enables, dim green on green (contrast 1.7 in 256
    colours).  They are not shown there; 2=Change keeps them."""
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = FinconApp(store, vault, cursor_blink=False, colours=colours)
    app.smtp.save(definition(name="OFFICE"), PasswordChange.keep(), None)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 3)
        await pilot.press("5", "enter")
        assert app.screen.opening.read_only
        assert not {"Accept", "Delete", "Enter"} & set(screen_text(app).split())
        await pilot.press("escape", "2", "enter")
        assert not app.screen.opening.read_only
        assert {"Accept", "Delete"} <= set(screen_text(app).split())


@pytest.mark.parametrize("colours", [16])
async def test_closed_buttons_show_as_closed_in_16_colours(app) -> None:  # colours: the app fixture's
    """Textual frames a disabled button in 16 colours: Accept and Delete of
    the empty form were 3 rows tall in their 1-row row, the frame's top edge
    showing instead of their names, and the locked Enter of an open record
    made the key row 4 rows tall (the form then needed a page more)."""
    app.smtp.save(definition(name="OFFICE"), PasswordChange.keep(), None)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, 1)
        for button in form.query("#accept, #delete"):
            assert button.disabled and button.region.height == 1 and button.rich_style.underline
        assert {"Accept", "Delete"} <= set(screen_text(app).split())
        await pilot.press(*"office", "enter")
        assert form.query_one("#lookup").region.height == 1 and "Enter" in screen_text(app).split()
        assert "More..." not in screen_text(app)
