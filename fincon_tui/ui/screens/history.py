"""F9 = History: who changed the open record, when, and which fields."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult
from textual.containers import HorizontalGroup, VerticalScroll
from textual.widgets import Label, Static

from fincon_tui.ui.bindings import bind
from fincon_tui.ui.plain import plain, plain_lines
from fincon_tui.ui.screens.dialog import DialogScreen

if TYPE_CHECKING:
    from fincon_tui.storage.audit import AuditEntry


def entry_head(entry: AuditEntry) -> str:
    """'2026-11-27 14:02  anna       update' (fixed width, so the changes align)."""
    when = datetime.fromisoformat(entry.at).astimezone().strftime("%Y-%m-%d %H:%M")
    return f"{when}  {entry.who:<10.10} {entry.verb:<6}"


#: Rows of the list, where the terminal has them.
LIST_ROWS = 16


class HistoryScreen(DialogScreen[None]):
    """The entries newest first; each change on a line of its own, named by
    the screen's label, continued lines under the changes column."""

    NAME = "History"
    FIXED_KEYS = ((("up", "down", "pageup", "pagedown"), "Scroll"),)
    BINDINGS = [bind("history_close", "cancel", "Close")]
    HELP_TEXT = ("Every Accept and Delete of this record, newest first: when, which account, and for each "
            "field its value before -> after.  A password is never shown, only that it changed.",)

    def __init__(self, title: str, entries: list[AuditEntry], labels: Mapping[str, str]) -> None:
        super().__init__(title)
        self.entries = entries
        self.labels = labels

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="history-list"):
            for entry in self.entries:
                changes = "\n".join(entry.describe_changes(self.labels)) or "(no field changed)"
                yield HorizontalGroup(
                    Label(plain(entry_head(entry)), classes="history-head"),
                    Static(plain_lines(changes), classes="history-changes"),
                    classes="history-entry",
                )
        count = len(self.entries)
        yield Label(f"{count} change{'s' if count != 1 else ''}, newest first", classes="dialog-note")

    def on_mount(self) -> None:
        self.query_one("#history-list").focus()

    def on_resize(self, event: events.Resize) -> None:
        """The list gives up rows on a short terminal, so the count under it
        still shows: the window's frame, title, count and legend take 8."""
        self.query_one("#history-list").styles.max_height = max(3, min(LIST_ROWS, self.app.size.height - 8))
