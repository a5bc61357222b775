"""Form rows in green-screen style: dot-leader label, field, allowed values."""

from __future__ import annotations

from textual.containers import HorizontalGroup
from textual.widget import Widget
from textual.widgets import Label

LABEL_WIDTH = 26


def dot_leader(label: str, width: int = LABEL_WIDTH) -> str:
    """'Port' -> 'Port  . . . . . . . . . . .': dots aligned on even columns."""
    text = label + " "
    if len(text) % 2:
        text += " "
    while len(text) + 2 <= width:
        text += ". "
    return text.ljust(width)


def field_row(label: str, *widgets: Widget, hint: str = "") -> HorizontalGroup:
    """One line of a form."""
    parts: list[Widget] = [Label(dot_leader(label), classes="label"), *widgets]
    if hint:
        parts.append(Label(hint, classes="hint", markup=False))
    return HorizontalGroup(*parts, classes="field-row")
