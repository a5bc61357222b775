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
