"""Enter on a 'Work with' list: the options typed on its rows (on any
page) are carried out top to bottom, each through the record's form or a
dialog that calls back when it ends; then the list is read again."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.widgets import Input

from fincon_tui.ui.screens.base import FinconScreen
from fincon_tui.ui.screens.listed_form import STOP, Done
from fincon_tui.ui.widgets.chrome import first_of
from fincon_tui.ui.widgets.inputs import FieldInput
from fincon_tui.ui.widgets.list_rows import OptionInput

if TYPE_CHECKING:
    from fincon_tui.services.work_lists import ListPage

#: Outcome levels, the worst first: the message line shows the worst outcome.
LEVELS = ("error", "warning", "ok", "info")


def worst_first(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)


class TypedOptions(FinconScreen):
    """The options typed on a list's rows and their processing.  The list
    screen (WorkWithScreen) reads and shows the pages."""

    #: Option number -> name, in the order the options line lists them.
    OPTIONS: ClassVar[dict[str, str]]
    #: Option number -> method that carries it out for a row.
    HANDLERS: ClassVar[dict[str, str]]

    def __init__(self) -> None:
        super().__init__()
        self.page: ListPage | None = None
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

    # -- what the list screen provides ---------------------------------------------

    @property
    def options(self) -> list[OptionInput]:
        raise NotImplementedError

    def order(self, key: str) -> bytes:
        raise NotImplementedError

    def load(self, key: str, direction: str, focus_row: int | None = None) -> None:
        raise NotImplementedError

    def _first_key(self) -> str:
        raise NotImplementedError

    # -- Enter -------------------------------------------------------------------------

    @on(Input.Submitted)
    def enter(self, event: Input.Submitted) -> None:
        event.stop()
        if self.processing:
            return
        typed = sorted(self.typed.items(), key=lambda item: self.order(item[0]))
        for key, (_, option) in typed:
            if option not in self.OPTIONS:
                self.message.error(
                    f"Option {option} on {key} is not valid here: "
                    + ", ".join(f"{n}={name}" for n, name in self.OPTIONS.items())
                )
                self._focus_typed(key)
                return
        if not typed:
            self.cursor_row = self.focused.index if isinstance(self.focused, OptionInput) else None
            self._after_options()
            return
        self.message.clear()
        self.processing = True
        self.cursor_row = self.focused.index if isinstance(self.focused, OptionInput) else None
        self.results = []
        self.queue = deque((row, option) for _, (row, option) in typed)
        self.next_option(None)

    def _focus_typed(self, key: str) -> None:
        rows = self.page.rows if self.page else []
        for index, row in enumerate(rows):
            if row.key == key:
                self.options[index].focus()
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
        self.running = f"{self.OPTIONS[option]} {row.key}"
        handler: Callable[[Any], None] = getattr(self, self.HANDLERS[option])
        handler(row)

    def _report(self) -> None:
        """All done: read the list again and say what happened, the worst
        first; when there are several, the help key lists them all."""
        outcomes = sorted(self.results, key=lambda outcome: worst_first(outcome[1].level))
        self._after_options()
        if not outcomes:
            return
        text = first_of([done.text for _, done in outcomes], self.services.key_label("help"))
        level = outcomes[0][1].level
        if level == "error":
            self.message.error(text)
        else:
            self.message.show(text, level)
        self.reported = (outcomes, self.message.text)

    def problems(self) -> list[tuple[str, str]]:
        """For the help window: the outcomes the message line reports (none
        once it says something else)."""
        outcomes, said = self.reported
        return [(term, done.text) for term, done in outcomes] if said and said == self.message.text else []

    def _after_options(self) -> None:
        """Read the list again, from Position to when one was typed."""
        position = self.query_one("#position", FieldInput)
        if position.value.strip():
            key, position.value = position.value.strip(), ""
            self.load(key, "from", focus_row=0)
        else:
            self.message.clear()
            self.load(self._first_key(), "from", focus_row=self.cursor_row)
