"""What a "Work with" list opens a form with (Start) and what the form
answers when it goes back to the list (Done)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from fincon_tui.services.record_store import Loaded

Mode = Literal["change", "display", "test", "copy"]
#: How the title bar names each way of opening.
MODE_TITLES = {"change": "Change", "display": "Display", "test": "Test login", "copy": "Copy"}


@dataclass(frozen=True)
class Done:
    """What a form opened from a list did, for the list's message line."""

    text: str
    level: str = "ok"


#: The form was left with Exit: the list stops processing its options.
STOP = Done("", "stop")


@dataclass(frozen=True)
class Start:
    """How the form opens: the record's key (for a copy, the new key), and
    for a copy the source as loaded and whether its password goes along."""

    mode: Mode
    key: str
    source: Loaded[Any] | None = None
    copy_password: bool = False
