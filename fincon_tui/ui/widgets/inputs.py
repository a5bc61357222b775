"""Entry fields: overtype on focus, one-character Y/N, masked passwords."""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from textual import events
from textual.message import Message
from textual.strip import Strip

from fincon_tui.domain.fields import DIGITS
from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.domain.visible import visible
from fincon_tui.ui.textual_internals import SteadyInput
from fincon_tui.ui.widgets.form import field_width


class FieldInput(SteadyInput):
    """A one-line entry field.  Focus selects the content so typing replaces it;
    a refused key posts Refused so the screen can say why on the message line.
    Its width follows the longest value it takes (`field_width`) unless
    `fit` is False.  A `detail` field of a record form is made closed
    (disabled), as the form opens with no record: opening it closed cost a
    style pass per field, about a tenth of the CPU the form took to open."""

    class Refused(Message):
        def __init__(self, field: FieldInput, hint: str) -> None:
            super().__init__()
            self.field = field
            self.hint = hint

    def __init__(
        self, *, id: str, max_length: int, hint: str = "", fit: bool = True, detail: bool = False, **kwargs: Any
    ) -> None:
        if detail:  # a record's detail field: closed until a record opens
            kwargs["classes"] = f"{kwargs.get('classes', '')} detail".strip()
            kwargs["disabled"] = True
        super().__init__(
            id=id, max_length=max_length, compact=True, select_on_focus=True, **kwargs
        )
        self.hint = hint or f"at most {max_length} characters"
        self._put: str | None = None
        if fit:  # else styles/ gives the width
            self.styles.width = field_width(max_length)

    def put(self, text: str, *, focus: bool = False) -> None:
        """Text the program puts in: a stored value, a record's key, an F4
        pick.  The field shows it as visible text (`visible`: a key stored
        before the rules holds ESC, which would reach the terminal as is),
        and `entered` gives it back as it is while the field still shows it.
        With the cursor here (`focus` puts it here) all of it is selected,
        as when the cursor enters a field: the next key replaces it, an
        arrow key edits it (a selection left from the old value would
        replace part of the new one)."""
        self._put = text
        self.value = visible(text)
        if focus:
            self.focus()
        if focus or self.has_focus:
            self.select_all()

    @property
    def stored(self) -> str | None:
        """The text put in (`put`) while the field shows it unchanged, else None."""
        if self._put is not None and self.value == visible(self._put):
            return self._put
        return None

    @property
    def entered(self) -> str:
        """What the field stands for: the text put in, as it is, while the
        field shows it unchanged; else what it holds (typed)."""
        stored = self.stored
        return self.value if stored is None else stored

    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "cursor_blink", True)

    def render_line(self, y: int) -> Strip:
        """In 16 colours and with NO_COLOR a field has no background of its
        own: the blank end of an open field shows as underscores, as a 5250
        emulator draws an entry field (an underline attribute would not show
        on blanks, and the Linux console shows underline as a colour)."""
        strip = super().render_line(y)
        if self.disabled or not (self.app.native_ansi_color or self.app.no_color):
            return strip
        segments = list(strip)
        base = self.rich_style
        blank = 0
        while segments and not segments[-1].text.strip(" ") and segments[-1].style == base:
            blank += segments.pop().cell_length
        width = max(blank, self.scrollable_content_region.width - sum(s.cell_length for s in segments))
        return Strip([*segments, Segment("_" * width, base)])

    def on_blur(self) -> None:
        """A field the cursor left shows its value from the start (a long
        host name by its first characters, not its last)."""
        self.cursor_position = 0

    def restricted(self) -> None:
        self.post_message(self.Refused(self, self.hint))

    def refuse_here(self) -> None:
        """After an error: the cursor here with the content selected, so
        that typing replaces it (as a 5250 operator overtypes)."""
        self.focus()
        self.select_all()


class NumberInput(FieldInput):
    """A whole number (fields.whole_number).  As a 5250 numeric field, it
    refuses a key or a paste that is not digits (fields.DIGITS) as it comes:
    the bell rings and the message line gives the hint; Accept checks the range."""

    def __init__(self, *, id: str, low: int, high: int, **kwargs: Any) -> None:
        super().__init__(
            id=id, max_length=len(str(high)), hint=f"digits only, {low}-{high}", restrict=DIGITS, **kwargs
        )


class ChoiceInput(FieldInput):
    """A single character from `choices`: letters become upper case, other keys are refused."""

    def __init__(self, *, id: str, choices: str, hint: str, **kwargs: Any) -> None:
        super().__init__(id=id, max_length=1, hint=hint, **kwargs)
        self.choices = choices

    def _accept(self, character: str) -> None:
        if character.upper() in self.choices:
            self.value = character.upper()
            self.cursor_position = 1
        else:
            self.restricted()

    async def on_key(self, event: events.Key) -> None:
        if event.is_printable and event.character:
            event.stop()
            event.prevent_default()
            self._accept(event.character)

    def on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()
        text = event.text.strip()
        if text:
            self._accept(text[0] if len(text) == 1 else "?")


class YesNoInput(ChoiceInput):
    """A single Y/N character."""

    def __init__(self, *, id: str, **kwargs: Any) -> None:
        super().__init__(id=id, choices="YN", hint="type Y or N", **kwargs)


_ERASE_KEYS = {"backspace", "delete", "ctrl+d", "ctrl+u", "ctrl+k", "ctrl+w", "ctrl+x"}


class PasswordInput(FieldInput):
    """A password field.  A stored password shows as a fixed mask that stands
    for "unchanged"; the first key that edits it replaces the whole mask."""

    MASK = "********"
    #: What the field shows for a stored password (the help names it with this).
    SHOWN_MASK = SteadyInput.PASSWORD_GLYPH * len(MASK)
    ALLOW_SELECT = False  # no mouse selection to copy either

    def action_copy(self) -> None:
        """A password never goes to the clipboard (over SSH, OSC 52 would
        carry it to the admin's desktop)."""

    def action_cut(self) -> None:
        """Nor does cut: it does nothing here."""

    def __init__(self, *, id: str, max_length: int, **kwargs: Any) -> None:
        super().__init__(id=id, max_length=max_length, password=True, **kwargs)
        self.masked = False

    def show_stored(self, stored: bool) -> None:
        self.masked = stored
        self.value = self.MASK if stored else ""

    def _unmask(self, text: str) -> None:
        self.masked = False
        self.value = text
        self.cursor_position = len(text)

    async def on_key(self, event: events.Key) -> None:
        if self.masked and (event.is_printable or event.key in _ERASE_KEYS):
            event.stop()
            event.prevent_default()
            self._unmask(event.character if event.is_printable and event.character else "")

    def on_paste(self, event: events.Paste) -> None:
        if self.masked and event.text:
            event.stop()
            event.prevent_default()
            self._unmask(event.text.splitlines()[0][: self.max_length])

    def change(self, had_password: bool) -> PasswordChange:
        """What Accept should do to the stored password."""
        if self.masked:
            return PasswordChange.keep()
        if self.value:
            return PasswordChange.set(self.value)
        return PasswordChange.clear() if had_password else PasswordChange.keep()
