"""Enter on a 'Work with' list: the options typed on its rows (on any
page) are carried out top to bottom, each through the record's form or a
dialog that calls back when it ends; then the list is read again."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

from fincon_tui.ui.screens.list_start import STOP, Done
from fincon_tui.ui.widgets.chrome import first_of
from fincon_tui.ui.widgets.inputs import FieldInput
from fincon_tui.ui.widgets.list_rows import OptionInput

if TYPE_CHECKING:
    from fincon_tui.ui.screens.screen_ports import ListScreen

#: Outcome levels, the worst first: the message line shows the worst outcome.
LEVELS = ("error", "warning", "ok", "info")


def worst_first(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)


class TypedOptions:
    """The options typed on the rows of `screen` (held by WorkWithScreen as
    `typed_options`) and their processing, each through the screen's
    `row_options`."""

    def __init__(self, screen: ListScreen) -> None:
        self.screen = screen
        #: Options typed, by record key: (row as read, option).
        self.typed: dict[str, tuple[Any, str]] = {}
        self.queue: deque[tuple[Any, str]] = deque()
        #: What the options carried out so far came back with: (option and row, outcome).
        self.results: list[tuple[str, Done]] = []
        #: The option and row being carried out now ('Delete OWN').
        self.running = ""
        #: The outcomes the message line reports (worst first), and what it says of them.
        self.reported: tuple[list[tuple[str, Done]], str] = ([], "")
        self.processing = False
        #: The option row the cursor was on when Enter was pressed: it goes back there.
        self.cursor_row: int | None = None

    # -- Enter -------------------------------------------------------------------------

    def reread(self, rows: list[Any]) -> None:
        """The options typed earlier now act on the rows as read now."""
        for row in rows:
            if row.key in self.typed:
                self.typed[row.key] = (row, self.typed[row.key][1])

    def enter(self) -> None:
        """Carry out the options typed, top to bottom (or read the list again)."""
        if self.processing:
            return
        screen = self.screen
        typed = sorted(self.typed.items(), key=lambda item: screen.order(item[0]))
        for key, (_, option) in typed:
            if option not in screen.OPTIONS:
                screen.message.error(
                    f"Option {option} on {key} is not valid here: "
                    + ", ".join(f"{n}={name}" for n, name in screen.OPTIONS.items())
                )
                self._focus_typed(key)
                return
        if not typed:
            self.cursor_row = screen.focused.index if isinstance(screen.focused, OptionInput) else None
            self.after_options()
            return
        screen.message.clear()
        self.processing = True
        self.cursor_row = screen.focused.index if isinstance(screen.focused, OptionInput) else None
        self.results = []
        self.queue = deque((row, option) for _, (row, option) in typed)
        self.next_option(None)

    def _focus_typed(self, key: str) -> None:
        page = self.screen.page
        for index, row in enumerate(page.rows if page else []):
            if row.key == key:
                self.screen.options[index].focus()
                return

    def next_option(self, result: Done | None) -> None:
        """Carry out the next option; called back as each one ends."""
        if result is STOP:
            left = len(self.queue)
            self.queue.clear()
            if left:
                self.results.append((self.running, Done(
                    f"Stopped: {left} more option{'s' if left != 1 else ''} still typed", "warning")))
        elif result is not None and result.text:
            self.results.append((self.running, result))
        if not self.queue:
            self.processing = False
            self._report()
            return
        row, option = self.queue.popleft()
        self.typed.pop(row.key, None)
        self.running = f"{self.screen.OPTIONS[option]} {row.key}"
        self.screen.row_options.carry_out(option, row)

    def _report(self) -> None:
        """All done: read the list again and say what happened, the worst
        first; when there are several, the help key lists them all."""
        outcomes = sorted(self.results, key=lambda outcome: worst_first(outcome[1].level))
        self.after_options()
        if not outcomes:
            return
        message = self.screen.message
        text = first_of([done.text for _, done in outcomes], self.screen.services.key_label("help"))
        level = outcomes[0][1].level
        if level == "error":
            message.error(text)
        else:
            message.show(text, level)
        self.reported = (outcomes, message.text)

    def problems(self) -> list[tuple[str, str]]:
        """For the help window: the outcomes the message line reports (none
        once it says something else)."""
        outcomes, said = self.reported
        return [(term, done.text) for term, done in outcomes] if said and said == self.screen.message.text else []

    def after_options(self) -> None:
        """Read the list again, from Position to when one was typed."""
        screen = self.screen
        position = screen.query_one("#position", FieldInput)
        if position.value.strip():
            key, position.value = position.value.strip(), ""
            screen.load(key, "from", focus_row=0)
        else:
            screen.message.clear()
            screen.load(screen.first_key(), "from", focus_row=self.cursor_row)
