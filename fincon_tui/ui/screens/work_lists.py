"""Work with SMTP Definitions and Work with User Email Settings: the rows,
and what each option does (through the forms and the Yes/No and entry dialogs)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from fincon_tui._exceptions import (
    FieldError,
    LockWaitAbandoned,
    RecordChanged,
    RecordExists,
    RecordInUse,
    SecretStoreError,
    StorageError,
    describe,
)
from fincon_tui.domain import smtp, users
from fincon_tui.domain.secret_kinds import SecretKind
from fincon_tui.ui.screens.confirm import ConfirmScreen
from fincon_tui.ui.screens.entry_dialog import Entry, EntryDialog
from fincon_tui.ui.screens.listed_form import (
    Done,
    ListedForm,
    SmtpForm,
    Start,
    UserForm,
)
from fincon_tui.ui.screens.record_form import changed_message
from fincon_tui.ui.screens.work_with import WorkWithScreen
from fincon_tui.ui.widgets.list_rows import Column

if TYPE_CHECKING:
    from textual.screen import Screen

    from fincon_tui.services.smtp_settings import SmtpSettings
    from fincon_tui.services.user_settings import UserSettings
    from fincon_tui.services.work_lists import DefinitionRow, ListPage, UserRow

_HELP_OPTIONS = (
    "Type an option number in front of one or more records and press Enter: the options are carried "
    "out top to bottom, each in its own form or window, and the list is read again when all are done.  "
    "Options typed on other pages count too.  Exit in a form stops the options still to come; Cancel "
    "goes on with the next.",
    ("2=Change", "The record's form, to change and Accept it."),
    ("3=Copy", "Asks for the new key and whether to copy the stored password or client secret, then "
               "opens the form filled from the record; Accept creates the copy.  A signed-in mailbox is "
               "never copied: sign the copy in again."),
    ("4=Delete", "Asks first, naming the stored password, client secret or sign-in that goes too; a "
                 "definition that users are linked to is refused at once, naming them."),
    ("5=Display", "The form, read only."),
    ("7=Rename", "Asks for the new key; the password, the history and (for a definition) the linked "
                 "users go with it.  A record another admin changed since the list was read is not "
                 "renamed: refresh the list first."),
)

_HELP_KEYS = (
    "Position to: type the first characters of a key and press Enter: the list starts there.  "
    '"More..." at the foot means more records follow, "Bottom" that this is the last page.  '
    "{list.up} and {list.down} move between the option fields, {list.page_down} and {list.page_up} "
    "turn the page.  Each column is as wide as its longest value on the page; where the width cannot "
    "hold them all, {list.view} shows the columns left out (a second view, named in the legend).",
)


class RecordListScreen(WorkWithScreen):
    """The options every list has, carried out for one row."""

    FORM: ClassVar[type[ListedForm]]
    LABELS: ClassVar[dict[str, str]]
    KEY: ClassVar[str]
    HANDLERS = {"2": "option_change", "3": "option_copy", "4": "option_delete", "5": "option_display",
                "7": "option_rename", "8": "option_test_login"}

    def form(self, start: Start) -> ListedForm:
        return self.FORM(start, f"{self.TITLE} / ")

    def open_form(self, mode: str, row) -> None:
        self.app.push_screen(self.form(Start(mode, row.key)), self.next_option)  # type: ignore[arg-type]

    def option_change(self, row) -> None:
        self.open_form("change", row)

    def option_display(self, row) -> None:
        self.open_form("display", row)

    def option_test_login(self, row) -> None:
        self.open_form("test", row)

    def _refresh_hint(self) -> str:
        return f"press {self.services.key_label('reload')} to refresh the list"

    # -- 3=Copy --------------------------------------------------------------------------

    def option_copy(self, row) -> None:
        self.database.work(self, self._copy(row))

    async def _copy(self, row) -> None:
        kind, service, label = self.KIND_NAME, self.service, self.LABELS[self.KEY]
        try:
            loaded = await self.database.run(service.load, row.key)
        except StorageError as error:
            self.next_option(Done(f"Not copied: could not read {kind} {row.key}: {error}", "error"))
            return
        if loaded is None:
            self.next_option(Done(f"Not copied: {kind} {row.key} no longer exists", "error"))
            return
        entries = [Entry("key", f"New {label}", self.KEY_MAX)]
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
                return "key", describe(error, self.LABELS)
            existing = await self.database.run(service.get, key)
            if existing is not None:
                return "key", f"{kind} {existing.key} already exists"
            return None

        def answered(values: dict[str, str] | None) -> None:
            if values is None:
                self.next_option(None)
                return
            start = Start("copy", service.validate_key(values["key"]), loaded, values.get("password") == "Y")
            self.app.push_screen(self.form(start), self.next_option)

        self.app.push_screen(EntryDialog(f"Copy {kind} {loaded.stored.key}", entries, check, note), answered)

    # -- 4=Delete ------------------------------------------------------------------------

    def option_delete(self, row) -> None:
        self.database.work(self, self._ask_delete(row))

    async def _ask_delete(self, row) -> None:
        """The form's rule (the service's delete_question): a record others
        depend on is refused before anything is asked."""
        try:
            question = await self.database.run(self.service.delete_question, row.key, row.stored)
        except StorageError as error:
            self.next_option(self._not_deleted(error))
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.database.work(self, self._delete(row))
            else:
                self.next_option(None)

        self.app.push_screen(ConfirmScreen(question, title=f"Delete {self.KIND_NAME}", default=False), answered)

    async def _delete(self, row) -> None:
        try:
            await self.write("Deleting", self.service.delete, row.key, row.stored)
        except StorageError as error:
            done = self._not_deleted(error)
        else:
            done = Done(f"{self.KIND_NAME} {row.key} deleted")
        self.next_option(done)

    def _not_deleted(self, error: StorageError) -> Done:
        if isinstance(error, RecordInUse):
            return Done(f"Not deleted: {error}", "error")
        if isinstance(error, RecordChanged):
            return Done("Not deleted: " + changed_message(self.KIND_NAME, error, self._refresh_hint()), "error")
        if isinstance(error, LockWaitAbandoned):
            return Done(f"Not deleted: {error}", "warning")
        return Done(f"Not deleted, the database refused: {error}", "error")

    # -- 7=Rename ------------------------------------------------------------------------

    def option_rename(self, row) -> None:
        self.database.work(self, self._rename(row))

    async def _rename(self, row) -> None:
        """The window says what goes with the record, as stored now."""
        from fincon_tui.services.key_changes import rename, rename_note

        kind, service, label = self.KIND_NAME, self.service, self.LABELS[self.KEY]
        try:
            note = await self.database.run(rename_note, service, row.key)
        except StorageError as error:
            self.next_option(Done(f"Not renamed: could not read {kind} {row.key}: {error}", "error"))
            return
        outcome: list[Done] = []

        async def check(values: dict[str, str]) -> tuple[str, str] | None:
            try:
                renamed = await self.write("Renaming", rename, service, row.key, row.stored, values["key"],
                                           report=dialog.show_status)
            except FieldError as error:
                return "key", describe(error, self.LABELS)
            except RecordExists as error:
                return "key", str(error)
            except RecordChanged as changed:
                outcome.append(Done("Not renamed: " + changed_message(kind, changed, self._refresh_hint()), "error"))
            except LockWaitAbandoned as error:
                outcome.append(Done(f"Not renamed: {error}", "warning"))
            except (SecretStoreError, StorageError) as error:
                outcome.append(Done(f"Not renamed: {error}", "error"))
            else:
                outcome.append(Done(renamed.describe(kind)))
            return None

        dialog = EntryDialog(
            f"Rename {kind} {row.key}",
            [Entry("key", f"New {label}", self.KEY_MAX, value=row.key)],
            check,
            note=note,
        )
        self.app.push_screen(dialog, lambda _: self.next_option(outcome[0] if outcome else None))

    KIND_NAME: ClassVar[str] = ""
    TITLE: ClassVar[str] = ""


class WorkWithDefinitionsScreen(RecordListScreen):
    PATH = "Mail Settings / Work with SMTP Definitions"
    KIND = "SMTP definition"
    KIND_NAME = "SMTP definition"
    KEY = "name"
    KEY_LABEL = "SMTP Name"
    KEY_MAX = smtp.NAME_MAX
    LABELS = smtp.LABELS
    FORM = SmtpForm
    TITLE = "Work with SMTP Definitions"
    OPTIONS = {"2": "Change", "3": "Copy", "4": "Delete", "5": "Display", "7": "Rename", "8": "Test login"}
    COLUMNS = (Column("SMTP Name", 24), Column("Server:Port", 36), Column("TLS", 8), Column("Login", 8),
               Column("Users", 5, right=True))
    HELP_TEXT = (
        "Every SMTP definition with its server and port, how the connection is secured (TLS from "
        "the first byte, STARTTLS, none), whose login it uses (shared, per user, none, or MISSING "
        "when the shared login lacks its password, client secret or sign-in) and how many users "
        "are linked to it.",
        *_HELP_OPTIONS,
        ("8=Test login", "Asks for an optional user code, then connects and logs in with the stored "
                         "definition, as that user when one is given (sends nothing)."),
        *_HELP_KEYS,
    )

    @property
    def service(self) -> SmtpSettings:
        return self.services.smtp

    def read_page(self, key: str, size: int, direction: str) -> ListPage:
        from fincon_tui.services.work_lists import definitions

        return definitions(self.service, key, size, direction)  # type: ignore[arg-type]

    def attention(self, row: DefinitionRow) -> bool:
        return bool(row.missing)

    def cells(self, row: DefinitionRow) -> tuple[str, ...]:
        return row.key, row.server_port, row.tls, row.login, str(row.users)

    def create_screen(self) -> Screen:
        from fincon_tui.ui.screens.smtp_settings import SmtpSettingsScreen

        return SmtpSettingsScreen()


class WorkWithUsersScreen(RecordListScreen):
    PATH = "Mail Settings / Work with User Email Settings"
    KIND = "user email setting"
    KIND_NAME = "User email settings"
    KEY = "user_code"
    KEY_LABEL = "User"
    KEY_MAX = users.USER_CODE_MAX
    LABELS = users.LABELS
    FORM = UserForm
    TITLE = "Work with User Email Settings"
    OPTIONS = {"2": "Change", "3": "Copy", "4": "Delete", "5": "Display", "7": "Rename"}
    COLUMNS = (Column("User", users.USER_CODE_MAX), Column("SMTP Def.", 24), Column("Sender Address", 32),
               Column("Login Used", 40))
    HELP_TEXT = (
        "Every user's email settings: the SMTP definition they send through, their sender "
        "address and the login they send with (their own, the definition's shared one, none, "
        "or MISSING when they cannot send: no login, or one without its password or sign-in).",
        *_HELP_OPTIONS,
        *_HELP_KEYS,
    )

    @property
    def service(self) -> UserSettings:
        return self.services.users

    def read_page(self, key: str, size: int, direction: str) -> ListPage:
        from fincon_tui.services.work_lists import users as user_rows

        return user_rows(self.service, key, size, direction)  # type: ignore[arg-type]

    def order(self, key: str) -> bytes:
        """User codes are stored upper case and ordered as stored."""
        return key.encode("utf-8", "surrogatepass")

    def attention(self, row: UserRow) -> bool:
        return not row.can_send

    def cells(self, row: UserRow) -> tuple[str, ...]:
        record = row.stored.record
        return row.key, record.smtp_name, record.sender_email, row.login_used

    def create_screen(self) -> Screen:
        from fincon_tui.ui.screens.user_settings import UserEmailSettingsScreen

        return UserEmailSettingsScreen()
