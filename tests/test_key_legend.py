"""The key legend: what it shows, that it stays put while the focus moves,
and that a click on a key sends that key (a dimmed one only rings)."""

from __future__ import annotations

from support import legend, open_form, refreshes, until
from textual.binding import Binding

from fincon_tui.ui.bindings import bind
from fincon_tui.ui.screens.base import FinconScreen
from fincon_tui.ui.screens.lookup import LookupScreen
from fincon_tui.ui.widgets.key_legend import KeyLegend

SIZE = (80, 24)


def rows(legend_widget: KeyLegend) -> list[str]:
    """The legend's lines as drawn."""
    return [legend_widget.render_line(y).text for y in range(legend_widget.region.height)]


def place_of(legend_widget: KeyLegend, label: str) -> tuple[int, int]:
    """Where `label` (as shown, `F4/^P=Prompt`) is drawn: column, line."""
    for y, row in enumerate(rows(legend_widget)):
        if label in row:
            return row.index(label), y
    raise AssertionError(f"{label} is not in the legend: {rows(legend_widget)}")


async def test_the_legend_stays_put_while_the_focus_moves(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="NEW")
        await pilot.press("y")
        legend_widget = app.screen.query_one(KeyLegend)
        before = (legend_widget.lines, rows(legend_widget))
        asked = refreshes(legend_widget)
        await pilot.press("enter", "enter", "tab")
        assert app.focused is not None and app.focused.id not in ("name", "mail_server")
        assert (legend_widget.lines, rows(legend_widget)) == before
        assert not any(refresh.layout for refresh in asked)


async def test_a_click_on_a_key_sends_it(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1)
        label = next(shown for shown in legend(app) if shown.endswith("=Prompt"))
        legend_widget = app.screen.query_one(KeyLegend)
        await pilot.click(KeyLegend, offset=place_of(legend_widget, label))
        await until(lambda: isinstance(app.screen, LookupScreen), "the clicked key opens the look-up")


class Dimmed(FinconScreen):
    """A screen whose Accept does nothing at the moment."""

    BINDINGS: list[Binding] = [bind("accept", "accept", "Accept")]
    accepted = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "accept" else True

    def action_accept(self) -> None:
        self.accepted = True


async def test_a_click_on_a_dimmed_key_rings_and_does_nothing(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await app.typeahead.ready.wait()
        screen = Dimmed()
        await app.push_screen(screen)
        await pilot.pause()
        legend_widget = screen.query_one(KeyLegend)
        accept = next(entry for line in legend_widget.lines for entry in line if entry.description == "Accept")
        assert not accept.enabled
        rang: list[bool] = []
        app.bell = lambda: rang.append(True)  # type: ignore[method-assign]
        label = next(shown for shown in legend_widget.labels() if shown.endswith("=Accept"))
        await pilot.click(KeyLegend, offset=place_of(legend_widget, label))
        await pilot.pause()
        assert rang and not screen.accepted


async def test_the_key_under_the_mouse_is_highlighted(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1)
        legend_widget = app.screen.query_one(KeyLegend)
        label = legend(app)[0]
        column, line = place_of(legend_widget, label)
        plain = list(legend_widget.render_line(line))
        await pilot.hover(KeyLegend, offset=(column, line))
        await pilot.pause()
        hovered = list(legend_widget.render_line(line))
        assert [s.text for s in hovered] == [s.text for s in plain]
        assert hovered[0].style != plain[0].style and hovered[2].style == plain[2].style
        await pilot.hover("#title-bar")
        await pilot.pause()
        assert list(legend_widget.render_line(line)) == plain
