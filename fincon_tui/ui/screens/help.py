"""F1 = Help: what the screen or window in front is for, its fields, its
keys as mapped, and (where there are entry fields) the editing keys."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import HorizontalGroup, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from fincon_tui.ui.bindings import bind
from fincon_tui.ui.help_text import editing_keys, screen_keys, with_keys
from fincon_tui.ui.plain import plain
from fincon_tui.ui.screens.dialog import DialogScreen
from fincon_tui.ui.widgets.form import dot_leader

#: Columns of the term (field name, key) column.
TERM_WIDTH = 20


def _row(term: str, text: str) -> HorizontalGroup:
    shown = dot_leader(term, TERM_WIDTH) if len(term) < TERM_WIDTH - 2 else term
    return HorizontalGroup(
        Label(plain(shown), classes="help-term"), Static(plain(text), classes="help-text"), classes="help-row"
    )


class HelpScreen(DialogScreen[None]):
    """Help for `for_screen`; the help key (F1) closes it again."""

    NAME = "Help"
    FIXED_KEYS = ((("pageup", "pagedown"), "Scroll"),)
    BINDINGS = [bind("help_close", "cancel", "Close")]

    def __init__(self, for_screen: Screen) -> None:
        name = getattr(for_screen, "help_title", "") or getattr(for_screen, "PATH", "") or "fincon-tui"
        super().__init__(f"Help: {name}")
        label = self.app.key_label  # type: ignore[attr-defined]
        self.parts = [
            with_keys(part, label) if isinstance(part, str) else (with_keys(part[0], label), with_keys(part[1], label))
            for part in getattr(for_screen, "HELP_TEXT", ())
        ]
        #: The messages its message line reports (a 5250 message subfile): a
        #: form's refused fields, or what each of a list's options came to.
        self.problems: list[tuple[str, str]] = getattr(for_screen, "problems", list)()
        self.keys = screen_keys(for_screen)
        self.editing = editing_keys(for_screen) if list(for_screen.query(Input)) else []

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            if self.problems:
                yield Label("Messages", classes="help-heading")
                for term, text in self.problems:
                    yield _row(term, text)
            for part in self.parts:
                if isinstance(part, str):
                    yield Static(plain(part), classes="help-paragraph")
                else:
                    yield _row(*part)
            yield Label("Keys", classes="help-heading")
            for keys, text in self.keys:
                yield _row(keys, text)
            if self.editing:
                yield Label("Editing a field", classes="help-heading")
                for keys, text in self.editing:
                    yield _row(keys, text)

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()
