"""Below the smallest terminal fincon-tui supports, every screen and
window says so instead of showing itself cut, and comes back as it was
once the terminal is large enough again."""

from __future__ import annotations

from typing import Any, TypeVar

from textual import events
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget

from fincon_tui.ui.app_services import services_of

#: The smallest terminal every screen and window shows whole at
#: (tests/test_every_screen.py checks 60x20, 80x24 and 120x40).
MIN_WIDTH, MIN_HEIGHT = 60, 20


def too_small(width: int, height: int) -> bool:
    return width < MIN_WIDTH or height < MIN_HEIGHT


class TooSmall(Widget, can_focus=True):
    """What a screen shows while the terminal is too small for it (hidden
    otherwise: styles/app.tcss).  It holds the cursor meanwhile, so that
    no key reaches a field that cannot be seen; the screen's keys do nothing
    (`SizeGuard.too_small`), but the quit key quits."""

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


class SizeGuard:
    """Held by every screen and window (FinconScreen, DialogScreen), which
    compose a TooSmall and pass their resize, resume, focus and key checks
    here: while the terminal is too small the screen shows only the TooSmall
    (class -too-small), its keys do nothing and the cursor waits in it; once
    large enough the screen shows again with the cursor where it was (or
    where the screen put it meanwhile)."""

    def __init__(self, screen: Screen[Any]) -> None:
        self.screen = screen
        self.was_focused: Widget | None = None

    @property
    def too_small(self) -> bool:
        return self.screen.has_class("-too-small")

    def check(self) -> None:
        """The terminal's size changed, or the screen shows again."""
        screen = self.screen
        small = too_small(*screen.app.size)
        guard = screen.query_one(TooSmall)
        guard.refresh()
        if small == self.too_small:
            return
        screen.set_class(small, "-too-small")
        if small:
            self.was_focused = screen.focused
            guard.focus()
        else:
            was, self.was_focused = self.was_focused, None
            screen.set_focus(was if was is not None and was.is_attached else None)
        screen.refresh_bindings()

    def focused(self, widget: Widget) -> None:
        """What the screen focuses meanwhile (a page read, a field refused)
        gets the cursor once the terminal is large enough."""
        if self.too_small and not isinstance(widget, TooSmall):
            self.was_focused = widget
            self.screen.query_one(TooSmall).focus()


ScreenType = TypeVar("ScreenType", bound=type[Screen[Any]])


def guarded_by_size(cls: ScreenType) -> ScreenType:
    """The hooks by which a screen or window (FinconScreen, DialogScreen)
    passes its resize, resume, focus and key checks to its `size_guard`,
    written once for both (a shared base class would add to every screen's
    ancestry, which tests/test_screen_shapes.py keeps at three)."""
    owner: type[Any] = cls

    def on_resize(self: Any, event: events.Resize) -> None:
        self.size_guard.check()

    def on_screen_resume(self: Any) -> None:
        self.size_guard.check()

    def on_descendant_focus(self: Any, event: events.DescendantFocus) -> None:
        self.size_guard.focused(event.widget)

    def check_action(self: Any, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No key of the screen acts while it cannot be seen."""
        if self.size_guard.too_small:
            return False
        allowed: bool | None = super(owner, self).check_action(action, parameters)
        return allowed

    for hook in (on_resize, on_screen_resume, on_descendant_focus, check_action):
        hook.__qualname__ = f"{cls.__qualname__}.{hook.__name__}"
        setattr(cls, hook.__name__, hook)
    return cls
