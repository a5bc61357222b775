"""The fields of a key-field maintenance form: its layout in 5250 pages,
opening a record by its key (or offering to create it), and the fields an
Accept refused.  record_form.py adds the actions (Accept, Delete, ...)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.reactive import reactive
from textual.widgets import Button, Input, Label, Static

from fincon_tui._exceptions import FieldError, StorageError, describe
from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.storage.waiting import Waiting
from fincon_tui.ui.plain import plain
from fincon_tui.ui.screens.base import FinconScreen
from fincon_tui.ui.screens.confirm import ConfirmScreen
from fincon_tui.ui.widgets.chrome import first_of
from fincon_tui.ui.widgets.form import FormPages, field_row, unfocusable
from fincon_tui.ui.widgets.inputs import FieldInput, PasswordInput
from fincon_tui.ui.widgets.list_rows import Column
from fincon_tui.ui.widgets.text_update import update_text

if TYPE_CHECKING:
    from fincon_tui.services.record_store import Loaded, RecordService, Saved
    from fincon_tui.ui.db_thread import DatabaseThread


@dataclass(frozen=True)
class Prompt:
    """An F4 look-up list for one field: which records, in which columns."""

    title: str
    service: Callable[[Any], RecordService]
    columns: tuple[Column, ...]
    cells: Callable[[Any], tuple[str, ...]]


class RecordFields(FinconScreen):
    """Subclasses give the labels, the fields, the service and the rules."""

    TEXT_FIELDS = True  # a character key would be typed, not act
    KEY: ClassVar[str]
    LABELS: ClassVar[dict[str, str]]
    NEW_DEFAULTS: ClassVar[dict[str, str]]
    CREATE_QUESTION: ClassVar[str]
    PROMPTS: ClassVar[dict[str, Prompt]] = {}
    #: Masked fields besides the password, each stored as a secret of its own.
    SECRETS: ClassVar[tuple[str, ...]] = ()
    AUTO_FOCUS = ".key"
    #: Whether a record is open: its details and Accept/Delete usable, the
    #: key field and its look-up locked.  Set again when reloaded.
    is_open: reactive[bool] = reactive(False, init=False, always_update=True)

    def __init__(self) -> None:
        super().__init__()
        self.loaded: Loaded | None = None
        self.baseline: dict[str, str] = {}
        #: Set while a save or delete waits for another admin's (Esc gives up).
        self.waiting: Waiting | None = None
        #: What the last Accept refused, in screen order (F1 lists them all).
        self.errors: list[FieldError] = []

    # -- what subclasses provide ----------------------------------------------

    @property
    def service(self) -> RecordService:
        raise NotImplementedError

    def compose_fields(self) -> ComposeResult:
        """The detail rows, after the key row."""
        raise NotImplementedError

    def validate_key(self, raw: str) -> str:
        raise NotImplementedError

    def parse(
        self, values: dict[str, str], password: PasswordChange, secrets: dict[str, PasswordChange] | None = None
    ) -> Any:
        """Validate into a record; raise FormInvalid.  `secrets` holds what
        Accept does to each of SECRETS (runs in the database thread)."""
        raise NotImplementedError

    def saved_message(self, saved: Saved) -> str:
        message = f"{self.service.kind} {saved.key} saved{saved.along()}"
        if saved.rebound:
            passwords = "the stored password now goes" if saved.rebound == 1 else (
                f"{saved.rebound} stored passwords now go")
            message += f"; {passwords} to {saved.rebound_to}"
        return message

    def on_opened(self) -> None:
        """Called when the detail fields open or close."""

    # -- layout -----------------------------------------------------------------

    def key_row(self, max_length: int) -> HorizontalGroup:
        return field_row(
            self.LABELS[self.KEY],
            FieldInput(id=self.KEY, max_length=max_length, classes="key"),
            unfocusable(Button("Enter", id="lookup", compact=True)),
        )

    def compose_body(self) -> ComposeResult:
        with FormPages(id="form"):
            yield Label("", id="page-marker")
            yield from self.compose_fields()
            with HorizontalGroup(id="actions"):
                # Tab visits the fields only: keyboard users press Enter/F10/F8,
                # and the form scrolls to the focused field by itself.
                yield unfocusable(Button("Accept", id="accept", compact=True, disabled=True))
                yield unfocusable(Button("Delete", id="delete", compact=True, disabled=True))
            yield Static("", id="store-info", markup=False)

    def on_mount(self) -> None:
        self.is_open = False
        self.database.work(self, self._show_store_info())

    @property
    def database(self) -> DatabaseThread:
        return self.services.database

    async def _show_store_info(self) -> None:
        passwords = self.service.passwords
        try:
            summary = await self.database.run(lambda: passwords.vault.summary(passwords.database_id))
        except StorageError as error:
            summary = f"Passwords: {error}"
        update_text(self.query_one("#store-info", Static), plain(summary))

    # -- field access -------------------------------------------------------------

    @property
    def detail_keys(self) -> list[str]:
        return [key for key in self.LABELS if key != self.KEY]

    def field(self, key: str) -> FieldInput:
        return self.query_one(f"#{key}", FieldInput)

    @property
    def password_field(self) -> PasswordInput:
        return self.query_one("#password", PasswordInput)

    def form_values(self) -> dict[str, str]:
        """The values as Accept takes them (a stored one as stored: FieldInput.entered)."""
        return {key: self.field(key).entered for key in self.LABELS if key not in ("password", *self.SECRETS)}

    def stored_secret(self, key: str) -> bool:
        """Whether the open record has the secret of field `key` stored."""
        return False

    def secret_changes(self) -> dict[str, PasswordChange]:
        """What Accept does to each of SECRETS."""
        return {
            key: self.query_one(f"#{key}", PasswordInput).change(self.stored_secret(key)) for key in self.SECRETS
        }

    @property
    def had_password(self) -> bool:
        return bool(self.loaded and self.loaded.has_password)

    def watch_is_open(self, is_open: bool) -> None:
        for key in self.detail_keys:
            self.field(key).disabled = not is_open
        self.query_one("#accept", Button).disabled = not is_open
        self.query_one("#delete", Button).disabled = not is_open
        self.field(self.KEY).disabled = is_open
        self.query_one("#lookup", Button).disabled = is_open
        self.on_opened()

    def _fill(self, values: dict[str, str], has_password: bool) -> None:
        for key, value in values.items():
            self.field(key).put(value)
        self.password_field.show_stored(has_password)
        for key in self.SECRETS:
            self.query_one(f"#{key}", PasswordInput).show_stored(self.stored_secret(key))

    def has_unsaved_changes(self) -> bool:
        if not self.is_open:
            return False
        password = self.password_field.change(self.had_password)
        secrets = self.secret_changes().values()
        return (self.form_values() != self.baseline or password.action != "keep"
                or any(change.action != "keep" for change in secrets))

    def explain(self, error: FieldError) -> str:
        """The message for a refused field; a field with a look-up list says which
        key lists its values, a stored key (locked while open) what changes it."""
        text = describe(error, self.LABELS)
        if error.field == self.KEY and self.loaded is not None:
            text += f" – only 7=Rename in the Work with list changes a stored {self.LABELS[self.KEY]}"
        elif error.field in self.PROMPTS and error.field != self.KEY:
            text += f" ({self.key('prompt')} lists them)"
        return text

    def _refuse(self, *errors: FieldError) -> None:
        """Name the first refused field on the message line, count the rest
        (F1 lists them all, like a 5250 message subfile), show every field
        in error in reverse image and put the cursor on the first."""
        self.errors = list(errors)
        for field in self.query(FieldInput):
            field.set_class(any(error.field == field.id for error in errors), "-in-error")
        self.message.error(first_of([self.explain(error) for error in errors], self.key("help")))
        self.field(errors[0].field).refuse_here()

    def problems(self) -> list[tuple[str, str]]:
        """The errors of the last refused Accept, for the help window, while
        the message line still reports them."""
        texts = [self.explain(error) for error in self.errors]
        if not texts or self.message.text != first_of(texts, self.key("help")):
            return []
        labels = [self.LABELS.get(error.field, error.field) for error in self.errors]
        return list(zip(labels, texts, strict=True))

    def _forget_errors(self) -> None:
        self.errors = []
        for field in self.query(".-in-error"):
            field.remove_class("-in-error")

    @on(Input.Changed)
    def _mended(self, event: Input.Changed) -> None:
        """A field in error that is changed loses its reverse image."""
        event.input.remove_class("-in-error")

    # -- the key field ----------------------------------------------------------

    @on(Input.Submitted, ".key")
    @on(Button.Pressed, "#lookup")
    def lookup(self) -> None:
        """Enter on the key field: open the record, or offer to create it.  A key
        put in (an F4 pick, the record left) opens as stored, even one the rules refuse."""
        key_field = self.field(self.KEY)
        key = key_field.stored
        if not key:
            try:
                key = self.validate_key(key_field.value)
            except FieldError as error:
                self._refuse(error.for_field(self.KEY))
                return
        self.database.work(self, self._look_up(key))

    async def _look_up(self, key: str) -> None:
        try:
            loaded = await self.database.run(self.service.load, key)
        except StorageError as error:
            self.message.error(f"Could not read {self.service.kind} {key}: {error}")
            return
        if loaded is not None:
            self._open(loaded.stored.record.form_values(), loaded)
            return
        self.field(self.KEY).value = key

        def answered(create: bool | None) -> None:
            if create:
                self._open({self.KEY: key, **self.NEW_DEFAULTS}, None)
                self.message.show(f"New {self.service.kind} {key}: fill in the details, then Accept")
            else:
                self.message.clear()
                self.field(self.KEY).focus()

        self.app.push_screen(ConfirmScreen(self.CREATE_QUESTION, title=self.PATH.split(" / ")[-1]), answered)

    def _open(self, values: dict[str, str], loaded: Loaded | None) -> None:
        self._forget_errors()
        self.loaded = loaded
        self._fill(values, has_password=bool(loaded and loaded.has_password))
        self.baseline = self.form_values()
        self.is_open = True
        first = self.field(self.detail_keys[0])
        first.focus()
        first.select_all()  # overtype, even when it already had focus (reload)
        if loaded is None:
            return
        attention = loaded.attention
        if attention is not None:
            in_key = attention.field == self.KEY  # locked: the cursor stays on the first detail
            then = "" if in_key else " – correct it, then Accept"
            self.message.show(f"Needs attention: {self.explain(attention)}{then}", "warning")
            if not in_key:
                self.field(attention.field).refuse_here()
        elif loaded.password_problem:
            self.message.show(f"Password: {loaded.password_problem}", "warning")
        else:
            self.message.show(
                f"{self.service.kind} {loaded.stored.key}: change the details, then Accept"
            )

    def _close(self, keep_key: bool) -> None:
        key = self.field(self.KEY).entered if keep_key else ""
        self.is_open = False
        self._forget_errors()
        self.loaded = None
        self._fill({k: "" for k in self.form_values()}, has_password=False)
        self.baseline = {}
        self.field(self.KEY).put(key)
        self.field(self.KEY).focus()
        self.message.clear()

    # -- detail fields ----------------------------------------------------------

    @on(Input.Submitted, ".detail")
    def next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    @on(FieldInput.Refused)
    def refused(self, event: FieldInput.Refused) -> None:
        label = self.LABELS.get(event.field.id or "", "")
        self.message.error(f"{label}: {event.hint}")

    def key(self, binding_id: str) -> str:
        """The keys of a binding as mapped now, for a message ('F5/^R')."""
        return self.services.key_label(binding_id)

