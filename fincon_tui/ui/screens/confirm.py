"""A Yes/No question in a modal window, answered with Y, N, Esc or Enter."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalGroup, VerticalGroup
from textual.widgets import Button, Label, Static

from fincon_tui.ui.plain import plain, plain_lines
from fincon_tui.ui.textual_internals import SparingModalScreen


class ConfirmScreen(SparingModalScreen[bool]):
    """Dismisses with True for Yes, False for No.  Enter presses the focused
    button, which is Yes or No as `default` says."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="yes"),
        Binding("n,escape", "answer(False)", "No", id="no"),
        Binding("left,right", "switch", "Switch button", show=False, id="switch"),
    ]

    def __init__(self, question: str, *, title: str = "Confirm", default: bool = True):
        super().__init__()
        self.question = question
        self.dialog_title = title
        self.default = default

    def compose(self) -> ComposeResult:
        with VerticalGroup(id="dialog"):
            yield Label(plain(self.dialog_title), id="dialog-title")
            yield Static(plain_lines(self.question), id="question")
            with HorizontalGroup(id="buttons"):
                yield Button("Yes", id="yes", compact=True)
                yield Button("No", id="no", compact=True)
            yield Label("Y=Yes  N=No  Enter=selected button", id="dialog-keys")

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
