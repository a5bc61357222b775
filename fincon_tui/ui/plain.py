"""The one place where data meets the screen: text shown as it is, never
parsed as markup, with control characters made visible."""

from __future__ import annotations

from textual.content import Content

from fincon_tui.domain.visible import visible, visible_lines


def plain(text: str) -> Content:
    """One line of data for a widget that would otherwise parse markup."""
    return Content(visible(text))


def plain_lines(text: str) -> Content:
    """Several lines of data (a message, a question, a result)."""
    return Content(visible_lines(text))


def laid_out(template: str, **data: str) -> Content:
    """The app's own text as written, line breaks and all, with text from
    outside (an address, a code, a stored name) put in for its {names}, each
    made visible: it cannot break a line or steer the terminal."""
    return Content(template.format_map({name: visible(value) for name, value in data.items()}))
