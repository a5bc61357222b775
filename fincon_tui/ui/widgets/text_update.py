"""Changing what a Static shows without laying the whole screen out again."""

from __future__ import annotations

from textual.content import Content
from textual.css.scalar import Unit
from textual.screen import Screen
from textual.visual import VisualType
from textual.widget import Widget
from textual.widgets import Static

#: Sizes that follow the parent's; whether they follow the content depends on it.
_RELATIVE = {Unit.FRACTION, Unit.PERCENT}


def update_text(widget: Static, content: VisualType) -> None:
    """Show `content` in `widget` (a Static or a Label).

    `Static.update` lays the whole screen out again, which took about half
    of the CPU of a key in a form: the message line is cleared on every
    Enter and Tab, and the provider note follows each character typed into
    Mail Server.  Here nothing happens when the content is the same, and a
    layout is asked for only when the room the content needs changes (or
    the widget has not been laid out yet).
    """
    if _same(widget.content, content):
        return
    before = _room(widget)
    widget.update(content, layout=False)
    if before is None or _room(widget) != before:
        widget.refresh(layout=True)


def _same(old: VisualType, new: VisualType) -> bool:
    if isinstance(old, Content) and isinstance(new, Content):
        return old.plain == new.plain and list(old.spans) == list(new.spans)
    return isinstance(old, str) and isinstance(new, str) and old == new


def _room(widget: Static) -> tuple[int | None, int | None] | None:
    """The content's width and height where the layout depends on them
    (None where it does not); None before the widget is laid out."""
    width = widget.content_region.width
    if not widget.is_mounted or not width:
        return None
    container, viewport = widget.container_size, widget.app.size
    return (
        widget.get_content_width(container, viewport) if _follows_content(widget, "width") else None,
        widget.get_content_height(container, viewport, width) if _follows_content(widget, "height") else None,
    )


def _follows_content(widget: Widget, axis: str) -> bool:
    """Whether the widget's `axis` size, or an ancestor's that it feeds,
    is `auto`: sized by the content, so a change of content may move things."""
    node: object = widget
    while isinstance(node, Widget) and not isinstance(node, Screen):
        scalar = getattr(node.styles, axis)
        if scalar is not None and scalar.unit == Unit.AUTO:
            return True
        if scalar is not None and scalar.unit not in _RELATIVE:
            return False
        node = node.parent
    return False
