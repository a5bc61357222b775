"""The window family: every modal screen is a DialogScreen.

A window is a framed box over the screen it was opened from, with a title,
the subclass's body and, at the foot of the terminal, a legend of the
window's own keys (it covers the legend of the screen below).  The frame's
look is one set of rules in styles/app.tcss (`DialogScreen`, `#dialog`);
subclasses give the body, their keys and their help.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, TypeVar

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Label

from fincon_tui.ui.bindings import bind
from fincon_tui.ui.plain import plain
from fincon_tui.ui.textual_internals import SparingModalScreen
from fincon_tui.ui.widgets.key_legend import KeyLegend
from fincon_tui.ui.widgets.too_small import SizeGuard, TooSmall, guarded_by_size

if TYPE_CHECKING:
    from fincon_tui.ui.help_text import HelpText

Result = TypeVar("Result")


#: F12/Esc: close the window with None (`action_cancel`).  Not in the base's
#: BINDINGS: a window that answers Esc otherwise (No, Close) would still
#: inherit F12 from it, since Textual merges bindings key by key.
CANCEL = bind("cancel", "cancel", "Cancel")


class DialogFrame(VerticalScroll, can_focus=False):
    """A window's frame.  On a terminal too short for all of the window it
    scrolls, with a scroll bar that says so, and takes the cursor in turn
    (Tab) so that the arrow and page keys scroll it: nothing is cut off."""

    def on_resize(self) -> None:
        self.call_after_refresh(self._taller_than_room)

    def _taller_than_room(self) -> None:
        self.can_focus = self.max_scroll_y > 0


@guarded_by_size
class DialogScreen(SparingModalScreen[Result]):
    """A window: title, body, keys (or, on too small a terminal, a note that says so)."""

    #: What the window is called in help and in key-clash messages.
    NAME: ClassVar[str] = "Window"
    #: What F1 shows above the window's keys.
    HELP_TEXT: ClassVar[HelpText] = ()
    #: Keys that are not bindings but that the legend names: (keys, text).
    FIXED_KEYS: ClassVar[tuple[tuple[tuple[str, ...], str], ...]] = ()

    def __init__(self, title: str) -> None:
        super().__init__()
        self.dialog_title = title
        self.size_guard = SizeGuard(self)

    def compose(self) -> ComposeResult:
        with DialogFrame(id="dialog"):
            yield Label(plain(self.dialog_title), id="dialog-title")
            yield from self.compose_body()
        yield KeyLegend()
        yield TooSmall()

    def compose_body(self) -> ComposeResult:
        yield from ()

    @property
    def help_title(self) -> str:
        return f"{self.NAME}: {self.dialog_title}"

    def action_cancel(self) -> None:
        self.dismiss(None)
