"""The parts every screen has: title bar, message line and key legend."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.screen import Screen
from textual.widgets import Footer, Label, Static

from fincon_tui.ui.key_labels import LegendEntry, active_keys, legend_lines
from fincon_tui.ui.plain import plain_lines
from fincon_tui.ui.textual_internals import FooterKey, footer_ready
from fincon_tui.ui.widgets.text_update import update_text

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
        update_text(self, plain_lines(text))

    def error(self, text: str) -> None:
        self.app.bell()
        self.show(text, "error")

    def clear(self) -> None:
        self.show("")

    @property
    def text(self) -> str:
        return str(self.content)


class KeyLegend(Footer):
    """The key legend at the foot of a screen or window: its keys as mapped
    now, wrapped onto as few lines as the width allows (F-keys only when
    their Ctrl aliases would take another line).  A window's legend covers
    the legend of the screen under it.

    Rebuilt only when the keys it shows change: Textual's Footer rebuilds
    itself whenever the focus moves, and in a form that meant every Enter
    removed and mounted the whole legend and repainted the full screen.
    """

    _shown: tuple = ()
    #: Lines the legend took when last built.
    rows = 1

    def entries(self) -> list[LegendEntry]:
        return active_keys(self.screen, shown_only=True)

    def _rows_below(self) -> int:
        """Lines of the legend this one covers (0 on a full screen)."""
        stack = self.app.screen_stack
        if not self.screen.is_modal or self.screen not in stack:
            return 0
        below = stack[: stack.index(self.screen)]
        if not below:
            return 0
        return max((legend.rows for legend in below[-1].query(KeyLegend)), default=0)

    def compose(self) -> ComposeResult:
        if not footer_ready(self):
            return
        lines, function_keys_only = legend_lines(self.entries(), self.app.size.width)
        lines += [[] for _ in range(self._rows_below() - len(lines))]
        self.rows = len(lines)
        for line in lines:
            with HorizontalGroup(classes="legend-line"):
                for entry in line:
                    # "-compact" from the start: FooterKey's watcher adds it
                    # after mounting, a style pass per key (a tenth of the
                    # CPU a form takes to open).
                    yield FooterKey(
                        entry.press, entry.label(function_keys_only) + "=", entry.description, "",
                        disabled=not entry.enabled, classes="-compact",
                    )

    def bindings_changed(self, screen: Screen) -> None:
        shown = tuple(self.entries())
        if footer_ready(self) and shown == self._shown:
            return
        self._shown = shown
        super().bindings_changed(screen)

    def on_resize(self) -> None:
        """Wrapping and the Ctrl keys depend on the width: re-decide."""
        if footer_ready(self):
            self.call_after_refresh(self.recompose)
