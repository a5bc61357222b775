"""The maintenance forms opened for one record from a "Work with" list.

2=Change opens the record, 5=Display opens it read only, 8=Test login
opens it read only and starts the login test, 3=Copy opens a new key
filled from the source.  Leaving the record (saved, deleted, cancelled,
tested) goes back to the list with what happened; Exit also stops the
list's remaining options.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from fincon_tui._exceptions import StorageError
from fincon_tui.domain.secret_kinds import APP_SECRETS, SecretKind
from fincon_tui.ui.screens.record_form import RecordFormScreen
from fincon_tui.ui.screens.smtp_settings import SmtpSettingsScreen
from fincon_tui.ui.screens.user_settings import UserEmailSettingsScreen

if TYPE_CHECKING:
    from fincon_tui.domain.password_binding import PasswordChange
    from fincon_tui.services.record_store import Loaded, Saved
    from fincon_tui.storage.records import Stored

Mode = Literal["change", "display", "test", "copy"]
#: How the title bar names each way of opening.
MODE_TITLES = {"change": "Change", "display": "Display", "test": "Test login", "copy": "Copy"}


@dataclass(frozen=True)
class Done:
    """What a form opened from a list did, for the list's message line."""

    text: str
    level: str = "ok"


#: The form was left with Exit: the list stops processing its options.
STOP = Done("", "stop")


@dataclass(frozen=True)
class Start:
    """How the form opens: the record's key (for a copy, the new key), and
    for a copy the source as loaded and whether its password goes along."""

    mode: Mode
    key: str
    source: Loaded | None = None
    copy_password: bool = False


class ListedForm(RecordFormScreen):
    """Put in front of a form class (see SmtpForm, UserForm)."""

    def __init__(self, start: Start, path: str) -> None:
        """`path` is the list's title; the title bar adds what the form does."""
        self.PATH = path + MODE_TITLES[start.mode]
        super().__init__()
        self.start = start
        self.read_only = start.mode in ("display", "test")
        self.set_class(self.read_only, "read-only")

    def on_mount(self) -> None:
        # Textual calls every class's on_mount, this one first: open the
        # record once the form's own on_mount has closed it.
        self.call_later(self._begin)

    def _begin(self) -> None:
        self.field(self.KEY).put(self.start.key)
        if self.start.mode == "copy":
            self._open_copy()
        else:
            self.database.work(self, self._open_stored())

    async def _open_stored(self) -> None:
        kind, key = self.service.kind, self.start.key
        try:
            loaded = await self.database.run(self.service.load, key)
        except StorageError as error:
            self._back(Done(f"Could not read {kind} {key}: {error}", "error"))
            return
        if loaded is None:
            self._back(Done(f"{kind} {key} no longer exists (deleted or renamed by another user)", "error"))
            return
        self._open(loaded.stored.record.form_values(), loaded)
        if not self.read_only:
            return
        if loaded.attention is None and not loaded.password_problem:
            back = self.services.key_label("cancel")
            self.message.show(f"{kind} {loaded.stored.key}: display only – {back} goes back to the list")
        if self.start.mode == "test":
            self.action_test_login()  # type: ignore[attr-defined]

    def _open_copy(self) -> None:
        source = self.start.source
        assert source is not None
        self._open({**source.stored.record.form_values(), self.KEY: self.start.key}, None)
        self.password_field.show_stored(self.had_password)  # the secret fields show theirs (stored_secret)
        both = self.had_password and self.stored_secret("client_secret")
        what = "password and client secret are" if both else "password is" if self.had_password else "secret is"
        password = f"; the stored {what} copied too" if self.start.copy_password else ""
        if SecretKind.REFRESH_TOKEN in source.secrets:
            password += "; sign the copy in afterwards"
        self.message.show(
            f"Copy of {source.stored.key} as {self.start.key}: change the details, then Accept{password}"
        )

    def on_opened(self) -> None:
        """Display only: every field and button stays disabled."""
        super().on_opened()
        if self.read_only and self.is_open:
            for widget in self.query("#form Input, #form Button"):
                widget.disabled = True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Display only: no Accept, Delete, Prompt or Sign in (nor their keys in the legend)."""
        if self.read_only and action in ("accept", "delete", "prompt", "sign_in"):
            return False
        return super().check_action(action, parameters)

    def _copies(self, *names: str) -> bool:
        source = self.start.source
        return self.start.copy_password and source is not None and bool(source.secrets & set(names))

    @property
    def had_password(self) -> bool:
        """A copy counts the password it takes along as its own."""
        if self.start.mode == "copy":
            return self._copies(SecretKind.PASSWORD)
        return super().had_password

    def stored_secret(self, key: str) -> bool:
        """And the client secret (or service-account key) too."""
        if self.start.mode == "copy":
            return self._copies(*APP_SECRETS)
        return super().stored_secret(key)

    def write(
        self, record: Any, change: PasswordChange, expected: Stored | None,
        secrets: dict[str, PasswordChange] | None = None,
    ) -> Saved:
        if self.start.mode != "copy":
            return super().write(record, change, expected, secrets)
        from fincon_tui.services.key_changes import copy

        source = self.start.source
        assert source is not None
        return copy(self.service, source.stored.key, record, change, self.start.copy_password, secrets)

    def _back(self, result: Done | None) -> None:
        """Back to the list with what happened."""
        self.dismiss(result)  # type: ignore[arg-type]

    def finish(self, message: str) -> None:
        self._back(Done(message))

    def leave_record(self) -> None:
        self._back(None)

    def test_ended(self, text: str, level: str) -> None:
        if self.start.mode == "test":
            self._back(Done(text, level) if text else None)
        else:
            super().test_ended(text, level)  # type: ignore[misc]

    def action_exit(self) -> None:
        """Exit: back to the list, which stops processing its options."""
        self._leave_or_ask(lambda: self._back(STOP))


class SmtpForm(ListedForm, SmtpSettingsScreen):
    pass


class UserForm(ListedForm, UserEmailSettingsScreen):
    pass
