"""Every place fincon-tui leans on a private part of Textual (pinned exactly
in pyproject.toml).

A Textual upgrade starts here.  Each item says what it relies on, why it
exists and what was measured; tests/test_textual_internals.py has a test per
item that fails when the Textual behaviour it relies on changes (then
measure again, and adapt or drop the item).  Everywhere else fincon_tui uses
Textual's public API only: ruff's SLF001 refuses `obj._private`, and a test
refuses a subclass that overrides a private Textual name outside this module.

The measurements are bytes written to a real 80x24 pty (xterm-256color),
what an SSH link carries; a full screen is about 6 KB.
"""

from __future__ import annotations

from typing import Any, TypeVar

from rich.text import Text
from textual import events, on
from textual.app import App
from textual.binding import Binding
from textual.css.stylesheet import Stylesheet
from textual.dom import DOMNode
from textual.driver import Driver
from textual.drivers.linux_driver import LinuxDriver
from textual.geometry import Size
from textual.reactive import Reactive
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Input

ResultT = TypeVar("ResultT")

#: The private names overridden below, by class: the test that keeps
#: private overrides out of the rest of fincon_tui reads this.
OVERRIDES = {
    "ReusingStylesheet": {"_process_component_classes"},
    "SparingApp": {"_background_screens", "_end_batch"},
    "SparingScreen": {"_compositor_refresh", "_default_focused", "_on_screen_resume"},
    "SteadyInput": {"_default_virtual_size", "_value"},
}


class ReusingStylesheet(Stylesheet):
    """12. `Stylesheet._process_component_classes`: the same virtual nodes
    for a widget's component classes at each styling.

    Each time Textual styles a widget that has component classes (an Input
    has 4, a key legend 4, an option list 9), it makes a new virtual
    DOMNode for each, styles it, and keeps only its styles; the node before
    it is left to the garbage collector, in a cycle with its styles (with
    its own Styles, RenderStyles, NodeList, BindingsMap, signals and weak
    sets: several KiB each).  Full collections wait until nobody types
    (idle_gc.py), and a form restyles its fields as it opens (13 fields
    enabled) and as the focus moves, so that such garbage was part of the
    peak memory with the SMTP form open: 44.7-44.9 MiB with the nodes
    kept against 45.3-45.5 without (pty 80x24, 4 runs each alternately).
    Here each widget keeps its virtual nodes (`_component_nodes`) and a
    new styling restyles them; the widget is refreshed when one's rules
    changed, as Textual refreshes it when the new node's differ."""

    def copy(self) -> Stylesheet:
        """A copy that keeps the nodes too (Textual's copies a Stylesheet)."""
        stylesheet = ReusingStylesheet(variables=self._variables.copy())
        stylesheet.source = self.source.copy()
        return stylesheet

    def _process_component_classes(self, node: DOMNode) -> None:
        component_classes = node._get_component_classes()  # noqa: SLF001
        if not component_classes:
            return
        kept: dict[str, DOMNode] = node.__dict__.setdefault("_component_nodes", {})
        styles = node._component_styles  # noqa: SLF001
        styles.clear()
        changed = False
        for component in sorted(component_classes):
            virtual_node = kept.get(component)
            if virtual_node is None:
                virtual_node = kept[component] = DOMNode(classes=component)
                virtual_node._attach(node)  # noqa: SLF001
                before = None
            else:
                before = virtual_node.styles.base.get_rules()
            self.apply(virtual_node, animate=False)
            changed = changed or before != virtual_node.styles.base.get_rules()
            styles[component] = virtual_node.styles
        if changed:
            node.refresh()


