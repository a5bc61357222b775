"""The key-field maintenance form that Fincon screens share: type the key,
press Enter, create or edit the record, Accept, Delete, F4 look-up lists.
The fields and opening a record are in record_fields.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual import on
from textual.widgets import Button

from fincon_tui._exceptions import (
    FormInvalid,
    LockWaitAbandoned,
    RecordChanged,
    RecordExists,
    RecordInUse,
    SecretStoreError,
    StorageError,
)
from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.ui.bindings import bind
from fincon_tui.ui.screens.confirm import ConfirmScreen
from fincon_tui.ui.screens.lookup import SHOWN, LookupScreen
from fincon_tui.ui.screens.record_fields import RecordFields
from fincon_tui.ui.widgets.form import FormPages

if TYPE_CHECKING:
    from fincon_tui.services.record_store import Loaded, Saved
    from fincon_tui.storage.records import Stored


def changed_message(kind: str, changed: RecordChanged, then: str) -> str:
    """Someone else saved, deleted, re-created or renamed the record since
    it was read; `then` says what to do ('press F5 to reload'), first: a
    long name may push the end off the message line."""
    current = changed.current
    if current is None:
        return f"{then} – {kind} {changed.key} was deleted by another user"
    if changed.renamed:
        return f"{kind} {changed.key} was renamed to {current.key} by another user"
    if changed.recreated:
        when = datetime.fromisoformat(current.created_at).astimezone().strftime("%H:%M")
        return f"{then} – {kind} {current.key} was deleted and created again by another user at {when}"
    when = datetime.fromisoformat(current.updated_at).astimezone().strftime("%H:%M")
    return f"{then} – {kind} {current.key} was changed by another user at {when}"


class RecordFormScreen(RecordFields):
    """The form's keys and what they do; subclasses give the labels, the
    fields, the service and the rules."""

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
            self.message.error("Not saved: " + self._changed_message(changed))
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
        return await self.database.run_write(
            self, call, *args, doing=doing, stop=self.key("cancel"),
            report=lambda text: self.message.show(text, "warning"),
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
            question = await self.database.run(self.service.delete_question, stored.key, stored)
        except RecordInUse as error:
            self.message.error(f"Not deleted: {error}")
            return
        except RecordChanged as changed:
            self.message.error("Not deleted: " + self._changed_message(changed))
            return
        except StorageError as error:
            self.message.error(f"Not deleted, the database refused: {error}")
            return

        def answered(delete: bool | None) -> None:
            if delete:
                self.database.work(self, self._delete(stored))

        self.app.push_screen(ConfirmScreen(question, title=f"Delete {kind}", default=False), answered)

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

        key = self.field(self.KEY).entered.strip()
        if not self.is_open or not key:
            self.message.error(
                f"Open a {self.service.kind} with Enter first, then {self.key('history')} shows its history")
            return

        async def show() -> None:
            entries = await self.database.run(self.service.history, self.loaded.stored if self.loaded else key)
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

        def rows(text: str) -> list[tuple[str, tuple[str, ...]]]:
            return [(stored.key, prompt.cells(stored.record)) for stored in service.search(text, SHOWN + 1)]

        async def search(text: str) -> list[tuple[str, tuple[str, ...]]]:
            try:
                return await self.database.run(rows, text)
            except StorageError as error:
                self.message.error(f"Could not read the list: {error}")
                return []

        def picked(key: str | None) -> None:
            """The key picked goes into the field, which keeps the cursor (as
            every F4 pick: FieldInput.put); on the key field Enter follows."""
            if key is None:
                return
            self.field(field_id).put(key, focus=True)
            if field_id == self.KEY:
                self.lookup()

        self.app.push_screen(LookupScreen(prompt.title, prompt.columns, search), picked)

    def action_page(self, direction: int) -> None:
        """Page Down / Page Up: the next or previous page of a form taller
        than the screen, the cursor on its first field."""
        if not self.is_open or not self.query_one(FormPages).turn(direction):
            self.app.bell()

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
