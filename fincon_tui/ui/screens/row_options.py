"""What each option of a 'Work with' list does for one row (held by
WorkWithScreen as `row_options`): through the record's form, opened for
it, or the Yes/No and entry windows.  Each calls back the list's typed
options (`done`) with what happened."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fincon_tui._exceptions import (
    ConnectionLost,
    FieldError,
    LockWaitAbandoned,
    RecordChanged,
    RecordExists,
    RecordInUse,
    SecretStoreError,
    StorageError,
    describe,
)
from fincon_tui.domain.secret_kinds import SecretKind
from fincon_tui.ui.screens.confirm import ConfirmScreen
from fincon_tui.ui.screens.entry_dialog import Entry, EntryDialog
from fincon_tui.ui.screens.list_start import Done, Mode, Start
from fincon_tui.ui.screens.record_writes import changed_message, in_doubt_said

if TYPE_CHECKING:
    from fincon_tui.services.work_lists import DefinitionRow, UserRow
    from fincon_tui.ui.screens.screen_ports import ListScreen

    #: A row of either list: each has its record (`stored`) and `key`.
    ListRow = DefinitionRow | UserRow


class RowOptions:
    """2=Change, 3=Copy, 4=Delete, 5=Display, 7=Rename and 8=Test login of `screen`."""

    def __init__(self, screen: ListScreen) -> None:
        self.screen = screen

    def carry_out(self, option: str, row: Any) -> None:
        """Option `option` (a number of the list's OPTIONS) for `row`."""
        {"2": self.change, "3": self.copy, "4": self.delete, "5": self.display, "7": self.rename,
         "8": self.test_login}[option](row)

    def done(self, result: Done | None) -> None:
        self.screen.typed_options.next_option(result)

    async def write(
        self, doing: str, call: Callable[..., Any], *args: Any, report: Callable[[str], None] | None = None
    ) -> Any:
        """`call(*args)` in the database thread; a wait for another admin's
        save is reported (on the message line, or to `report`) and can be stopped."""
        screen = self.screen
        return await screen.database.run_write(
            screen, call, *args, doing=doing, stop=screen.services.key_label("cancel"),
            report=report or (lambda text: screen.message.show(text, "warning")),
        )

    def open_form(self, mode: Mode, row: Any) -> None:
        form = self.screen.form(Start(mode, row.key))
        self.screen.app.push_screen(form, self.done)

    def change(self, row: ListRow) -> None:
        self.open_form("change", row)

    def display(self, row: ListRow) -> None:
        self.open_form("display", row)

    def test_login(self, row: ListRow) -> None:
        self.open_form("test", row)

    def _refresh_hint(self) -> str:
        return f"press {self.screen.services.key_label('reload')} to refresh the list"

    # -- 3=Copy --------------------------------------------------------------------------

    def copy(self, row: ListRow) -> None:
        self.screen.database.work(self.screen, self._copy(row))

    async def _copy(self, row: ListRow) -> None:
        kind, service, label = self.screen.KIND_NAME, self.screen.service, self.screen.LABELS[self.screen.KEY]
        try:
            loaded = await self.screen.database.run(service.load, row.key)
        except StorageError as error:
            self.done(Done(f"Not copied: could not read {kind} {row.key}: {error}", "error"))
            return
        if loaded is None:
            self.done(Done(f"Not copied: {kind} {row.key} no longer exists", "error"))
            return
        entries = [Entry("key", f"New {label}", self.screen.KEY_MAX)]
        note = f"The form opens on the new {label}, filled from {loaded.stored.key}."
        copyable = loaded.secrets & set(service.copyable_secrets(loaded.stored.record))
        if loaded.password_problem:
            copyable -= {SecretKind.PASSWORD}
            note += f"\nIts password cannot be copied: {loaded.password_problem}"
        if copyable:
            only = copyable == {SecretKind.PASSWORD}
            what = "password" if only else "secrets" if SecretKind.PASSWORD in copyable else "secret"
            entries.append(Entry("password", f"Copy the {what}", value="N", hint="Y=Yes, N=No", yes_no=True))
        if SecretKind.REFRESH_TOKEN in loaded.secrets:
            note += "\nA sign-in is never copied: sign in again on the copy."

        async def check(values: dict[str, str]) -> tuple[str, str] | None:
            try:
                key = service.validate_key(values["key"])
            except FieldError as error:
                return "key", describe(error, self.screen.LABELS)
            existing = await self.screen.database.run(service.get, key)
            if existing is not None:
                return "key", f"{kind} {existing.key} already exists"
            return None

        def answered(values: dict[str, str] | None) -> None:
            if values is None:
                self.done(None)
                return
            start = Start("copy", service.validate_key(values["key"]), loaded, values.get("password") == "Y")
            self.screen.app.push_screen(self.screen.form(start), self.done)

        self.screen.app.push_screen(EntryDialog(f"Copy {kind} {loaded.stored.key}", entries, check, note), answered)

    # -- 4=Delete ------------------------------------------------------------------------

    def delete(self, row: ListRow) -> None:
        self.screen.database.work(self.screen, self._ask_delete(row))

    async def _ask_delete(self, row: ListRow) -> None:
        """The form's rule (the service's delete_question): a record others
        depend on is refused before anything is asked."""
        try:
            question = await self.screen.database.run(self.screen.service.delete_question, row.key, row.stored)
        except StorageError as error:
            self.done(self._not_deleted(error))
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.screen.database.work(self.screen, self._delete(row))
            else:
                self.done(None)

        title = f"Delete {self.screen.KIND_NAME}"
        self.screen.app.push_screen(ConfirmScreen(question, title=title, default=False), answered)

    async def _delete(self, row: ListRow) -> None:
        try:
            await self.write("Deleting", self.screen.service.delete, row.key, row.stored)
        except StorageError as error:
            done = self._not_deleted(error)
        else:
            done = Done(f"{self.screen.KIND_NAME} {row.key} deleted")
        self.done(done)

    def _not_deleted(self, error: StorageError) -> Done:
        if isinstance(error, RecordInUse):
            return Done(f"Not deleted: {error}", "error")
        if isinstance(error, RecordChanged):
            return Done("Not deleted: " + changed_message(self.screen.KIND_NAME, error, self._refresh_hint()), "error")
        if isinstance(error, LockWaitAbandoned):
            return Done(f"Not deleted: {error}", "warning")
        if isinstance(error, ConnectionLost) and error.in_doubt:
            return Done(in_doubt_said("deleted", self._refresh_hint()), "error")
        return Done(f"Not deleted, the database refused: {error}", "error")

    # -- 7=Rename ------------------------------------------------------------------------

    def rename(self, row: ListRow) -> None:
        self.screen.database.work(self.screen, self._rename(row))

    async def _rename(self, row: ListRow) -> None:
        """The window says what goes with the record, as stored now."""
        from fincon_tui.services.key_changes import rename, rename_note

        kind, service, label = self.screen.KIND_NAME, self.screen.service, self.screen.LABELS[self.screen.KEY]
        try:
            note = await self.screen.database.run(rename_note, service, row.key)
        except StorageError as error:
            self.done(Done(f"Not renamed: could not read {kind} {row.key}: {error}", "error"))
            return
        outcome: list[Done] = []

        async def check(values: dict[str, str]) -> tuple[str, str] | None:
            try:
                renamed = await self.write("Renaming", rename, service, row.key, row.stored, values["key"],
                                           report=dialog.show_status)
            except FieldError as error:
                return "key", describe(error, self.screen.LABELS)
            except RecordExists as error:
                return "key", str(error)
            except RecordChanged as changed:
                outcome.append(Done("Not renamed: " + changed_message(kind, changed, self._refresh_hint()), "error"))
            except LockWaitAbandoned as error:
                outcome.append(Done(f"Not renamed: {error}", "warning"))
            except ConnectionLost as error:
                said = in_doubt_said("renamed", self._refresh_hint()) if error.in_doubt else f"Not renamed: {error}"
                outcome.append(Done(said, "error"))
            except (SecretStoreError, StorageError) as error:
                outcome.append(Done(f"Not renamed: {error}", "error"))
            else:
                outcome.append(Done(renamed.describe(kind)))
            return None

        dialog = EntryDialog(
            f"Rename {kind} {row.key}",
            [Entry("key", f"New {label}", self.screen.KEY_MAX, value=row.key)],
            check,
            note=note,
        )
        self.screen.app.push_screen(dialog, lambda _: self.done(outcome[0] if outcome else None))
