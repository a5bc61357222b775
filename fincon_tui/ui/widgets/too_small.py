"""Below the smallest terminal fincon-tui supports, every screen and
window says so instead of showing itself cut, and comes back as it was
once the terminal is large enough again."""

from __future__ import annotations

from typing import TypeVar

from textual import events
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget

from fincon_tui.ui.app_services import services_of

ResultT = TypeVar("ResultT")

#: The smallest terminal every screen and window shows whole at
#: (tests/test_every_screen.py checks 60x20, 80x24 and 120x40).
MIN_WIDTH, MIN_HEIGHT = 60, 20


def too_small(width: int, height: int) -> bool:
    return width < MIN_WIDTH or height < MIN_HEIGHT


class TooSmall(Widget, can_focus=True):
    """What a screen shows while the terminal is too small for it (hidden
    otherwise: styles/app.tcss).  It holds the cursor meanwhile, so that
    no key reaches a field that cannot be seen; the screen's keys do nothing
    (`SizeGuard.check_action`), but the quit key quits."""

    ALLOW_SELECT = False

    def render(self) -> Content:
        width, height = self.app.size
        return Content(
            f"The terminal is too small: {width}x{height}; fincon-tui needs at least {MIN_WIDTH}x{MIN_HEIGHT}.  "
            "Enlarge the window: the screen comes back as it was, with the values typed before.  "
            f"Until then keys do nothing; {services_of(self).key_label('quit')} quits."
        )

    def on_key(self, event: events.Key) -> None:
        """A key typed meanwhile: the bell (it would act unseen)."""
        if event.is_printable or event.key in ("enter", "tab", "shift+tab", "backspace", "delete"):
            event.stop()
            event.prevent_default()
            self.app.bell()

    def on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()
        self.app.bell()


class SizeGuard(Screen[ResultT]):
    """Mixed into every screen and window (FinconScreen, DialogScreen),
    which compose a TooSmall: while the terminal is too small the screen
    shows only it (class -too-small), its keys do nothing and the cursor
    waits in it; once large enough the screen shows again with the cursor
    where it was (or where the screen put it meanwhile)."""

    _was_focused: Widget | None = None

    @property
    def too_small(self) -> bool:
        return self.has_class("-too-small")

    def on_resize(self, event: events.Resize) -> None:
        self._guard()

    def on_screen_resume(self) -> None:
        self._guard()

    def _guard(self) -> None:
        small = too_small(*self.app.size)
        guard = self.query_one(TooSmall)
        guard.refresh()
        if small == self.too_small:
            return
        self.set_class(small, "-too-small")
        if small:
            self._was_focused = self.focused
            guard.focus()
        else:
            was, self._was_focused = self._was_focused, None
            self.set_focus(was if was is not None and was.is_attached else None)
        self.refresh_bindings()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """What the screen focuses meanwhile (a page read, a field refused)
        gets the cursor once the terminal is large enough."""
        if self.too_small and not isinstance(event.widget, TooSmall):
            self._was_focused = event.widget
            self.query_one(TooSmall).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No key of the screen acts while it cannot be seen."""
        return False if self.too_small else super().check_action(action, parameters)
