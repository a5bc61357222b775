"""The detail fields of a key-field maintenance form (held by
RecordFormScreen): their values, the fields an Accept refused and the F4
look-up lists.  The
key field is in key_field.py, the masked ones in secret_fields.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fincon_tui._exceptions import FieldError, StorageError, describe
from fincon_tui.ui.widgets.chrome import first_of
from fincon_tui.ui.widgets.inputs import FieldInput

if TYPE_CHECKING:
    from fincon_tui.services.lookup_index import LookupIndex
    from fincon_tui.services.record_store import Saved
    from fincon_tui.ui.screens.screen_ports import Form


def saved_text(kind: str, saved: Saved[Any]) -> str:
    """'SMTP definition X saved', with what went along and where stored passwords now go."""
    message = f"{kind} {saved.key} saved{saved.along()}"
    if saved.rebound:
        passwords = "the stored password now goes" if saved.rebound == 1 else (
            f"{saved.rebound} stored passwords now go")
        message += f"; {passwords} to {saved.rebound_to}"
    return message


class DetailFields:
    """The form's fields by key, the values Accept takes, what was opened
    (`baseline`) and what the last Accept refused (F1 lists them all)."""

    def __init__(self, form: Form) -> None:
        self.form = form
        self.baseline: dict[str, str] = {}
        #: What the last Accept refused, in screen order.
        self.errors: list[FieldError] = []

    @property
    def keys(self) -> list[str]:
        """The fields after the key field."""
        return [key for key in self.form.LABELS if key != self.form.KEY]

    def field(self, key: str) -> FieldInput:
        return self.form.query_one(f"#{key}", FieldInput)

    def values(self) -> dict[str, str]:
        """The values as Accept takes them (a stored one as stored: FieldInput.entered)."""
        masked = ("password", *self.form.SECRETS)
        return {key: self.field(key).entered for key in self.form.LABELS if key not in masked}

    def fill(self, values: dict[str, str]) -> None:
        for key, value in values.items():
            self.field(key).put(value)

    def explain(self, error: FieldError) -> str:
        """The message for a refused field; a field with a look-up list says which
        key lists its values, a stored key (locked while open) what changes it."""
        form = self.form
        text = describe(error, form.LABELS)
        if error.field == form.KEY and form.loaded is not None:
            text += f" – only 7=Rename in the Work with list changes a stored {form.LABELS[form.KEY]}"
        elif error.field in form.PROMPTS and error.field != form.KEY:
            text += f" ({form.key('prompt')} lists them)"
        return text

    def refuse(self, *errors: FieldError) -> None:
        """Name the first refused field on the message line, count the rest
        (F1 lists them all, like a 5250 message subfile), show every field
        in error in reverse image and put the cursor on the first."""
        self.errors = list(errors)
        for field in self.form.query(FieldInput):
            field.set_class(any(error.field == field.id for error in errors), "-in-error")
        self.form.message.error(first_of([self.explain(error) for error in errors], self.form.key("help")))
        self.field(errors[0].field).refuse_here()

    def problems(self) -> list[tuple[str, str]]:
        """The errors of the last refused Accept, for the help window, while
        the message line still reports them."""
        texts = [self.explain(error) for error in self.errors]
        if not texts or self.form.message.text != first_of(texts, self.form.key("help")):
            return []
        labels = [self.form.LABELS.get(error.field, error.field) for error in self.errors]
        return list(zip(labels, texts, strict=True))

    def forget_errors(self) -> None:
        self.errors = []
        for field in self.form.query(".-in-error"):
            field.remove_class("-in-error")

    def prompt(self) -> None:
        """F4/Ctrl+P: a look-up list for the field under the cursor."""
        from fincon_tui.services.lookup_index import LookupIndex
        from fincon_tui.ui.screens.lookup import LookupScreen

        form = self.form
        field_id = form.focused.id if form.focused is not None else None
        prompt = form.PROMPTS.get(field_id or "")
        if field_id is None or prompt is None:
            fields = " and ".join(form.LABELS[key] for key in form.PROMPTS)
            form.message.error(f"{form.key('prompt')} lists values for {fields} only")
            return
        service = prompt.service(form.app)

        async def load(limit: int | None) -> LookupIndex:
            try:
                return await form.database.run(service.lookup_index, prompt.read, limit)
            except StorageError as error:
                form.message.error(f"Could not read the list: {error}")
                return LookupIndex([], len(prompt.read))

        def picked(key: str | None) -> None:
            """The key picked goes into the field, which keeps the cursor (as
            every F4 pick: FieldInput.put); on the key field Enter follows."""
            if key is None:
                return
            self.field(field_id).put(key, focus=True)
            if field_id == form.KEY:
                form.key_field.enter()

        form.app.push_screen(LookupScreen(prompt.title, prompt.columns, load), picked)
