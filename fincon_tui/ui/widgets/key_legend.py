"""The key legend at the foot of every screen and window."""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.screen import Screen
from textual.widget import Widget

from fincon_tui.ui.key_labels import LEGEND_GAP, LegendEntry, active_keys, legend_lines


class KeyLegend(Widget):
    """The keys of its screen as mapped now, wrapped onto as few lines as the
    width allows (F-keys only when their Ctrl aliases would take another
    line).  A window's legend covers the legend of the screen under it.
    A click on a key sends that key.

    One widget that draws its lines of text.  Textual's Footer mounts a
    widget per key and a row per line, and rebuilds them whenever the focus
    moves: the legend took about a fifth of the CPU a form needed to open.
    Here the lines are worked out again when the screen's bindings change
    or the terminal is resized, and the screen is laid out again only when
    their number changes.

    | Attribute | What it holds |
    |---|---|
    | `lines` | the entries on each line, as shown; empty lines cover a legend below |
    | `function_keys_only` | whether the keys show as F-keys only (`F10=`) or with their Ctrl aliases (`F10/^S=`) |

    Component classes (styled in styles/app.tcss):

    | Class | What it styles |
    |---|---|
    | `key-legend--key` | a key and its `=` |
    | `key-legend--description` | what the key does, and the gap after it |
    | `key-legend--disabled` | a key that does nothing at the moment |
    | `key-legend--hover` | the key under the mouse |
    """

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "key-legend--key", "key-legend--description", "key-legend--disabled", "key-legend--hover",
    }

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[list[LegendEntry]] = []
        self.function_keys_only = False
        self._hovered: LegendEntry | None = None

    @property
    def rows(self) -> int:
        """Lines the legend takes."""
        return len(self.lines)

    def labels(self) -> list[str]:
        """Each key as shown: `F10/^S=Accept`."""
        return [f"{entry.label(self.function_keys_only)}={entry.description}" for line in self.lines for entry in line]

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.rebuild()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[Any]) -> None:
        if screen is self.screen:
            self.rebuild()

    def on_resize(self) -> None:
        """Wrapping and the Ctrl keys depend on the width: re-decide."""
        self.rebuild()

    def rebuild(self) -> None:
        """Work the lines out again; repaint (and lay out) only on a change.
        Not while hidden (a terminal too small for the screen): its keys do
        nothing then, and a legend laid out hidden kept that height shown."""
        if not self.display:
            return
        lines, function_keys_only = legend_lines(active_keys(self.screen, shown_only=True), self.app.size.width)
        lines += [[] for _ in range(self._rows_below() - len(lines))]
        if (lines, function_keys_only) == (self.lines, self.function_keys_only):
            return
        resized = len(lines) != len(self.lines)
        self.lines, self.function_keys_only = lines, function_keys_only
        self.refresh(layout=resized)

    def _rows_below(self) -> int:
        """Lines of the legend this one covers (0 on a full screen)."""
        stack = self.app.screen_stack
        if not self.screen.is_modal or self.screen not in stack:
            return 0
        below = stack[: stack.index(self.screen)]
        if not below:
            return 0
        return max((legend.rows for legend in below[-1].query(KeyLegend)), default=0)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines)

    def render(self) -> Text:
        styles = {name: self.get_component_rich_style(f"key-legend--{name}") for name in
                  ("key", "description", "disabled", "hover")}
        text = Text(end="", no_wrap=True, overflow="crop")
        for number, line in enumerate(self.lines):
            if number:
                text.append("\n")
            for entry in line:
                extra = Style() if entry.enabled else styles["disabled"]
                if entry == self._hovered:
                    extra += styles["hover"]
                text.append(entry.label(self.function_keys_only) + "=", styles["key"] + extra)
                text.append(entry.description + " " * LEGEND_GAP, styles["description"] + extra)
        return text

    def entry_at(self, x: int, y: int) -> LegendEntry | None:
        """The key shown at `x`, `y` (relative to the legend), if any."""
        column = 0
        for entry in self.lines[y] if 0 <= y < len(self.lines) else []:
            width = entry.width(self.function_keys_only) + LEGEND_GAP
            if column <= x < column + width:
                return entry
            column += width
        return None

    def on_mouse_down(self, event: events.MouseDown) -> None:
        entry = self.entry_at(event.x, event.y)
        if entry is None:
            return
        if entry.enabled:
            self.app.simulate_key(entry.press)
        else:
            self.app.bell()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._hover(self.entry_at(event.x, event.y))

    def on_leave(self) -> None:
        self._hover(None)

    def _hover(self, entry: LegendEntry | None) -> None:
        if entry != self._hovered:
            self._hovered = entry
            self.refresh()
