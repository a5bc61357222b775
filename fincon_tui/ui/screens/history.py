"""F9 = History: who changed the open record, when, and what."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalGroup
from textual.widgets import Label, OptionList

from fincon_tui.ui.plain import plain
from fincon_tui.ui.textual_internals import SparingModalScreen

if TYPE_CHECKING:
    from fincon_tui.storage.audit import AuditEntry


def entry_line(entry: AuditEntry) -> str:
    when = datetime.fromisoformat(entry.at).astimezone().strftime("%Y-%m-%d %H:%M")
    return f"{when}  {entry.who:<10.10} {entry.verb:<6}  {entry.describe()}"


class HistoryScreen(SparingModalScreen[None]):
    BINDINGS = [Binding("escape,f9,f12", "close", "Close history", id="history_close")]

    def __init__(self, title: str, entries: list[AuditEntry]) -> None:
        super().__init__()
        self.history_title = title
        self.entries = entries

    def compose(self) -> ComposeResult:
        with VerticalGroup(id="history-dialog"):
            yield Label(plain(self.history_title), id="history-title")
            yield OptionList(*(plain(entry_line(e)) for e in self.entries), id="history-list", compact=True)
            count = len(self.entries)
            yield Label(f"{count} change{'s' if count != 1 else ''}, newest first  Esc=Close", id="history-keys")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def action_close(self) -> None:
        self.dismiss(None)
