"""Entry fields: overtype on focus, one-character Y/N, masked passwords."""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input

from fincon_tui.domain.password_binding import PasswordChange


class FieldInput(Input):
    """A one-line entry field.  Focus selects the content so typing replaces it;
    a refused key posts Refused so the screen can say why on the message line.
    Ctrl+D is the screen's Delete fallback here, not delete-right (Del does that)."""

    BINDINGS = [Binding("ctrl+d", "screen.delete", "Delete", show=False, id="delete")]

    class Refused(Message):
        def __init__(self, field: FieldInput, hint: str) -> None:
            super().__init__()
            self.field = field
            self.hint = hint

    def __init__(self, *, id: str, max_length: int, hint: str = "", **kwargs) -> None:
        super().__init__(
            id=id, max_length=max_length, compact=True, select_on_focus=True, **kwargs
        )
        self.hint = hint or f"at most {max_length} characters"

    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "cursor_blink", True)

    def restricted(self) -> None:
        self.post_message(self.Refused(self, self.hint))


class NumberInput(FieldInput):
    """A whole number.  A character that is not a digit stays where it was
    typed (nothing typed is silently dropped or changed) and the message
    line says so at once; Accept then refuses the field."""

    def __init__(self, *, id: str, max_length: int, low: int, high: int, **kwargs) -> None:
        super().__init__(id=id, max_length=max_length, hint=f"digits only, {low}-{high}", **kwargs)

    def watch_value(self, value: str) -> None:
        """After Input's own watcher (Textual calls the private one first)."""
        if value and not (value.isascii() and value.isdigit()):
            self.restricted()


class ChoiceInput(FieldInput):
    """A single character from `choices`: letters become upper case, other keys are refused."""

    def __init__(self, *, id: str, choices: str, hint: str, **kwargs) -> None:
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

    def __init__(self, *, id: str, **kwargs) -> None:
        super().__init__(id=id, choices="YN", hint="type Y or N", **kwargs)


_ERASE_KEYS = {"backspace", "delete", "ctrl+d", "ctrl+u", "ctrl+k", "ctrl+w", "ctrl+x"}


class PasswordInput(FieldInput):
    """A password field.  A stored password shows as a fixed mask that stands
    for "unchanged"; the first key that edits it replaces the whole mask."""

    MASK = "********"
    ALLOW_SELECT = False  # no mouse selection to copy either

    def action_copy(self) -> None:
        """A password never goes to the clipboard (over SSH, OSC 52 would
        carry it to the admin's desktop)."""

    def action_cut(self) -> None:
        """Nor does cut: it does nothing here."""

    def __init__(self, *, id: str, max_length: int, **kwargs) -> None:
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
