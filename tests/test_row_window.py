"""The F4 list's row window: new rows repaint only the lines that changed
and lay nothing out again; the highlighted row stays in view; a click picks."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.geometry import Region

from fincon_tui.ui.widgets.row_window import RowWindow


class Recording(RowWindow):
    def __init__(self) -> None:
        super().__init__(id="rows")
        self.calls: list[tuple[tuple[Region, ...], bool]] = []

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Recording:
        self.calls.append((regions, layout))
        super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)
        return self


class Rows(App[None]):
    picked: list[str]

    def compose(self) -> ComposeResult:
        self.picked = []
        window = Recording()
        window.styles.height = 5
        yield window

    def on_row_window_picked(self, event: RowWindow.Picked) -> None:
        self.picked.append(event.key)


def rows(*keys: str) -> list[tuple[str, list[str]]]:
    return [(key, [f"row {key}"]) for key in keys]


async def test_new_rows_repaint_the_lines_that_changed_and_lay_nothing_out() -> None:
    app = Rows()
    async with app.run_test() as pilot:
        window = app.query_one(Recording)
        window.show(rows("0", "1", "2", "3", "4"), highlighted=0)
        await pilot.pause()
        window.calls = []
        window.show(rows("0", "x"), highlighted=0)
        [(regions, layout)] = window.calls
        assert [region.y for region in regions] == [1, 2, 3, 4]  # "row 0", highlighted, stays
        assert not layout
        await pilot.pause()
        window.calls = []
        window.highlight(1)
        assert [region.y for region in window.calls[0][0]] == [0, 1]


async def test_the_highlighted_row_stays_in_view_and_a_click_picks_the_row_under_it() -> None:
    app = Rows()
    async with app.run_test() as pilot:
        window = app.query_one(Recording)
        window.show([("a", ["a 1", "a 2"]), *rows(*"bcdefgh")], highlighted=0)
        window.highlight(6)  # row g: lines 7 of 0..8, the window 5 high
        await pilot.pause()
        assert [window.render_line(y).text.rstrip() for y in range(5)] == ["row c", "row d", "row e", "row f",
                                                                          "row g"]
        window.highlight(0)
        await pilot.pause()
        assert window.render_line(1).text.rstrip() == "a 2"
        await pilot.click("#rows", offset=(1, 2))
        assert app.picked == ["b"]
