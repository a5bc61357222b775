"""F1 = Help: what the screen or window in front is for, its fields, its
keys as mapped, and (where there are entry fields) the editing keys."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import HorizontalGroup, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from fincon_tui.ui.app_services import services_of
from fincon_tui.ui.bindings import bind
from fincon_tui.ui.help_text import editing_keys, screen_keys, with_keys
from fincon_tui.ui.plain import plain
from fincon_tui.ui.screens.dialog import DialogScreen
from fincon_tui.ui.widgets.chrome import MessageLine
from fincon_tui.ui.widgets.form import HELP_TERM_WIDTH, dot_leader


def _row(term: str, text: str, *, last: bool = False) -> HorizontalGroup:
    """A term (field name, keys) and its explanation.  A term that does not
    fit its column with a space to spare goes on a line of its own, the text
    under it in the text column: no term runs into its text at any width."""
    fits = cell_len(term) <= HELP_TERM_WIDTH - 2
    row = HorizontalGroup(
        Label(plain(dot_leader(term, HELP_TERM_WIDTH) if fits else term), classes="help-term"),
        Static(plain(text), classes="help-text"),
        classes="help-row",
    )
    row.set_class(not fits, "-long")
    row.set_class(last, "-last")  # a blank line before what follows
    return row


def _rows(rows: list[tuple[str, str]]) -> list[HorizontalGroup]:
    return [_row(term, text, last=number == len(rows) - 1) for number, (term, text) in enumerate(rows)]


class HelpScreen(DialogScreen[None]):
    """Help for `for_screen`; the help key (F1) closes it again."""

    NAME = "Help"
    FIXED_KEYS = ((("pageup", "pagedown"), "Scroll"),)
    BINDINGS = [bind("help_close", "cancel", "Close")]

    def __init__(self, for_screen: Screen[Any]) -> None:
        name = getattr(for_screen, "help_title", "") or getattr(for_screen, "PATH", "") or "fincon-tui"
        super().__init__(f"Help: {name}")
        label = services_of(self).key_label
        self.parts = [
            with_keys(part, label) if isinstance(part, str) else (with_keys(part[0], label), with_keys(part[1], label))
            for part in getattr(for_screen, "HELP_TEXT", ())
        ]
        #: The messages its message line reports (a 5250 message subfile): a
        #: form's refused fields, or what each of a list's options came to.
        #: Else the message on its line, when the line could show only part of it.
        self.problems: list[tuple[str, str]] = getattr(for_screen, "problems", list)() or next(
            (line.listed() for line in for_screen.query(MessageLine)), [])
        self.keys = screen_keys(for_screen)
        self.editing = editing_keys(for_screen) if list(for_screen.query(Input)) else []

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            if self.problems:
                yield Label("Messages", classes="help-heading")
                yield from _rows(self.problems)
            rows: list[tuple[str, str]] = []
            for part in [*self.parts, ""]:
                if isinstance(part, tuple):
                    rows.append(part)
                    continue
                yield from _rows(rows)
                rows = []
                if part:
                    yield Static(plain(part), classes="help-paragraph")
            yield Label("Keys", classes="help-heading")
            yield from _rows(self.keys)
            if self.editing:
                yield Label("Editing a field", classes="help-heading")
                yield from _rows(self.editing)

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()
