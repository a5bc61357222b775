"""The parts every screen has: title bar and message line (the key legend
is in key_legend.py)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.widgets import Label, Static

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


def first_of(texts: list[str], help_key: str) -> str:
    """The message line for several messages: the first, and how many there
    are; the help key lists them all above the help (a 5250 message subfile)."""
    if len(texts) < 2:
        return "".join(texts)
    return f"{texts[0]} (1 of {len(texts)}: {help_key} lists all)"


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
