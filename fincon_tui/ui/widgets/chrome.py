"""The parts every screen has: title bar, message line and key legend."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.screen import Screen
from textual.widgets import Footer, Label, Static

from fincon_tui.ui.plain import plain_lines
from fincon_tui.ui.textual_internals import footer_ready

PRODUCT = "FINCON ACCOUNTING"


class TitleBar(HorizontalGroup):
    """Product name on the left, the screen's menu path on the right."""

    def __init__(self, path: str) -> None:
        super().__init__(id="title-bar")
        self.path = path

    def compose(self) -> ComposeResult:
        yield Label(PRODUCT, id="product")
        help_keys = getattr(self.app, "help_keys", None)
        if help_keys is not None:
            yield Label(help_keys(), id="help-hint")
        yield Label(self.path, id="path", markup=False)


class MessageLine(Static):
    """The one line for errors and confirmations."""

    KINDS = ("error", "info", "ok", "warning")

    def __init__(self) -> None:
        super().__init__("", id="message", markup=False)

    def show(self, text: str, kind: str = "info") -> None:
        for name in self.KINDS:
            self.set_class(name == kind, f"-{name}")
        self.update(plain_lines(text))

    def error(self, text: str) -> None:
        self.app.bell()
        self.show(text, "error")

    def clear(self) -> None:
        self.show("")

    @property
    def text(self) -> str:
        return str(self.content)


class KeyLegend(Footer):
    """Textual's Footer, rebuilt only when the keys it shows change.

    Footer rebuilds itself whenever the focus moves (the focused widget's
    bindings might differ); in a form that meant every Enter removed and
    mounted the whole legend and repainted the full screen.
    """

    _shown: tuple = ()

    def bindings_changed(self, screen: Screen) -> None:
        shown = tuple(
            (active.binding.key, active.binding.action, active.binding.description, active.enabled, active.tooltip)
            for active in screen.active_bindings.values()
            if active.binding.show
        )
        if footer_ready(self) and shown == self._shown:
            return
        self._shown = shown
        super().bindings_changed(screen)

    def on_resize(self) -> None:
        """The legend drops the Ctrl keys when it would not fit: re-decide."""
        if footer_ready(self):
            self.call_after_refresh(self.recompose)
