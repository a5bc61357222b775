"""The key-field maintenance form that Fincon screens share: type the key,
press Enter, create or edit the record, Accept, Delete, F4 look-up lists."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.reactive import reactive
from textual.widgets import Button, Input, Label, Static

from fincon_tui._exceptions import (
    FieldError,
    FormInvalid,
    LockWaitAbandoned,
    RecordChanged,
    RecordExists,
    RecordInUse,
    SecretStoreError,
    StorageError,
    describe,
)
from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.domain.visible import visible
from fincon_tui.storage.transactions import Waiting
from fincon_tui.ui.bindings import bind
from fincon_tui.ui.plain import plain
from fincon_tui.ui.screens.base import FinconScreen
from fincon_tui.ui.screens.confirm import ConfirmScreen
from fincon_tui.ui.screens.lookup import SHOWN, LookupScreen
from fincon_tui.ui.widgets.form import FormPages, field_row
from fincon_tui.ui.widgets.inputs import FieldInput, PasswordInput

if TYPE_CHECKING:
    from fincon_tui.services.record_store import Loaded, RecordService, Saved
    from fincon_tui.storage.versioned_table import Stored
    from fincon_tui.ui.db_thread import DatabaseThread


@dataclass(frozen=True)
class Prompt:
    """An F4 look-up list for one field: which records, shown how."""

    title: str
    service: Callable[[Any], RecordService]
    line: Callable[[Any], str]
    heading: str


def changed_message(kind: str, changed: RecordChanged, then: str) -> str:
    """Someone else saved, deleted, re-created or renamed the record since
    it was read; `then` says what to do ('press F5 to reload')."""
    current = changed.current
    if current is None:
        return f"{kind} {changed.key} was deleted by another user – {then}"
    if changed.renamed:
        return f"{kind} {changed.key} was renamed to {current.key} by another user"
    if changed.recreated:
        when = datetime.fromisoformat(current.created_at).astimezone().strftime("%H:%M")
        return f"{kind} {current.key} was deleted and created again by another user at {when} – {then}"
    when = datetime.fromisoformat(current.updated_at).astimezone().strftime("%H:%M")
    return f"{kind} {current.key} was changed by another user at {when} – {then}"


class RecordFormScreen(FinconScreen):
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
    BINDINGS = [
        bind("accept", "accept", "Accept"),
        bind("prompt", "prompt", "Prompt"),
        bind("delete", "delete", "Delete"),
        bind("reload", "reload", "Reload"),
        bind("history", "history", "History"),
        bind("exit", "exit", "Exit"),
        bind("cancel", "cancel", "Cancel"),
        bind("page_down", "page(1)", "Next page of the form", show=False),
        bind("page_up", "page(-1)", "Previous page of the form", show=False),
    ]

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
        message = f"{self.service.kind} {saved.key} saved"
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
            Button("Enter", id="lookup", compact=True),
        )

    def compose_body(self) -> ComposeResult:
        with FormPages(id="form"):
            yield Label("", id="page-marker")
            yield from self.compose_fields()
            with HorizontalGroup(id="actions"):
                yield Button("Accept", id="accept", compact=True)
                yield Button("Delete", id="delete", compact=True)
            yield Static("", id="store-info", markup=False)

    def on_mount(self) -> None:
        # Tab visits the fields only: keyboard users press Enter/F10/F8, and
        # the form scrolls to the focused field by itself.
        for button in self.query(Button):
            button.can_focus = False
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
        self.query_one("#store-info", Static).update(plain(summary))

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
        return {key: self.field(key).value for key in self.LABELS if key not in ("password", *self.SECRETS)}

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
            self.field(key).value = visible(value)
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
        """The message for a refused field; a field with a look-up list says
        which key lists its values."""
        text = describe(error, self.LABELS)
        if error.field in self.PROMPTS and error.field != self.KEY:
            text += f" ({self.key('prompt')} lists them)"
        return text

    def _refuse(self, *errors: FieldError) -> None:
        """Name the first refused field on the message line, count the rest
        (F1 lists them all, like a 5250 message subfile), show every field
        in error in reverse image and put the cursor on the first."""
        self.errors = list(errors)
        for field in self.query(FieldInput):
            field.set_class(any(error.field == field.id for error in errors), "-in-error")
        text = self.explain(errors[0])
        if len(errors) > 1:
            text = f"{text} (1 of {len(errors)}: {self.key('help')} lists all)"
        self.message.error(text)
        self.field(errors[0].field).refuse_here()

    def problems(self) -> list[tuple[str, str]]:
        """The errors of the last refused Accept, for the help window."""
        return [(self.LABELS.get(error.field, error.field), self.explain(error)) for error in self.errors]

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
        """Enter on the key field: open the record, or offer to create it."""
        key_field = self.field(self.KEY)
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
        if loaded.attention is not None:
            self.message.show(
                f"Needs attention: {describe(loaded.attention, self.LABELS)} – correct it, then Accept",
                "warning",
            )
            self.field(loaded.attention.field).refuse_here()
        elif loaded.password_problem:
            self.message.show(f"Password: {loaded.password_problem}", "warning")
        else:
            self.message.show(
                f"{self.service.kind} {loaded.stored.key}: change the details, then Accept"
            )

    def _close(self, keep_key: bool) -> None:
        key = self.field(self.KEY).value if keep_key else ""
        self.is_open = False
        self._forget_errors()
        self.loaded = None
        self._fill({k: "" for k in self.form_values()}, has_password=False)
        self.baseline = {}
        self.field(self.KEY).value = key
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

    # -- actions --------------------------------------------------------------

    @on(Button.Pressed, "#accept")
    def action_accept(self) -> None:
        """F10/Ctrl+S or the Accept button: validate, then save row and password."""
        if not self.is_open:
            self.message.error(f"Type the {self.LABELS[self.KEY]} and press Enter first")
            self.field(self.KEY).refuse_here()
            return
        if self.waiting is not None:
            return  # a save is already under way
        if self.loaded is not None and not self.has_unsaved_changes():
            self.message.show(f"{self.service.kind} {self.loaded.stored.key}: nothing changed, nothing saved")
            return
        change = self.password_field.change(self.had_password)
        expected = self.loaded.stored if self.loaded else None
        self.database.work(self, self._save(self.form_values(), change, expected, self.secret_changes()))

    async def _save(
        self, values: dict[str, str], change: PasswordChange, expected: Stored | None,
        secrets: dict[str, PasswordChange],
    ) -> None:
        try:
            record = await self.database.run(self.parse, values, change, secrets)
        except FormInvalid as invalid:
            self._refuse(*invalid.errors)
            return
        self._forget_errors()
        kind, key = self.service.kind, record.key
        try:
            saved = await self._while_waiting("Saving", self.write, record, change, expected, secrets)
        except RecordExists:
            self.message.error(
                f"{kind} {key} was created by another user meanwhile: press {self.key('cancel')} and open it")
            return
        except RecordChanged as changed:
            self.message.error(self._changed_message(changed))
            return
        except SecretStoreError as error:
            self.message.error(f"Not saved: {error}")
            self.password_field.refuse_here()
            return
        except LockWaitAbandoned as error:
            self.message.show(f"Not saved: {error}", "warning")
            return
        except StorageError as error:
            self.message.error(f"Not saved, the database refused: {error}")
            return
        message = await self.database.run(self.saved_message, saved)
        self.finish(message)

    def write(
        self, record: Any, change: PasswordChange, expected: Stored | None,
        secrets: dict[str, PasswordChange] | None = None,
    ) -> Saved:
        """Accept's write (in the database thread)."""
        return self.service.save(record, change, expected, secrets)

    def finish(self, message: str) -> None:
        """The open record was saved or deleted: back to the key field, saying so."""
        self._close(keep_key=False)
        self.message.show(message, "ok")

    def leave_record(self) -> None:
        """Cancel on an open record: back to its key."""
        self._close(keep_key=True)

    async def _while_waiting(self, doing: str, call, *args):
        """`call(*args)` in the database thread; while it waits for another
        admin's save the message line says so, and Esc stops the wait."""
        loop = asyncio.get_running_loop()
        self.waiting = Waiting(report=lambda seconds: loop.call_soon_threadsafe(self._show_wait, doing, seconds))
        self.database.waiting = self.waiting
        try:
            return await self.database.run(call, *args, waiting=self.waiting)
        finally:
            self.waiting = self.database.waiting = None

    def _show_wait(self, doing: str, seconds: float) -> None:
        if self.waiting is not None:
            self.message.show(
                f"{doing}… waiting for another admin's save ({seconds:.0f} s) – {self.key('cancel')} to stop waiting",
                "warning",
            )

    @on(Button.Pressed, "#delete")
    def action_delete(self) -> None:
        """F8/Ctrl+D or the Delete button: remove the open record after a Yes;
        a record that others depend on is refused before anything is asked."""
        kind = self.service.kind
        if not self.is_open:
            self.message.error(f"Open a {kind} with Enter first, then delete it")
            return
        if self.loaded is None:
            key = self.field(self.KEY).value
            self.message.error(f"{kind} {key} is not saved yet: {self.key('cancel')} discards it")
            return
        self.database.work(self, self._ask_delete(self.loaded))

    async def _ask_delete(self, loaded: Loaded) -> None:
        stored, kind = loaded.stored, self.service.kind
        try:
            await self.database.run(self.service.check_can_delete, stored.key)
        except RecordInUse as error:
            self.message.error(f"Not deleted: {error}")
            return
        except StorageError as error:
            self.message.error(f"Not deleted, the database refused: {error}")
            return
        password = " Its stored password is removed too." if loaded.has_password else ""

        def answered(delete: bool | None) -> None:
            if delete:
                self.database.work(self, self._delete(stored))

        self.app.push_screen(
            ConfirmScreen(f"Delete {kind} {stored.key}?{password}", title=f"Delete {kind}", default=False),
            answered,
        )

    async def _delete(self, stored: Stored) -> None:
        kind, key = self.service.kind, stored.key
        try:
            await self._while_waiting("Deleting", self.service.delete, key, stored)
        except RecordInUse as error:
            self.message.error(f"Not deleted: {error}")
            return
        except RecordChanged as changed:
            self.message.error("Not deleted: " + self._changed_message(changed))
            return
        except LockWaitAbandoned as error:
            self.message.show(f"Not deleted: {error}", "warning")
            return
        except StorageError as error:
            self.message.error(f"Not deleted, the database refused: {error}")
            return
        self.finish(f"{kind} {key} deleted")

    def _changed_message(self, changed: RecordChanged) -> str:
        return changed_message(self.service.kind, changed, f"press {self.key('reload')} to reload")

    def action_reload(self) -> None:
        """F5/Ctrl+R: load the record again as stored now (asks before dropping changes)."""
        if not self.is_open or self.loaded is None:
            self.message.error(f"Nothing to reload: open a saved {self.service.kind} first")
            return
        key = self.loaded.stored.key

        async def reload() -> None:
            loaded = await self.database.run(self.service.load, key)
            if loaded is None:
                self._close(keep_key=True)
                self.message.error(f"{self.service.kind} {key} no longer exists")
                return
            self._open(loaded.stored.record.form_values(), loaded)
            self.message.show(f"{self.service.kind} {key} reloaded as stored now")

        self._leave_or_ask(lambda: self.database.work(self, reload()))

    def action_history(self) -> None:
        """F9/Ctrl+Y: the audit trail of the open record."""
        from fincon_tui.ui.screens.history import HistoryScreen

        key = self.field(self.KEY).value.strip()
        if not self.is_open or not key:
            self.message.error(
                f"Open a {self.service.kind} with Enter first, then {self.key('history')} shows its history")
            return

        async def show() -> None:
            entries = await self.database.run(self.service.history, key)
            self.app.push_screen(HistoryScreen(f"History of {self.service.kind} {key}", entries, self.LABELS))

        self.database.work(self, show())

    def action_prompt(self) -> None:
        """F4/Ctrl+P: a look-up list for the field under the cursor."""
        field_id = self.focused.id if self.focused is not None else None
        prompt = self.PROMPTS.get(field_id or "")
        if field_id is None or prompt is None:
            fields = " and ".join(self.LABELS[key] for key in self.PROMPTS)
            self.message.error(f"{self.key('prompt')} lists values for {fields} only")
            return
        service = prompt.service(self.app)

        def rows(text: str) -> list[tuple[str, str]]:
            return [(stored.key, prompt.line(stored.record)) for stored in service.search(text, SHOWN + 1)]

        async def search(text: str) -> list[tuple[str, str]]:
            try:
                return await self.database.run(rows, text)
            except StorageError as error:
                self.message.error(f"Could not read the list: {error}")
                return []

        def picked(key: str | None) -> None:
            if key is None:
                return
            self.field(field_id).value = key
            if field_id == self.KEY:
                self.lookup()
            else:
                self.focus_next()

        self.app.push_screen(LookupScreen(prompt.title, prompt.heading, search), picked)

    def action_page(self, direction: int) -> None:
        """Page Down / Page Up: the next or previous page of a form taller
        than the screen, the cursor on its first field."""
        if not self.is_open or not self.query_one(FormPages).turn(direction):
            self.app.bell()

    def key(self, binding_id: str) -> str:
        """The keys of a binding as mapped now, for a message ('F5/^R')."""
        return self.services.key_label(binding_id)

    def _leave_or_ask(self, then: Callable[[], object]) -> None:
        if not self.has_unsaved_changes():
            then()
            return
        key = self.field(self.KEY).value

        def answered(discard: bool | None) -> None:
            if discard:
                then()

        self.app.push_screen(
            ConfirmScreen(
                f"Unsaved changes to {self.service.kind} {key} will be lost – continue?",
                title="Unsaved changes",
                default=False,
            ),
            answered,
        )

    def action_exit(self) -> None:
        """F3: leave the screen."""
        self._leave_or_ask(self.dismiss)

    def action_cancel(self) -> None:
        """F12/Esc: stop waiting for another admin's save, else back one step
        (details -> key field -> menu)."""
        if self.waiting is not None:
            self.waiting.abandoned.set()
            return
        if self.is_open:
            self._leave_or_ask(self.leave_record)
        else:
            self.dismiss()
