"""The key field of a maintenance form (held by RecordFormScreen): type
the key, press Enter, and the record opens, or the form offers to create it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.containers import HorizontalGroup
from textual.widgets import Button

from fincon_tui._exceptions import FieldError, StorageError
from fincon_tui.ui.screens.confirm import ConfirmScreen
from fincon_tui.ui.widgets.form import field_row, unfocusable
from fincon_tui.ui.widgets.inputs import FieldInput

if TYPE_CHECKING:
    from fincon_tui.services.record_store import Loaded
    from fincon_tui.ui.screens.screen_ports import Form


class KeyField:
    """The key's row and its Enter; locked while a record is open."""

    def __init__(self, form: Form) -> None:
        self.form = form

    def row(self, max_length: int) -> HorizontalGroup:
        form = self.form
        return field_row(
            form.LABELS[form.KEY],
            FieldInput(id=form.KEY, max_length=max_length, classes="key"),
            unfocusable(Button("Enter", id="lookup", compact=True)),
        )

    @property
    def field(self) -> FieldInput:
        return self.form.field(self.form.KEY)

    def lock(self, is_open: bool) -> None:
        """The key field and its look-up, unusable while a record is open."""
        self.field.disabled = is_open
        self.form.query_one("#lookup", Button).disabled = is_open

    def enter(self) -> None:
        """Enter on the key field: open the record, or offer to create it.  A key
        put in (an F4 pick, the record left) opens as stored, even one the rules refuse."""
        key_field = self.field
        key = key_field.stored
        if not key:
            try:
                key = self.form.validate_key(key_field.value)
            except FieldError as error:
                self.form.fields.refuse(error.for_field(self.form.KEY))
                return
        self.form.database.work(self.form, self._look_up(key))

    async def _look_up(self, key: str) -> None:
        form = self.form
        kind = form.service.kind
        try:
            loaded = await form.database.run(form.service.load, key)
        except StorageError as error:
            form.message.error(f"Could not read {kind} {key}: {error}")
            return
        if loaded is not None:
            self.open(loaded.stored.record.form_values(), loaded)
            return
        self.field.value = key

        def answered(create: bool | None) -> None:
            if create:
                self.open({form.KEY: key, **form.NEW_DEFAULTS}, None)
                form.message.show(f"New {kind} {key}: fill in the details, then Accept")
            else:
                form.message.clear()
                self.field.focus()

        form.app.push_screen(ConfirmScreen(form.CREATE_QUESTION, title=form.PATH.split(" / ")[-1]), answered)

    def open(self, values: dict[str, str], loaded: Loaded[Any] | None) -> None:
        """The record's values in the fields (`loaded` as read, None for a new
        one), the cursor on the first detail and a word on the message line."""
        form = self.form
        form.fields.forget_errors()
        form.loaded = loaded
        form.fields.fill(values)
        form.secrets.show_stored(has_password=bool(loaded and loaded.has_password))
        form.fields.baseline = form.form_values()
        form.is_open = True
        first = form.field(form.fields.keys[0])
        first.focus()
        first.select_all()  # overtype, even when it already had focus (reload)
        if loaded is None:
            return
        attention = loaded.attention
        if attention is not None:
            in_key = attention.field == form.KEY  # locked: the cursor stays on the first detail
            then = "" if in_key else " – correct it, then Accept"
            form.message.show(f"Needs attention: {form.fields.explain(attention)}{then}", "warning")
            if not in_key:
                form.field(attention.field).refuse_here()
        elif loaded.password_problem:
            form.message.show(f"Password: {loaded.password_problem}", "warning")
        else:
            form.message.show(f"{form.service.kind} {loaded.stored.key}: change the details, then Accept")

    def close(self, keep_key: bool) -> None:
        """Back to the key field, emptied unless `keep_key`."""
        form = self.form
        key = self.field.entered if keep_key else ""
        form.is_open = False
        form.fields.forget_errors()
        form.loaded = None
        form.fields.fill({k: "" for k in form.form_values()})
        form.secrets.show_stored(has_password=False)
        form.fields.baseline = {}
        self.field.put(key)
        self.field.focus()
        form.message.clear()
