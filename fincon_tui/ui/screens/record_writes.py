"""Accept and Delete of a maintenance form (held by RecordFormScreen as
`writes`): the record validated and written in the database thread, a wait
for another admin's save reported and stoppable, what another admin did
meanwhile told."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from fincon_tui._exceptions import (
    ConnectionLost,
    FormInvalid,
    LockWaitAbandoned,
    RecordChanged,
    RecordExists,
    RecordInUse,
    SecretStoreError,
    StorageError,
)
from fincon_tui.ui.screens.confirm import ConfirmScreen

if TYPE_CHECKING:
    from fincon_tui.domain.password_binding import PasswordChange
    from fincon_tui.services.record_store import Loaded
    from fincon_tui.storage.records import Stored
    from fincon_tui.ui.screens.screen_ports import Form

T = TypeVar("T")


def in_doubt_said(done: str, look: str) -> str:
    """A write in doubt (ConnectionLost.in_doubt) as a message: the CLI's
    words (services.record_store.in_doubt), as a sentence."""
    from fincon_tui.services.record_store import in_doubt

    text = in_doubt(done, look)
    return text[:1].upper() + text[1:]


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


class RecordWrites:
    """Accept (F10) and Delete (F8) of `form`."""

    def __init__(self, form: Form) -> None:
        self.form = form

    def accept(self) -> None:
        """F10/Ctrl+S or the Accept button: validate, then save row and password."""
        form = self.form
        if not form.is_open:
            form.message.error(f"Type the {form.LABELS[form.KEY]} and press Enter first")
            form.field(form.KEY).refuse_here()
            return
        if form.waiting is not None:
            return  # a save is already under way
        if form.loaded is not None and not form.has_unsaved_changes():
            form.message.show(f"{form.service.kind} {form.loaded.stored.key}: nothing changed, nothing saved")
            return
        change = form.secrets.password_change()
        expected = form.loaded.stored if form.loaded else None
        form.database.work(form, self._save(form.form_values(), change, expected, form.secrets.changes()))

    async def _save(
        self, values: dict[str, str], change: PasswordChange, expected: Stored[Any] | None,
        secrets: dict[str, PasswordChange],
    ) -> None:
        form = self.form
        try:
            record = await form.database.run(form.parser(), values, change, secrets)
        except FormInvalid as invalid:
            form.fields.refuse(*invalid.errors)
            return
        form.fields.forget_errors()
        kind, key = form.service.kind, record.key
        try:
            saved = await self._while_waiting("Saving", form.opening.writer(), record, change, expected, secrets)
        except RecordExists:
            form.message.error(
                f"{kind} {key} was created by another user meanwhile: press {form.key('cancel')} and open it")
            return
        except SecretStoreError as error:
            form.message.error(f"Not saved: {error}")
            form.password_field.refuse_here()
            return
        except StorageError as error:
            self._refused("saved", error)
            return
        message = await form.database.run(form.saved_report(), saved)
        form.opening.finish(message)
        await form.show_store_info()

    async def _while_waiting(self, doing: str, call: Callable[..., T], *args: Any) -> T:
        """`call(*args)` in the database thread; while it waits for another
        admin's save the message line says so, and Esc stops the wait."""
        form = self.form
        return await form.database.run_write(
            form, call, *args, doing=doing, stop=form.key("cancel"),
            report=lambda text: form.message.show(text, "warning"),
        )

    def delete(self) -> None:
        """F8/Ctrl+D or the Delete button: remove the open record after a Yes;
        a record that others depend on is refused before anything is asked."""
        form = self.form
        kind = form.service.kind
        if not form.is_open:
            form.message.error(f"Open a {kind} with Enter first, then delete it")
            return
        if form.loaded is None:
            key = form.field(form.KEY).value
            form.message.error(f"{kind} {key} is not saved yet: {form.key('cancel')} discards it")
            return
        form.database.work(form, self._ask_delete(form.loaded))

    async def _ask_delete(self, loaded: Loaded[Any]) -> None:
        form = self.form
        stored, kind = loaded.stored, form.service.kind
        try:
            question = await form.database.run(form.service.delete_question, stored.key, stored)
        except StorageError as error:
            self._refused("deleted", error)
            return

        def answered(delete: bool | None) -> None:
            if delete:
                form.database.work(form, self._delete(stored))

        form.app.push_screen(ConfirmScreen(question, title=f"Delete {kind}", default=False), answered)

    async def _delete(self, stored: Stored[Any]) -> None:
        form = self.form
        kind, key = form.service.kind, stored.key
        try:
            await self._while_waiting("Deleting", form.service.delete, key, stored)
        except StorageError as error:
            self._refused("deleted", error)
            return
        form.opening.finish(f"{kind} {key} deleted")

    def _refused(self, done: str, error: Exception) -> None:
        """'Not saved: …' or 'Not deleted: …' for what stopped a write: a
        record in use or changed meanwhile, a wait given up (a warning), or
        the database's refusal."""
        form = self.form
        if isinstance(error, RecordChanged):
            if form.loaded is not None:
                form.told_stale = (form.loaded.stored.row_id, form.loaded.stored.version)
            form.message.error(f"Not {done}: " + changed_message(
                form.service.kind, error, f"press {form.key('reload')} to reload"))
        elif isinstance(error, RecordInUse):
            form.message.error(f"Not {done}: {error}")
        elif isinstance(error, LockWaitAbandoned):
            form.message.show(f"Not {done}: {error}", "warning")
        elif isinstance(error, ConnectionLost) and error.in_doubt:
            form.message.error(in_doubt_said(done, f"press {form.key('reload')} to reload"))
        elif isinstance(error, ConnectionLost):  # it says it was not written
            form.message.error(f"Not {done}: {error}")
        else:
            form.message.error(f"Not {done}, the database refused: {error}")
