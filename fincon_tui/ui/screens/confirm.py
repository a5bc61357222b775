"""A Yes/No question in a window, answered with Y, N, Esc or Enter."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.widgets import Button, Static

from fincon_tui.ui.bindings import bind
from fincon_tui.ui.plain import plain_lines
from fincon_tui.ui.screens.dialog import DialogScreen


class ConfirmScreen(DialogScreen[bool]):
    """Dismisses with True for Yes, False for No.  Enter presses the focused
    button, which is Yes or No as `default` says.  A `warning` (a password
    about to cross the network in clear) stands out in its own colour."""

    NAME = "Question"
    FIXED_KEYS = ((("enter",), "Selected button"),)
    BINDINGS = [
        bind("yes", "answer(True)", "Yes"),
        bind("no", "answer(False)", "No"),
        bind("switch", "switch", "Switch button", show=False),
    ]
    HELP_TEXT = ("Answer the question: {yes} for Yes, {no} for No, or Enter for the highlighted button "
            "({switch} moves between the buttons).",)

    def __init__(self, question: str, *, title: str = "Confirm", default: bool = True, warning: bool = False):
        super().__init__(title)
        self.question = question
        self.default = default
        self.set_class(warning, "-warning")

    def compose_body(self) -> ComposeResult:
        yield Static(plain_lines(self.question), id="question")
        with HorizontalGroup(id="buttons"):
            yield Button("Yes", id="yes", compact=True)
            yield Button("No", id="no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#yes" if self.default else "#no").focus()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    def action_switch(self) -> None:
        target = "#no" if self.focused is self.query_one("#yes") else "#yes"
        self.query_one(target).focus()