class SparingApp(App[None]):
    """1. `App._background_screens`: what shows through the top screen.

    Textual counts the screen below the top one as visible even when the
    top screen is opaque, and each time that hidden screen is marked dirty
    it repaints the whole top screen: every keystroke in a form was a full
    repaint (about 6 KB).  Under an opaque screen, none show through.

    It styles with ReusingStylesheet (12).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stylesheet = ReusingStylesheet(variables=self.get_css_variables())

    @property
    def _background_screens(self) -> list[Screen[object]]:
        if self.screen.styles.background.a == 1:
            return []
        return super()._background_screens

    def _end_batch(self) -> None:
        """6. `App._end_batch`: the screens under a window catch up after a batch.

        A screen puts off its layout and repaints while the app is inside
        `batch_update()` (a recompose, a mount), and when the batch ends
        Textual prompts only the app.  A screen under a window that was put
        off that way (the form under the Yes/No window, when the window's
        legend was built) then waited for its next message, which was the
        operator's next key: the first arrow key in the window cost 12 KB
        instead of 171 bytes, on a loaded machine.  Each screen that shows
        is prompted too, so what it put off is done while the window opens.
        """
        super()._end_batch()
        if not self._batch_count:
            for screen in self._background_screens:
                screen.check_idle()


class SuspendingDriver(LinuxDriver):
    """Textual's Linux driver, whose writer thread has written everything
    before the process stops, and which comes back only when it has let the
    terminal go (see ResumingApp)."""

    def suspend_application_mode(self) -> None:
        super().suspend_application_mode()
        self.close()  # stops the writer thread once it has written its queue; `fg` starts a new one

    def resume_application_mode(self) -> None:
        writer = self._writer_thread  # a live one: the terminal is ours already
        if writer is None or not writer.is_alive():
            super().resume_application_mode()


class ResumingApp(SparingApp):
    """9. Suspending (Ctrl+Z, or SIGTSTP from elsewhere) and `fg`.

    On SIGTSTP Textual's driver queues what gives the terminal back (leave
    the alternate screen, mouse reports off, cursor on) for its writer thread
    and stops the process at once, so part of it could be written only after
    `fg`, racing the new writer thread's set-up.  On `fg` (SIGCONT) it sets
    the terminal up again, on a blank alternate screen, and repaints nothing
    (the size is unchanged, so its Resize is dropped): the screen stayed
    blank but for the focused field's blinking cursor.  Here the driver
    stops its writer thread, which writes all it holds, before the process
    stops, and the app repaints the whole screen once the driver is back.
    Textual also restarts on every SIGCONT, so one that follows no suspend
    (`kill -CONT`) started a second input thread, which nothing ended: the
    process outlived Ctrl+Q.  The driver restarts only while its writer
    thread is stopped (after a suspend, or a start in the background, after
    `bg`, that gave up on the terminal and waits for `fg`).
    """

    def get_driver_class(self) -> type[Driver]:
        driver = super().get_driver_class()
        return SuspendingDriver if driver is LinuxDriver else driver

    @on(Driver.SignalResume)
    def repaint_after_resume(self) -> None:
        self.refresh(layout=True)


class SparingScreen(Screen[ResultT]):
    """The repaints a screen asks for, cut to what changed on it."""

    #: 2. `Screen.focused`, redeclared without `repaint`.  Textual repaints
    #: the whole screen when the focus moves; the widgets losing and gaining
    #: focus repaint themselves, and that is all the link needs to carry.
    #: Enter in a form cost a full screen; it costs under 400 bytes now.
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)

    def _compositor_refresh(self) -> None:
        """3. A screen that shows through a modal one (a form under the Yes/No
        dialog or an F4 list) hands its changed regions to the top screen,
        and Textual then sets its `_repaint_required`: its next idle moment
        (any message it handles, and the typeahead sends every screen one
        per key) repaints all of it, which hands the whole screen to the top
        screen again, and so on for every key.  An arrow key in the dialog
        cost 12 KB, a character typed into the F4 filter 12.5 KB.  The
        changed regions have already reached the top screen, so the flag is
        put back as it was before."""
        asked = self._repaint_required
        super()._compositor_refresh()
        self._repaint_required = asked

    _resumed = False

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        """8. `Screen._on_screen_resume`: no second styling of a new screen.

        When a screen is pushed, Textual styles every one of its widgets
        again on its first resume, although each was styled as it mounted
        (and Textual restyles the order-dependent ones, `:first-of-type`,
        after each mount itself).  For the SMTP form that was 33 ms of the
        110 ms of CPU it takes to open.  A screen resumed later (a popped
        window uncovering it) is styled as Textual decides.  (Textual calls
        the handler of each class in turn: Screen's runs after this one.)"""
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False


class SparingModalScreen(ModalScreen[ResultT], SparingScreen[ResultT]):
    """A modal screen (Textual's: the screen below shows through, dimmed)
    with the repaints of SparingScreen."""


def merged_bindings(node_class: type[DOMNode]) -> dict[str, list[Binding]]:
    """5. `DOMNode._merge_bindings()`: a class's bindings as Textual merges
    them from its bases (key by key, a subclass's binding replacing its
    base's on the same key; `inherit_bindings=False` starting afresh).  The
    start-up check for keys that would do two things on one screen must see
    exactly what Textual will bind."""
    return dict(node_class._merge_bindings().key_to_bindings)  # noqa: SLF001


class SteadyInput(Input):
    """7. `Widget.virtual_size`, redeclared without `layout`.

    Input sets its virtual size (the width of its text) on every change of
    its value, and Widget declares that reactive with `layout=True`: each
    character typed laid out the whole screen again, about half of the CPU a
    key took in a form.  An Input whose size is not `auto` (every field
    here has a fixed width) keeps its size whatever it holds, and reads its
    virtual size for scrolling straight from the reactive; Input itself
    asks for a layout when its size is `auto`.
    """

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    #: 10. What a password field draws for each character it holds.  Input
    #: writes "•" into `Input._value` itself; drawn from this constant, the
    #: help's words for a stored password's mask cannot differ from the field.
    PASSWORD_GLYPH = "•"

    @property
    def _value(self) -> Text:
        """10. `Input._value`, the text a field shows: a password's in PASSWORD_GLYPH."""
        if self.password:
            return Text(self.PASSWORD_GLYPH * len(self.value), no_wrap=True, overflow="ignore", end="")
        return super()._value
