"""update_text: a Static shows its new content at once, and the screen is
laid out again only when the room the content needs changes."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.geometry import Size
from textual.screen import Screen
from textual.widgets import Label, Static

from fincon_tui.ui.widgets.text_update import update_text


class Texts(Screen[None]):
    DEFAULT_CSS = """
    #auto-height { height: auto; }
    #fixed { width: 20; height: 1; }
    #row { height: 1; width: auto; }
    #in-row { width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="auto-height")
        yield Static("fixed", id="fixed")
        yield Label("short", id="label")
        with Horizontal(id="row"):
            yield Static("inside", id="in-row")


async def layouts_for(selector: str, content: object) -> tuple[int, object, Size]:
    """Show `content` in the widget `selector`: how often the screen was
    laid out, and the widget's content and size afterwards."""
    app: App[None] = App()
    async with app.run_test(size=(40, 10)) as pilot:
        screen = Texts()
        await app.push_screen(screen)
        await pilot.pause()
        layouts = 0
        refresh_layout = screen._refresh_layout  # noqa: SLF001

        def counting(*args: object, **options: object) -> None:
            nonlocal layouts
            layouts += 1
            refresh_layout(*args, **options)  # type: ignore[arg-type]

        screen._refresh_layout = counting  # type: ignore[method-assign]  # noqa: SLF001
        widget = screen.query_one(selector, Static)
        update_text(widget, content)  # type: ignore[arg-type]
        await pilot.pause()
        return layouts, widget.content, widget.size


async def test_the_same_text_again_changes_nothing() -> None:
    assert (await layouts_for("#auto-height", ""))[0] == 0


async def test_text_that_keeps_its_room_is_shown_without_a_layout() -> None:
    assert await layouts_for("#fixed", "other") == (0, "other", Size(20, 1))
    assert await layouts_for("#auto-height", "one line") == (0, "one line", Size(40, 1))


async def test_text_that_needs_another_line_lays_the_screen_out() -> None:
    layouts, _, size = await layouts_for("#auto-height", "word " * 12)
    assert layouts and size.height == 2


async def test_a_label_sized_by_its_text_grows_with_it() -> None:
    layouts, _, size = await layouts_for("#label", "a good deal longer")
    assert layouts and size.width == len("a good deal longer")


async def test_a_widget_in_a_container_sized_by_its_content_lays_the_screen_out() -> None:
    layouts, _, _ = await layouts_for("#in-row", "inside, and much longer")
    assert layouts


async def test_the_same_words_in_another_style_are_shown() -> None:
    bold = Content.styled("fixed", "bold")
    layouts, content, _ = await layouts_for("#fixed", bold)
    assert (layouts, content) == (0, bold) and isinstance(content, Content)
    assert list(content.spans) == list(bold.spans)
