"""The bare Textual apps every figure of issue 26 is measured against.

Each does what fincon-tui does for a figure, with nothing of its own on top:
- `InputsScreen`: a screen of 12 labelled Inputs at 80x24 (the SMTP form's
  twin: typing a character, a screen change, memory with a form open);
- `QuestionModal`: a ModalScreen with a label and two buttons (the create
  question's twin);
- `ListScreen`: a filter Input over a list of 20 rows (the F4 look-up's twin:
  opening it, a key typed in it);
- `RepeatScreen`: a list of 500 rows that Down walks, where a typed "5" is
  shown (the Work-with list's twin for key repeat).

`BareApp` starts at a one-line menu and pushes them on function keys, so that
the benches time a key that pushes a screen exactly as they time fincon-tui's.
Run as a program (`python bench/baseline.py [menu|inputs]`) it runs in the
terminal for the real-terminal figures (start-up, peak memory).
"""

from __future__ import annotations

import sys
from typing import Any

from textual import events
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Header, Input, Label, OptionList

FIELDS = 12
LIST_ROWS = 20
REPEAT_ROWS = 500
#: The text each screen shows once painted (the real-terminal benches wait for it).
MENU_MARKER = "Main Menu"
INPUTS_MARKER = f"Field {FIELDS:02d}"


class InputsScreen(Screen[None]):
    """12 labelled Inputs, one a line, the first focused."""

    BINDINGS = [("escape", "app.pop_screen", "Back")]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            for n in range(1, FIELDS + 1):
                with Horizontal(classes="field"):
                    yield Label(f"Field {n:02d} . . . . :", classes="label")
                    yield Input(id=f"field-{n}", compact=True)
        yield Footer()


class QuestionModal(ModalScreen[bool]):
    """A label and two buttons."""

    BINDINGS = [("escape", "dismiss(False)", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="question"):
            yield Label("Create the record?")
            with Horizontal():
                yield Button("Yes", id="yes")
                yield Button("No", id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class ListScreen(Screen[None]):
    """A filter field over a list of `rows` rows (typing only types)."""

    BINDINGS = [("escape", "app.pop_screen", "Back")]

    def __init__(self, rows: int = LIST_ROWS) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield Input(id="filter", placeholder="type to filter", compact=True)
        yield OptionList(*(f"DEF{n:05d}  smtp{n}.branch{n % 97}.example" for n in range(self.rows)), id="rows")
        yield Footer()


class RepeatScreen(Screen[None]):
    """A list of 500 rows with the highlight on the first; Down moves it, and
    a typed "5" is shown beside the list."""

    BINDINGS = [("escape", "app.pop_screen", "Back")]

    def compose(self) -> ComposeResult:
        yield Label("", id="typed")
        yield OptionList(*(f"DEF{n:05d}  smtp{n}.branch{n % 97}.example" for n in range(REPEAT_ROWS)), id="rows")
        yield Footer()

    def on_mount(self) -> None:
        rows = self.query_one("#rows", OptionList)
        rows.highlighted = 0
        rows.focus()

    def on_key(self, event: events.Key) -> None:
        if event.character == "5":
            self.query_one("#typed", Label).update("5")


class BareApp(App[None]):
    """A menu line; F5 pushes the 12 Inputs, F6 the question, F4 the list,
    F7 the 500-row list."""

    BINDINGS = [
        ("f5", "push('inputs')", "Inputs"),
        ("f6", "push('question')", "Question"),
        ("f4", "push('list')", "List"),
        ("f7", "push('repeat')", "Repeat"),
    ]

    def __init__(self, start: str = "menu", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start = start

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(MENU_MARKER)
        yield Footer()

    def on_mount(self) -> None:
        if self.start != "menu":
            self.action_push(self.start)

    def action_push(self, name: str) -> None:
        screens: dict[str, Screen[Any]] = {
            "inputs": InputsScreen(),
            "question": QuestionModal(),
            "list": ListScreen(),
            "repeat": RepeatScreen(),
        }
        self.push_screen(screens[name])


if __name__ == "__main__":
    BareApp(sys.argv[1] if len(sys.argv) > 1 else "menu").run()
