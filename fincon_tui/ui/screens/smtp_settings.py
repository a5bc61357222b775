"""System / Mail Settings / SMTP Settings: the key-field form of the seed article."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalGroup, VerticalGroup
from textual.widgets import Button, Input, Static

from fincon_tui.domain import smtp
from fincon_tui.domain.fields import FieldError
from fincon_tui.secrets.vault import SecretStoreError
from fincon_tui.storage.errors import RecordChanged, RecordExists, StorageError
from fincon_tui.ui.screens.base import FinconScreen
from fincon_tui.ui.screens.confirm import ConfirmScreen
from fincon_tui.ui.widgets.form import field_row
from fincon_tui.ui.widgets.inputs import FieldInput, PasswordInput, YesNoInput

if TYPE_CHECKING:
    from fincon_tui.services.smtp_settings import Loaded, SmtpSettings

CREATE_QUESTION = "The SMTP definition does not exist – do you want to create it?"
DETAIL_KEYS = [key for key in smtp.LABELS if key != "name"]
YN = "Y=Yes, N=No"


class SmtpSettingsScreen(FinconScreen):
    """Type an SMTP Name, press Enter, fill in the details, Accept."""

    PATH = "System / Mail Settings / SMTP Settings"
    AUTO_FOCUS = "#name"
    BINDINGS = [
        Binding("f10,ctrl+s", "accept", "Accept", id="accept"),
        Binding("f3", "exit", "Exit", id="exit"),
        Binding("f12,escape", "cancel", "Cancel", id="cancel"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.loaded: Loaded | None = None
        self.is_open = False
        self.baseline: dict[str, str] = {}

    @property
    def settings(self) -> SmtpSettings:
        return self.app.smtp  # type: ignore[attr-defined]

    def compose_body(self) -> ComposeResult:
        label = smtp.LABELS
        with VerticalGroup(id="form"):
            yield field_row(
                label["name"],
                FieldInput(id="name", max_length=smtp.NAME_MAX),
                Button("Enter", id="lookup", compact=True),
            )
            yield field_row(
                label["mail_server"],
                FieldInput(id="mail_server", max_length=253, classes="detail wide"),
            )
            yield field_row(
                label["authenticate"], YesNoInput(id="authenticate", classes="detail"), hint=YN
            )
            yield field_row(
                label["username"],
                FieldInput(id="username", max_length=smtp.USERNAME_MAX, classes="detail wide"),
            )
            yield field_row(
                label["password"],
                PasswordInput(id="password", max_length=smtp.PASSWORD_MAX, classes="detail wide"),
            )
            yield field_row(
                label["port"],
                FieldInput(
                    id="port", max_length=5, restrict=r"[0-9]*",
                    hint="digits only, 1-65535", classes="detail",
                ),
                hint="1-65535",
            )
            yield field_row(label["use_tls"], YesNoInput(id="use_tls", classes="detail"), hint=YN)
            yield field_row(
                label["timeout_seconds"],
                FieldInput(
                    id="timeout_seconds", max_length=3, restrict=r"[0-9]*",
                    hint="digits only, 1-300", classes="detail",
                ),
                hint="1-300",
            )
            yield field_row(
                label["bcc"],
                FieldInput(id="bcc", max_length=254, classes="detail wide"),
                hint="optional",
            )
            with HorizontalGroup(id="actions"):
                yield Button("Accept", id="accept", compact=True)
            yield Static("", id="store-info", markup=False)

    def on_mount(self) -> None:
        for button in self.query(Button):
            button.can_focus = False  # keyboard users use Enter and F10: Tab order stays fields only
        self._set_open(False)
        self.query_one("#store-info", Static).update(self.app.vault.info().summary())  # type: ignore[attr-defined]

    # -- field access -------------------------------------------------------

    def field(self, key: str) -> FieldInput:
        return self.query_one(f"#{key}", FieldInput)

    @property
    def password_field(self) -> PasswordInput:
        return self.query_one("#password", PasswordInput)

    def form_values(self) -> dict[str, str]:
        return {key: self.field(key).value for key in smtp.LABELS if key != "password"}

    def _set_open(self, is_open: bool) -> None:
        self.is_open = is_open
        for key in DETAIL_KEYS:
            self.field(key).disabled = not is_open
        self.query_one("#accept", Button).disabled = not is_open
        self.field("name").disabled = is_open
        self.query_one("#lookup", Button).disabled = is_open

    def _fill(self, values: dict[str, str], has_password: bool) -> None:
        for key, value in values.items():
            self.field(key).value = value
        self.password_field.show_stored(has_password)

    def has_unsaved_changes(self) -> bool:
        if not self.is_open:
            return False
        password = self.password_field.change(self.had_password)
        return self.form_values() != self.baseline or password.action != "keep"

    @property
    def had_password(self) -> bool:
        return bool(self.loaded and self.loaded.has_password)

    # -- the key field ------------------------------------------------------

    @on(Input.Submitted, "#name")
    @on(Button.Pressed, "#lookup")
    def lookup(self) -> None:
        """Enter on SMTP Name: open the definition, or offer to create it."""
        name_field = self.field("name")
        try:
            name = smtp.validate_name(name_field.value)
        except FieldError as error:
            self._refuse(error)
            return
        try:
            loaded = self.settings.load(name)
        except (StorageError, sqlite3.Error) as error:
            self.message.error(f"Could not read SMTP definition {name}: {error}")
            return
        if loaded is not None:
            self._open(loaded.stored.definition.form_values(), loaded)
            return
        name_field.value = name

        def answered(create: bool | None) -> None:
            if create:
                self._open({"name": name, **smtp.NEW_DEFAULTS}, None)
                self.message.show(f"New SMTP definition {name}: fill in the details, then Accept")
            else:
                self.message.clear()
                self.field("name").focus()

        self.app.push_screen(ConfirmScreen(CREATE_QUESTION, title="SMTP Settings"), answered)

    def _open(self, values: dict[str, str], loaded: Loaded | None) -> None:
        self.loaded = loaded
        self._fill(values, has_password=bool(loaded and loaded.has_password))
        self.baseline = self.form_values()
        self._set_open(True)
        self.field("mail_server").focus()
        if loaded is None:
            return
        if loaded.has_password is None:
            self.message.show(
                "The keyring cannot be read: leave Password empty to keep any stored password",
                "warning",
            )
        else:
            self.message.show(f"SMTP definition {loaded.stored.name}: change the details, then Accept")

    def _close(self, keep_name: bool) -> None:
        name = self.field("name").value if keep_name else ""
        self._set_open(False)
        self._fill({key: "" for key in smtp.LABELS if key != "password"}, has_password=False)
        self.loaded = None
        self.baseline = {}
        self.field("name").value = name
        self.field("name").focus()
        self.message.clear()

    # -- detail fields ------------------------------------------------------

    @on(Input.Submitted, ".detail")
    def next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    @on(FieldInput.Refused)
    def refused(self, event: FieldInput.Refused) -> None:
        label = smtp.LABELS.get(event.field.id or "", "")
        self.message.error(f"{label}: {event.hint}")

    def _refuse(self, error: FieldError, more: int = 0) -> None:
        text = smtp.describe(error)
        if more:
            text += f" (and {more} more {'problem' if more == 1 else 'problems'})"
        self.message.error(text)
        self.field(error.field).focus()

    # -- actions --------------------------------------------------------------

    @on(Button.Pressed, "#accept")
    def action_accept(self) -> None:
        """F10/Ctrl+S or the Accept button: validate, then save row and password."""
        if not self.is_open:
            self.message.error("Type an SMTP Name and press Enter first")
            self.field("name").focus()
            return
        change = self.password_field.change(self.had_password)
        try:
            definition = smtp.parse_definition(
                self.form_values(), change, had_password=self.had_password
            )
        except smtp.DefinitionInvalid as invalid:
            self._refuse(invalid.first, len(invalid.errors) - 1)
            return
        expected = self.loaded.stored.version if self.loaded else None
        try:
            saved = self.settings.save(definition, change, expected)
        except RecordExists:
            self.message.error(
                f"SMTP definition {definition.name} was created by another user meanwhile: "
                "press Esc and open it"
            )
            return
        except RecordChanged:
            self.message.error(
                f"SMTP definition {definition.name} was changed or deleted by another user: "
                "press Esc and open it again"
            )
            return
        except SecretStoreError as error:
            self.message.error(f"Not saved: {error}")
            self.password_field.focus()
            return
        except (StorageError, sqlite3.Error) as error:
            self.message.error(f"Not saved, the database refused: {error}")
            return
        self._close(keep_name=False)
        note = ""
        if saved.definition.users_bring_login:
            note = "; no shared login, so each user needs their own"
        self.message.show(f"SMTP definition {saved.name} saved{note}", "ok")

    def _leave_or_ask(self, then) -> None:
        if not self.has_unsaved_changes():
            then()
            return
        name = self.field("name").value

        def answered(discard: bool | None) -> None:
            if discard:
                then()

        self.app.push_screen(
            ConfirmScreen(
                f"Unsaved changes to SMTP definition {name} will be lost – continue?",
                title="Unsaved changes",
                default=False,
            ),
            answered,
        )

    def action_exit(self) -> None:
        """F3: leave the screen."""
        self._leave_or_ask(self.dismiss)

    def action_cancel(self) -> None:
        """F12/Esc: back one step (details -> SMTP Name -> menu)."""
        if self.is_open:
            self._leave_or_ask(lambda: self._close(keep_name=True))
        else:
            self.dismiss()
