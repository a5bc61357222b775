"""The key-field maintenance form that Fincon screens share: type the key,
press Enter, create or edit the record, Accept, Delete, F4 look-up lists.

The screen holds its collaborators: the key field (key_field.py), the
detail fields (record_fields.py), the masked ones (secret_fields.py) and
how it was opened (listed_form.py); the SMTP form adds the mail tests
(mail_tests.py), both forms the sign-in (sign_in.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.reactive import reactive
from textual.widgets import Button, Input, Label, Static

from fincon_tui._exceptions import StorageError
from fincon_tui.ui.bindings import bind
from fincon_tui.ui.plain import plain
from fincon_tui.ui.screens.base import FinconScreen
from fincon_tui.ui.screens.confirm import ConfirmScreen
from fincon_tui.ui.screens.key_field import KeyField
from fincon_tui.ui.screens.list_start import MODE_TITLES, Start
from fincon_tui.ui.screens.listed_form import Listed, Standalone
from fincon_tui.ui.screens.record_fields import DetailFields, saved_text
from fincon_tui.ui.screens.record_writes import RecordWrites
from fincon_tui.ui.screens.screen_ports import Parser, Prompt
from fincon_tui.ui.screens.secret_fields import SecretFields
from fincon_tui.ui.widgets.form import FormPages, unfocusable
from fincon_tui.ui.widgets.inputs import FieldInput, PasswordInput
from fincon_tui.ui.widgets.text_update import update_text

if TYPE_CHECKING:
    from fincon_tui.services.record_store import Loaded, RecordService, Saved
    from fincon_tui.storage.waiting import Waiting
    from fincon_tui.ui.change_watch import ChangesNoticed
    from fincon_tui.ui.db_thread import DatabaseThread
    from fincon_tui.ui.screens.mail_tests import MailTests


class RecordFormScreen(FinconScreen):
    """A record of one kind, opened by its key.  Subclasses give the labels,
    the fields, the service and the rules (SmtpSettingsScreen,
    UserEmailSettingsScreen); `start` opens it for one record of a list.

    | Key (binding id) | Action |
    | --- | --- |
    | accept | Validate, then save the record and its secrets |
    | prompt | A look-up list for the field under the cursor |
    | delete | Remove the open record, after a Yes |
    | reload | Read the open record again as stored now |
    | history | The open record's audit trail |
    | exit | Leave the screen (asks before dropping changes) |
    | cancel | Stop a wait, else back one step |
    | page_down, page_up | The next or previous page of the form |
    """

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
    TEXT_FIELDS = True  # a character key would be typed, not act
    KEY: ClassVar[str]
    LABELS: ClassVar[dict[str, str]]
    NEW_DEFAULTS: ClassVar[dict[str, str]]
    CREATE_QUESTION: ClassVar[str]
    PROMPTS: ClassVar[dict[str, Prompt]] = {}
    #: Masked fields besides the password, each stored as a secret of its
    #: own: the stored secrets each stands for (a Client Secret field: a
    #: client secret or a service-account key).
    SECRETS: ClassVar[dict[str, frozenset[str]]] = {}
    AUTO_FOCUS = ".key"
    #: Whether a record is open: its details and Accept/Delete usable, the
    #: key field and its look-up locked.  Set again when reloaded.
    is_open: reactive[bool] = reactive(False, init=False, always_update=True)
    #: The login test and test email, on a form that has them.
    mail_tests: MailTests | None = None

    def __init__(self, start: Start | None = None, path: str = "") -> None:
        """`start`: opened from the list titled `path` (the title bar adds what the form does)."""
        if start is not None:
            self.PATH = path + MODE_TITLES[start.mode]
        super().__init__()
        self.loaded: Loaded[Any] | None = None
        #: (row id, version) of a loaded record a refused write has already
        #: said is stale: a notice of that change then says nothing new.
        self.told_stale: tuple[str | None, int] | None = None
        #: Set while a save or delete waits for another admin's (Esc gives up).
        self.waiting: Waiting | None = None
        self.key_field = KeyField(self)
        self.fields = DetailFields(self)
        self.secrets = SecretFields(self)
        self.writes = RecordWrites(self)
        self.opening = Standalone(self) if start is None else Listed(self, start)
        self.set_class(self.opening.read_only, "read-only")

    # -- what subclasses provide ----------------------------------------------

    @property
    def service(self) -> RecordService[Any]:
        raise NotImplementedError

    def compose_fields(self) -> ComposeResult:
        """The detail rows, after the key row (`key_field.row`)."""
        raise NotImplementedError

    def validate_key(self, raw: str) -> str:
        raise NotImplementedError

    def parser(self) -> Parser:
        """What validates the values into a record (a plain function, run in
        the database thread): it raises FormInvalid."""
        raise NotImplementedError

    def saved_report(self) -> Callable[[Saved[Any]], str]:
        """What words a save for the message line (a plain function, run in the database thread)."""
        from functools import partial

        return partial(saved_text, self.service.kind)

    def on_opened(self) -> None:
        """Called when the detail fields open or close."""

    # -- layout and state -------------------------------------------------------

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
        if isinstance(self.opening, Listed):
            self.call_later(self.opening.begin)  # the record opens once closed, below
        self.is_open = False
        self.database.work(self, self.show_store_info())

    @property
    def database(self) -> DatabaseThread:
        return self.services.database

    async def show_store_info(self) -> None:
        """The line on how passwords are kept (again after a save: the first
        secret saved makes the key)."""
        try:
            summary = await self.database.run(self.service.passwords.summary)
        except StorageError as error:
            summary = f"Passwords: {error}"
        update_text(self.query_one("#store-info", Static), plain(summary))

    def field(self, key: str) -> FieldInput:
        return self.fields.field(key)

    @property
    def password_field(self) -> PasswordInput:
        return self.secrets.password_field

    def form_values(self) -> dict[str, str]:
        return self.fields.values()

    def watch_is_open(self, is_open: bool) -> None:
        for key in self.fields.keys:
            self.field(key).disabled = not is_open
        self.query_one("#accept", Button).disabled = not is_open
        self.query_one("#delete", Button).disabled = not is_open
        self.key_field.lock(is_open)
        self.on_opened()
        self.show_last_test()
        self.opening.opened()

    # -- the last login test ------------------------------------------------------

    def tests_own_login(self) -> bool:
        """Whether the open record's login tests are its own (the last-test line shows)."""
        return self.loaded is not None

    def show_last_test(self) -> None:
        """The line under the login fields: the last login test and the
        expiries it found, and a sender domain that would fail SPF, in the
        warning colour when it warns (none for a record never tested whose
        SPF is not known to fail)."""
        from fincon_tui.services.login_results import line, spf_fails, warns

        found = self.query("#last-test")
        if not found:
            return
        widget = found.first(Static)
        shown = self.loaded is not None and self.is_open and self.tests_own_login()
        test = self.loaded.last_test if shown and self.loaded is not None else None
        spf = self.loaded.spf if shown and self.loaded is not None else None
        widget.display = test is not None or spf_fails(spf)
        if widget.display:
            update_text(widget, plain(line(test, spf)))
            widget.set_class(warns(test, spf), "-warning")

    def login_tested(self) -> None:
        """After a login test: its result read again, as the service recorded it."""
        loaded = self.loaded
        if loaded is None:
            return

        async def reread() -> None:
            from dataclasses import replace

            test = await self.database.run(self.service.last_test, loaded.stored)
            if self.loaded is loaded:
                self.loaded = replace(loaded, last_test=test)
                self.show_last_test()

        self.database.work(self, reread(), group="last-test")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return False if self.opening.refuses(action) else super().check_action(action, parameters)

    def has_unsaved_changes(self) -> bool:
        if not self.is_open:
            return False
        return self.form_values() != self.fields.baseline or self.secrets.changed()

    def problems(self) -> list[tuple[str, str]]:
        return self.fields.problems()

    def key(self, binding_id: str) -> str:
        """The keys of a binding as mapped now, for a message ('F5/^R')."""
        return self.services.key_label(binding_id)

    # -- events -------------------------------------------------------------------

    @on(Input.Submitted, ".key")
    @on(Button.Pressed, "#lookup")
    def lookup(self) -> None:
        self.key_field.enter()

    @on(Input.Submitted, ".detail")
    def next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    @on(Input.Changed)
    def _mended(self, event: Input.Changed) -> None:
        """A field in error that is changed loses its reverse image."""
        event.input.remove_class("-in-error")

    @on(FieldInput.Refused)
    def refused(self, event: FieldInput.Refused) -> None:
        label = self.LABELS.get(event.field.id or "", "")
        self.message.error(f"{label}: {event.hint}")

    # -- actions --------------------------------------------------------------

    @on(Button.Pressed, "#accept")
    def action_accept(self) -> None:
        self.writes.accept()

    @on(Button.Pressed, "#delete")
    def action_delete(self) -> None:
        self.writes.delete()

    def action_reload(self) -> None:
        """F5/Ctrl+R: load the record again as stored now (asks before dropping changes)."""
        if not self.is_open or self.loaded is None:
            self.message.error(f"Nothing to reload: open a saved {self.service.kind} first")
            return
        key = self.loaded.stored.key

        stored = self.loaded.stored

        async def reload() -> None:
            loaded = await self.database.run(self.service.reload, stored)
            if loaded is None:
                self.key_field.close(keep_key=True)
                self.message.error(f"{self.service.kind} {key} no longer exists")
                return
            self.key_field.open(loaded.stored.record.form_values(), loaded)
            self.message.show(f"{self.service.kind} {loaded.stored.key} reloaded as stored now")

        self.leave_or_ask(lambda: self.database.work(self, reload()))

    def on_changes_noticed(self, noticed: ChangesNoticed) -> None:
        """Another admin changed, renamed or deleted the open record: the
        message line says so at once, what was typed stays (Accept would be
        refused as stale; the reload key reads it again).  After such a
        refusal the notice would replace its fuller words with less."""
        loaded = self.loaded
        if not self.is_open or loaded is None:
            return
        if self.told_stale == (loaded.stored.row_id, loaded.stored.version):
            return  # 'Not saved: … changed by another user' is on the line: it says more
        for notice in noticed.notices:
            if notice.kind == self.service.kind and notice.stale(loaded.stored.row_id, loaded.stored.version):
                then = "" if notice.version is None else f"{self.key('reload')} reloads"
                self.message.show(notice.says(then), "warning")

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
        self.fields.prompt()

    def action_page(self, direction: int) -> None:
        """Page Down / Page Up: the next or previous page of a form taller
        than the screen, the cursor on its first field."""
        if not self.is_open or not self.query_one(FormPages).turn(direction):
            self.app.bell()

    def leave_or_ask(self, then: Callable[[], object]) -> None:
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
        self.opening.exit()

    def action_cancel(self) -> None:
        """F12/Esc: stop waiting for another admin's save, else back one step
        (details -> key field -> menu)."""
        if self.waiting is not None:
            self.waiting.abandoned.set()
            return
        if self.is_open:
            self.leave_or_ask(self.opening.leave_record)
        else:
            self.dismiss()
