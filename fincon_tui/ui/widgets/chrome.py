"""The parts every screen has: title bar and message line (the key legend
is in key_legend.py)."""

from __future__ import annotations

import re

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.content import Content
from textual.widgets import Label, Static

from fincon_tui.ui.app_services import services_of
from fincon_tui.ui.plain import plain_lines
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

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width)

    def show_path(self, path: str) -> None:
        """Another path (a menu shown in place of the one before)."""
        self.path = path
        update_text(self.query_one("#path", Label), path)
        if self.size.width:
            self._fit(self.size.width)

    def _fit(self, width: int) -> None:
        """The product name shows where it fits whole; a path too long for
        the width wraps (the title bar grows a line) rather than being cut."""
        product, *others = self.query(Label)
        needed = [cell_len(str(label.content)) + 2 for label in others]  # each with its padding
        product.display = sum(needed) + len(PRODUCT) + 2 <= width
        path = others[-1]
        path.styles.width = None if sum(needed) <= width else width - sum(needed[:-1])


def first_of(texts: list[str], help_key: str) -> str:
    """The message line for several messages: the first, and how many there
    are; the help key lists them all above the help (a 5250 message subfile)."""
    if len(texts) < 2:
        return "".join(texts)
    return f"{texts[0]} (1 of {len(texts)}: {help_key} lists all)"


#: first_of's count, which a message cut to fit keeps at its end.
_COUNT = re.compile(r" \(1 of \d+: [^()]+ lists all\)\Z")


class MessageLine(Static):
    """The one line for errors and confirmations: at most LINES rows.  A
    message that does not fit shows its start (messages put what to do
    first) and ends with '… F1/^G shows all'; the help key then shows it
    whole above the help (`listed`).  It is fitted again as the width changes."""

    KINDS = ("error", "info", "ok", "warning")
    LINES = 2
    #: How the help window names a message shown whole, by kind.
    TERMS = {"error": "Error", "warning": "Warning"}

    def __init__(self) -> None:
        super().__init__("", id="message", markup=False)
        #: What was said, whole, and of what kind.
        self.text, self.kind = "", "info"
        #: Whether the line shows less than all of it.
        self.cut = False

    def show(self, text: str, kind: str = "info") -> None:
        for name in self.KINDS:
            self.set_class(name == kind, f"-{name}")
        self.text, self.kind = text, kind
        self._fit()

    def error(self, text: str) -> None:
        self.app.bell()
        self.show(text, "error")

    def clear(self) -> None:
        self.show("")

    def listed(self) -> list[tuple[str, str]]:
        """For the help window: the message, when the line shows it cut."""
        return [(self.TERMS.get(self.kind, "Message"), self.text)] if self.cut else []

    def on_resize(self, event: events.Resize) -> None:
        self._fit()

    def _fit(self) -> None:
        width = self.content_region.width or self.app.size.width - self.styles.gutter.width
        shown = plain_lines(self.text)
        self.cut = width > 0 and len(shown.wrap(width)) > self.LINES
        if self.cut:
            shown = self._shortened(shown.plain, width)
        update_text(self, shown)

    def _shortened(self, text: str, width: int) -> Content:
        """The most of `text`'s words that fit with the note that it goes on."""
        count = _COUNT.search(text)
        tail = count.group().lstrip() if count else f"{services_of(self).key_label('help')} shows all"
        words = text[: count.start() if count else None].split(" ")
        del words[max(1, (width * self.LINES) // 2):]  # at least two characters a word
        while True:
            shown = Content(" ".join(words).rstrip(" ,:;–-") + "… " + tail)
            if len(words) <= 1 or len(shown.wrap(width)) <= self.LINES:
                return shown
            words.pop()
