"""What F1 shows, as data: paragraphs and term/explanation rows that the
help window lays out at any width (no line breaks written by hand), the
screen's own keys as mapped, then the text-editing keys in a short group."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fincon_tui.ui.bindings import DEFAULT_KEYS
from fincon_tui.ui.key_labels import active_keys, keys_label

if TYPE_CHECKING:
    from textual.screen import Screen

#: A paragraph (str) or a (term, explanation) row.  `{binding_id}` in either
#: becomes that binding's keys as mapped ('{accept}' -> 'F10/^S').
HelpText = tuple[str | tuple[str, str], ...]

#: Keys of the entry fields that are Textual's, not the app's (not remappable),
#: one action per row.  tests/test_keys_and_help.py checks them against Input.
EDITING: tuple[tuple[tuple[str, ...], str], ...] = (
    (("enter", "tab"), "Next field"),
    (("shift+tab",), "Previous field"),
    (("left", "right", "home", "end"), "Move in the field"),
    (("ctrl+left", "ctrl+right"), "Move one word"),
    (("shift+left", "shift+right"), "Select"),
    (("backspace", "delete"), "Erase a character"),
    (("ctrl+w",), "Erase the word before the cursor"),
    (("ctrl+u",), "Erase everything before the cursor"),
    (("ctrl+k",), "Erase everything after the cursor"),
    (("ctrl+x", "ctrl+c", "ctrl+v"), "Cut, copy, paste (not in password fields)"),
)

_KEY = re.compile(r"\{([a-z_.]+)\}")


def with_keys(text: str, label: Callable[[str], str]) -> str:
    """`text` with each {binding_id} replaced by `label(binding_id)`."""
    return _KEY.sub(lambda match: label(match.group(1)), text)


def screen_keys(screen: Screen[Any]) -> list[tuple[str, str]]:
    """(keys, what they do) for every binding `screen` answers to, shown in
    the legend or not, in the legend's order."""
    return [(keys_label(entry.keys), entry.description) for entry in active_keys(screen, shown_only=False)]


def editing_keys(screen: Screen[Any]) -> list[tuple[str, str]]:
    """The EDITING rows, without keys that the screen maps to an action."""
    taken = {key for key, active in screen.active_bindings.items() if active.binding.id in DEFAULT_KEYS}
    rows = []
    for keys, text in EDITING:
        free = [key for key in keys if key not in taken]
        if free:
            rows.append((keys_label(free), text))
    return rows
