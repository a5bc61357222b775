"""The rows of a 'Work with' list: an option field in front of a line."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from textual.containers import HorizontalGroup
from textual.widgets import Input, Static

from fincon_tui.domain.visible import visible
from fincon_tui.ui.plain import plain
from fincon_tui.ui.widgets.inputs import FieldInput
from fincon_tui.ui.widgets.text_update import update_text


def fit(text: str, width: int) -> str:
    """Untrusted text in exactly `width` terminal cells, cut with '…'."""
    shown = visible(text)
    if cell_len(shown) > width:
        return set_cell_size(shown, width - 1) + "…"
    return set_cell_size(shown, width)


class OptionInput(FieldInput):
    """The option column of one row: one digit."""

    def __init__(self, index: int, hint: str) -> None:
        super().__init__(id=f"opt-{index}", max_length=1, hint=hint, restrict=r"[0-9]*", classes="option", fit=False)
        self.index = index


class ListRow(HorizontalGroup):
    """One row of the list: its option field and its line."""

    def __init__(self, index: int, hint: str) -> None:
        self.option = OptionInput(index, hint)
        self.line = Static("", classes="line", markup=False)
        super().__init__(self.option, self.line, classes="work-row")

    def show(self, text: str, option: str, attention: bool) -> None:
        self.display = True
        with self.option.prevent(Input.Changed):
            self.option.value = option
        update_text(self.line, plain(text))
        self.line.set_class(attention, "-attention")
