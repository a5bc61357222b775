"""Form rows in green-screen style (dot-leader label, field, allowed values)
and 5250-style pages for a form taller than the screen."""

from __future__ import annotations

from typing import TypeVar

from rich.cells import cell_len
from textual import events
from textual.containers import HorizontalGroup, VerticalScroll
from textual.widget import Widget
from textual.widgets import Input, Label

from fincon_tui.ui.widgets.text_update import update_text

#: Columns of a form's label column; styles/app.tcss reads it as $label-width.
LABEL_WIDTH = 26
#: Columns of the widest entry field ($wide-field); longer values scroll in it.
WIDE_FIELD = 42
#: Columns of a form or menu; wider terminals centre it ($page-width).
PAGE_WIDTH = 80
#: Columns of the help window's term column (a field's name, keys; $help-term-width).
HELP_TERM_WIDTH = 20


W = TypeVar("W", bound=Widget)


def unfocusable(widget: W) -> W:
    """`widget`, which Tab and the focus pass by, made so before it mounts:
    its style (`:can-focus`) is worked out as it mounts and not again."""
    widget.can_focus = False
    return widget


def css_variables() -> dict[str, str]:
    """The layout numbers that Python and styles/app.tcss share."""
    return {"label-width": str(LABEL_WIDTH), "wide-field": str(WIDE_FIELD), "page-width": str(PAGE_WIDTH),
            "help-term-width": str(HELP_TERM_WIDTH)}


def field_width(max_length: int) -> int:
    """Columns of a field that takes `max_length` characters: the text, the
    cursor after it and a space each side, up to WIDE_FIELD."""
    return min(max_length + 3, WIDE_FIELD)


def dot_leader(label: str, width: int = LABEL_WIDTH) -> str:
    """'Port' -> 'Port  . . . . . . . . . . .': dots aligned on even columns."""
    text = label + " "
    if len(text) % 2:
        text += " "
    while len(text) + 2 <= width:
        text += ". "
    return text.ljust(width)


#: The fewest columns a field narrows to where the width is short.
FIELD_MIN = 8


class FieldRow(HorizontalGroup):
    """One line of a form: label, field (or fields) and hint.  Where the
    width is short (60 columns), the fields narrow, a longer value scrolling
    in its field, until the hint has at least half the room left, and the
    hint wraps onto the lines it needs: nothing is cut."""

    def __init__(self, label: str, *widgets: Widget, hint: str = "") -> None:
        parts: list[Widget] = [Label(dot_leader(label), classes="label"), *widgets]
        self.hint = Label(hint, classes="hint", markup=False) if hint else None
        super().__init__(*parts, *([self.hint] if self.hint else []), classes="field-row")
        self.widgets = widgets
        self._natural: list[int] = []
        self._width = 0

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._width:
            self._width = event.size.width
            self._fit(event.size.width)

    def _fit(self, width: int) -> None:
        if not self._natural:  # as first laid out, at the widths styles/ and field_width give
            self._natural = [widget.outer_size.width for widget in self.widgets]
        room = width - LABEL_WIDTH
        hint = cell_len(str(self.hint.content)) + 1 if self.hint else 0  # its padding
        widths = list(self._natural)
        excess = sum(widths) + min(hint, room // 2) - room
        for index in sorted(range(len(widths)), key=lambda i: -widths[i]):
            if excess > 0 and isinstance(self.widgets[index], Input):
                cut = min(excess, max(0, widths[index] - FIELD_MIN))
                widths[index] -= cut
                excess -= cut
        for widget, shown in zip(self.widgets, widths, strict=True):
            widget.styles.width = shown
        if self.hint is not None:
            left = room - sum(widths)
            self.hint.styles.width = left if hint > left else None


def field_row(label: str, *widgets: Widget, hint: str = "") -> FieldRow:
    """One line of a form."""
    return FieldRow(label, *widgets, hint=hint)


class FormPages(VerticalScroll, can_focus=False):
    """A form in 5250 pages: when it is taller than the screen, the marker
    at its foot (a child Label #page-marker) says `More...` while more
    follows and `Bottom` on the last page.  There are no scroll bars; the
    form scrolls to the field with the cursor, or a page at a time."""

    def on_mount(self) -> None:
        self.watch(self, "scroll_y", self._mark, init=False)
        # The form's height changes without its own size changing too (its
        # rows fit themselves to a new width in a later layout).
        self.watch(self, "virtual_size", self.on_resize, init=False)
        self.call_after_refresh(self._mark)

    def on_resize(self, *_: object) -> None:
        self.call_after_refresh(self._mark)

    def _mark(self, *_: object) -> None:
        """Show the marker while the form is taller than its room.  The
        marker's own row counts in the form's height: it is left out, or a
        marker shown once (a 2-line message, a smaller terminal) kept itself
        in place when the room came back.  Its row is read from the same
        layout as the height (it is on screen there or not), whatever its
        `display` says since: two calls before a layout agree."""
        marker = self.query_one("#page-marker", Label)
        marker.display = self.max_scroll_y - marker.region.height > 0
        update_text(marker, "Bottom" if self.scroll_y >= self.max_scroll_y else "More...")

    def turn(self, direction: int) -> bool:
        """Show the next (1) or previous (-1) page and put the cursor on its
        first field; False when there is no such page."""
        page = self.scrollable_content_region.height
        if (direction > 0 and self.scroll_y >= self.max_scroll_y) or (direction < 0 and self.scroll_y <= 0):
            return False
        top = max(0, min(self.max_scroll_y, self.scroll_y + direction * page))
        # Down: the first field that was below the page (else the first on
        # the last page); up: the first on the page.
        below = self.scroll_y + page if direction > 0 else top
        self.scroll_to(y=top, animate=False, immediate=True)
        rows = [(field, field.parent.virtual_region.y) for field in self.query(Input)
                if field.focusable and isinstance(field.parent, Widget)]
        target = next((field for field, y in rows if y >= below), None)
        target = target or next((field for field, y in rows if y >= top), None)
        if target is not None:
            target.focus(scroll_visible=False)
        self._mark()
        return True
