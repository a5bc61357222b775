"""One test per item of fincon_tui/ui/textual_internals.py: each fails when
the Textual behaviour the item relies on (or works around) changes, so an
upgrade shows which items to measure again.  These tests read Textual's
private state on purpose (ruff's SLF001 is off for this file only)."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import pkgutil
import tomllib
from importlib.metadata import version
from pathlib import Path
from types import SimpleNamespace

from support import refreshes, until
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.css.stylesheet import Stylesheet
from textual.driver import Driver
from textual.drivers.linux_driver import LinuxDriver
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Input, Static

import fincon_tui.ui
from fincon_tui.ui import textual_internals
from fincon_tui.ui.textual_internals import (
    ResumingApp,
    ReusingStylesheet,
    SparingApp,
    SparingModalScreen,
    SparingScreen,
    SteadyInput,
    SuspendingDriver,
    merged_bindings,
)


def test_textual_is_the_pinned_version() -> None:
    """The items below were measured on this version; another one needs them measured again."""
    pyproject = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    pins = [dep for dep in pyproject["project"]["dependencies"] if dep.startswith("textual")]
    assert pins == [f"textual=={version('textual')}"]


class Inputs(Screen[None]):
    def compose(self) -> ComposeResult:
        yield Input(id="one")
        yield Input(id="two")
        yield Static("behind", id="behind")


class SparingInputs(SparingScreen[None]):
    compose = Inputs.compose


class Dialog(ModalScreen[None]):
    def compose(self) -> ComposeResult:
        yield Static("dialog")


class SparingDialog(SparingModalScreen[None]):
    compose = Dialog.compose


# 1. App._background_screens ------------------------------------------------------


async def test_textual_still_counts_a_screen_under_an_opaque_one_as_visible() -> None:
    app: App[None] = App()
    async with app.run_test() as pilot:
        lower, upper = Inputs(), Inputs()
        await app.push_screen(lower)
        await app.push_screen(upper)
        await pilot.pause()
        assert upper.styles.background.a == 1
        assert app._background_screens == [lower], "Textual fixed it: drop SparingApp._background_screens"


async def test_under_an_opaque_screen_nothing_shows_through_and_under_a_dialog_the_screen_does() -> None:
    app = SparingApp()
    async with app.run_test() as pilot:
        lower = Inputs()
        await app.push_screen(lower)
        await app.push_screen(Inputs())
        await pilot.pause()
        assert app._background_screens == []
        app.pop_screen()
        await app.push_screen(Dialog())
        await pilot.pause()
        assert app._background_screens == [lower]


# 2. Screen.focused without repaint ------------------------------------------------


async def focus_moved(screen: Screen[None]) -> bool:
    """Whether moving the focus asked for a repaint of the whole screen."""
    app: App[None] = App()
    async with app.run_test() as pilot:
        await app.push_screen(screen)
        screen.query_one("#one").focus()
        await pilot.pause()
        asked = refreshes(screen)
        screen.query_one("#two").focus()
        await pilot.pause()
        assert screen.focused is screen.query_one("#two")
        return any(not refresh.regions and refresh.repaint for refresh in asked)


async def test_textual_still_repaints_the_whole_screen_when_the_focus_moves() -> None:
    assert await focus_moved(Inputs()), "Textual no longer repaints: drop SparingScreen.focused"


async def test_a_sparing_screen_repaints_only_the_widgets_whose_focus_changed() -> None:
    assert not await focus_moved(SparingInputs())


# 3. The background screen's repaint loop --------------------------------------------


async def repaint_asked_after_a_change_behind(lower: Screen[None], dialog: Screen[None]) -> bool:
    """Change a widget on `lower` under `dialog`; whether `lower` then asks
    for a repaint of all of itself."""
    app: App[None] = App()
    async with app.run_test() as pilot:
        await app.push_screen(lower)
        await app.push_screen(dialog)
        await pilot.pause()
        lower.query_one("#behind", Static).update("changed behind the dialog")
        await pilot.pause()
        await pilot.pause()
        assert app._background_screens == [lower]
        return lower._repaint_required


async def test_textual_still_repaints_all_of_a_screen_behind_a_dialog_after_each_change() -> None:
    assert await repaint_asked_after_a_change_behind(Inputs(), Dialog()), (
        "Textual no longer re-arms the repaint: drop SparingScreen._compositor_refresh"
    )


async def test_a_sparing_screen_behind_a_dialog_hands_on_only_what_changed() -> None:
    assert not await repaint_asked_after_a_change_behind(SparingInputs(), SparingDialog())


# 5. DOMNode._merge_bindings -----------------------------------------------------------


class Base(Screen[None]):
    BINDINGS = [Binding("f1", "one", "One", id="one"), Binding("f2", "two", "Two", id="two")]


class Derived(Base):
    BINDINGS = [Binding("f2", "other", "Other", id="other"), Binding("f3", "three", "Three", id="three")]


class Afresh(Base, inherit_bindings=False):
    BINDINGS = [Binding("f3", "three", "Three", id="three")]


def test_merged_bindings_are_textuals_key_by_key_merge() -> None:
    merged = merged_bindings(Derived)
    assert [b.id for key in ("f1", "f2", "f3") for b in merged[key]] == ["one", "other", "three"]
    assert list(merged) == ["tab", "shift+tab", "ctrl+c", "super+c", "f1", "f2", "f3"]  # bases first
    assert "f1" not in merged_bindings(Afresh) and "tab" not in merged_bindings(Afresh)


# Nothing else overrides Textual's private names -------------------------------------


def test_no_private_textual_name_is_overridden_outside_textual_internals() -> None:
    """`_on_key` and friends have public twins (`on_key`); a private override
    belongs in textual_internals.py with its note and its test."""
    generated = set(type("Probe", (Widget,), {}).__dict__) | {"_abc_impl"}  # what the metaclasses add
    found: dict[str, set[str]] = {}
    for info in pkgutil.walk_packages(fincon_tui.ui.__path__, "fincon_tui.ui."):
        module = importlib.import_module(info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            textual = [base for base in cls.__mro__ if base.__module__.startswith("textual.")]
            if cls.__module__ != module.__name__ or not textual:
                continue
            for attr in set(cls.__dict__) - generated:
                if attr.startswith("_") and not attr.startswith("__") and any(attr in b.__dict__ for b in textual):
                    found.setdefault(name, set()).add(attr)
    assert found == textual_internals.OVERRIDES


def test_pilot_idle_steps_that_the_tests_shorten_still_exist() -> None:
    """conftest.pilot_waits_for_the_app sets these two module globals;
    wait_for_idle must still read them at call time."""
    import inspect

    import textual._wait as wait

    assert isinstance(wait.SLEEP_GRANULARITY, float) and isinstance(wait.SLEEP_IDLE, float)
    source = inspect.getsource(wait.wait_for_idle)
    assert "sleep(SLEEP_GRANULARITY)" in source and "< SLEEP_IDLE" in source


# 6. App._end_batch -----------------------------------------------------------------


async def put_off_behind_a_dialog(app: App[None], *, until_caught_up: bool = False) -> bool:
    """Change a widget on a screen under a dialog while a batch is open (the
    screen idles then, and puts its layout off); whether the change is still
    put off a while after the batch has ended (with `until_caught_up`, once
    the screen has caught up: it fails if that never happens)."""
    async with app.run_test() as pilot:
        lower = Inputs()
        await app.push_screen(lower)
        await app.push_screen(Dialog())
        await pilot.pause()
        with app.batch_update():
            lower.query_one("#behind", Static).update("changed behind the dialog, in a batch")
            await asyncio.sleep(0.1)
            assert lower._layout_required, "the screen no longer puts its layout off in a batch"
        if until_caught_up:
            await until(lambda: not lower._layout_required, "the screen under the dialog lays out after the batch")
        else:
            await asyncio.sleep(0.3)  # a while to look: nothing prompts the screen, however long it is
        return lower._layout_required


async def test_textual_still_leaves_a_screen_under_a_dialog_waiting_after_a_batch() -> None:
    assert await put_off_behind_a_dialog(App()), "Textual prompts every screen now: drop SparingApp._end_batch"


async def test_the_screen_under_a_dialog_catches_up_when_the_batch_ends() -> None:
    assert not await put_off_behind_a_dialog(SparingApp(), until_caught_up=True)


# 7. Input's virtual size without layout --------------------------------------------


class Fields(Screen[None]):
    DEFAULT_CSS = "#field { width: 12; }"
    input_class: type[Input] = Input

    def compose(self) -> ComposeResult:
        yield self.input_class(id="field", compact=True)
        yield Static("below")


class SteadyFields(Fields):
    input_class = SteadyInput


async def typed(screen: Fields, text: str) -> tuple[int, str, float]:
    """`text` typed into a 12-cell field: how often the field asked for a
    layout meanwhile (each is a layout of the whole screen), and its value
    and horizontal scroll after."""
    app: App[None] = App()
    async with app.run_test() as pilot:
        await app.push_screen(screen)
        field = screen.query_one(Input)
        field.focus()
        await pilot.pause()
        asked = refreshes(field)
        await pilot.press(*text)
        await pilot.pause()
        return sum(refresh.layout for refresh in asked), field.value, field.scroll_x


LONG = "a-host-name-longer-than-the-field"


async def test_textual_still_lays_the_screen_out_for_each_character_typed() -> None:
    layouts, _, _ = await typed(Fields(), "abc")
    assert layouts == 3, "Textual no longer lays out per character: drop SteadyInput"


async def test_a_steady_input_takes_characters_without_a_layout_and_scrolls_as_inputs_do() -> None:
    layouts, value, scroll = await typed(SteadyFields(), LONG)
    assert layouts == 0
    assert (value, scroll) == (LONG, len(LONG) + 1 - 12)
    assert (await typed(Fields(), LONG))[1:] == (value, scroll)


# 8. No second styling of a new screen -------------------------------------------------


async def restyled_when_pushed(screen: Screen[None]) -> bool:
    """Whether pushing `screen` styled all of it again after its widgets mounted."""
    app: App[None] = App()
    async with app.run_test() as pilot:
        calls: list[bool] = []
        update_node_styles = screen.update_node_styles

        def recording(animate: bool = True) -> None:
            calls.append(True)
            update_node_styles(animate)

        screen.update_node_styles = recording  # type: ignore[method-assign]
        await app.push_screen(screen)
        await pilot.pause()
        return bool(calls)


async def test_textual_still_styles_a_pushed_screen_twice() -> None:
    assert await restyled_when_pushed(Inputs()), "Textual no longer restyles: drop SparingScreen._on_screen_resume"


async def test_a_sparing_screen_is_styled_once_and_a_restyle_would_change_nothing(app) -> None:
    """Every kind of screen, as it opens: a second styling would give none
    of its widgets another style (a state set after mounting without a
    restyle, such as `can_focus`, would show here)."""
    from support import open_form

    assert not await restyled_when_pushed(SparingInputs())
    seen: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:

        async def check() -> None:
            await pilot.pause()
            screen = app.screen
            seen.append(type(screen).__name__)
            once = [(repr(node), node.styles.css) for node in screen.walk_children(with_self=True)]
            app.update_styles(screen)
            assert [(repr(node), node.styles.css) for node in screen.walk_children(with_self=True)] == once

        await check()  # the main menu
        await open_form(pilot, 1)
        await check()  # the form with no record
        await pilot.press("f4")
        await check()  # the look-up list
        await pilot.press("escape", *"NEW", "enter")
        await check()  # the create question
        await pilot.press("y")
        await check()  # the record open
        await pilot.press("escape", "y", "f3")
        await open_form(pilot, 2)
        await check()
        await pilot.press("f3")
        await open_form(pilot, 3)
        await check()
    assert seen == ["MenuScreen", "SmtpSettingsScreen", "LookupScreen", "ConfirmScreen", "SmtpSettingsScreen",
                    "UserEmailSettingsScreen", "WorkWithDefinitionsScreen"]


# 9. Suspend and fg ------------------------------------------------------------------


def test_textual_still_leaves_what_it_queued_unwritten_and_close_writes_it() -> None:
    """The driver's flush does not wait for its writer thread, so the
    process could stop with the terminal not given back; stopping the thread
    (LinuxDriver.close, as SuspendingDriver does) writes everything first."""
    import io
    import threading

    from textual.drivers._writer_thread import WriterThread

    class SlowTerminal(io.StringIO):
        def write(self, text: str) -> int:
            let_go.wait()
            written.append(text)
            return len(text)

    written: list[str] = []
    let_go = threading.Event()
    writer = WriterThread(SlowTerminal())
    writer.start()
    writer.write("\x1b[?1049l")
    writer.flush()
    assert written == [], "Textual's flush waits for the writes now: drop SuspendingDriver"
    closing = threading.Thread(target=LinuxDriver.close, args=(SimpleNamespace(_writer_thread=writer),))
    closing.start()
    let_go.set()
    closing.join()
    assert written == ["\x1b[?1049l"] and not writer.is_alive()


async def test_the_driver_keeps_its_writer_thread_where_resuming_looks() -> None:
    """SuspendingDriver restarts only while `_writer_thread` is stopped (or
    not there yet); each start makes a new one (the pty tests start it)."""
    import signal

    handlers = signal.getsignal(signal.SIGTSTP), signal.getsignal(signal.SIGCONT)
    try:
        driver = SuspendingDriver(App())
    finally:
        signal.signal(signal.SIGTSTP, handlers[0])
        signal.signal(signal.SIGCONT, handlers[1])
    assert driver._writer_thread is None
    assert "self._writer_thread = WriterThread(" in inspect.getsource(LinuxDriver.start_application_mode)


async def test_textual_still_repaints_nothing_on_resume_and_a_resuming_app_repaints_all() -> None:
    for app_class, repaints in ((App, False), (ResumingApp, True)):
        app = app_class()
        async with app.run_test() as pilot:
            await pilot.pause()
            asked = refreshes(app.screen)
            app.post_message(Driver.SignalResume())
            await pilot.pause()
            assert any(refresh.repaint and not refresh.regions for refresh in asked) is repaints, (
                "Textual repaints after fg now: drop ResumingApp.repaint_after_resume" if not repaints else asked)
    assert ResumingApp().get_driver_class() is SuspendingDriver


# The test harness's shared CSS parse (tests/suite_speed.py) -----------------------


def test_stylesheets_still_parse_each_source_through_parse_rules_with_its_variables() -> None:
    """suite_speed keys the process-wide cache on what `_parse_rules` is
    given and on `_variables`: if Textual parses elsewhere or by other
    inputs, the cache would hand out rules parsed for another theme."""
    import suite_speed

    assert Stylesheet._parse_rules is suite_speed._shared_parse_rules
    parameters = list(inspect.signature(suite_speed._parse_rules).parameters)
    assert parameters == ["self", "css", "read_from", "is_default_rules", "tie_breaker", "scope"]
    sheet = Stylesheet(variables={"primary": "red"})
    sheet.add_source("Static { color: $primary; }", read_from=("test", "Static"))
    assert sheet._variables == {"primary": "red"}
    red = sheet.rules[0].styles.color
    blue_sheet = Stylesheet(variables={"primary": "blue"})
    blue_sheet.add_source("Static { color: $primary; }", read_from=("test", "Static"))
    assert blue_sheet.rules[0].styles.color != red


# 10. A password drawn in PASSWORD_GLYPH ----------------------------------------------


class Masked(Screen[None]):
    def compose(self) -> ComposeResult:
        yield SteadyInput(id="field", value="abc", password=True, compact=True)
        yield SteadyInput(id="plain", value="abc", compact=True)


async def test_a_field_shows_its_value_through_input_value_and_a_password_in_our_glyph() -> None:
    """If Input stops drawing from `_value`, the help could name a mask the
    password field no longer shows."""
    app: App[None] = App()
    async with app.run_test() as pilot:
        await app.push_screen(Masked())
        await pilot.pause()
        password, plain = app.screen.query(Input)
        assert password.render_line(0).text.startswith(SteadyInput.PASSWORD_GLYPH * 3 + " ")
        assert plain.render_line(0).text.startswith("abc ")
        password.PASSWORD_GLYPH = "#"  # type: ignore[misc]
        password.refresh()
        await pilot.pause()
        assert password.render_line(0).text.startswith("### ")


# 12. The virtual nodes of component classes ----------------------------------------------


class Placeholders(App[None]):
    CSS = """
    Input > .input--placeholder { color: red; }
    Input.other > .input--placeholder { color: blue; }
    """

    def compose(self) -> ComposeResult:
        yield Input(placeholder="type here", id="one")


async def test_textual_still_makes_new_virtual_nodes_at_each_styling() -> None:
    """Textual's own stylesheet leaves the virtual nodes of the styling
    before to the garbage collector: each styling of an Input makes new ones."""
    app = Placeholders()
    async with app.run_test() as pilot:
        assert type(app.stylesheet) is Stylesheet
        field = app.query_one(Input)
        before = field._component_styles["input--placeholder"].node
        field.add_class("other")
        await pilot.pause()
        assert field._component_styles["input--placeholder"].node is not before, (
            "Textual keeps them now: drop ReusingStylesheet")


class ReusingPlaceholders(Placeholders):
    def __init__(self) -> None:
        super().__init__()
        self.stylesheet = ReusingStylesheet(variables=self.get_css_variables())


async def test_reused_virtual_nodes_follow_each_styling() -> None:
    """The same node (no garbage) with the new rules, and the widget drawn again."""
    app = ReusingPlaceholders()
    async with app.run_test() as pilot:
        field = app.query_one(Input)
        before = field._component_styles["input--placeholder"].node
        assert field.get_component_rich_style("input--placeholder").color.name == "#ff0000"
        refreshed = []
        field.refresh = lambda *a, **k: refreshed.append(1) or Input.refresh(field, *a, **k)  # type: ignore[method-assign]
        field.add_class("other")
        await pilot.pause()
        assert field._component_styles["input--placeholder"].node is before
        assert field.get_component_rich_style("input--placeholder").color.name == "#0000ff"
        assert refreshed
        assert type(app.stylesheet.copy()) is ReusingStylesheet


def test_the_app_styles_with_the_reusing_stylesheet() -> None:
    assert type(SparingApp().stylesheet) is ReusingStylesheet
