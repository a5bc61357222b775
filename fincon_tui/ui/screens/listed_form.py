"""How a maintenance form was opened, which decides where it goes when a
record is left (held by RecordFormScreen as `opening`).

From the menu (Standalone) the form stays, back on its key field.  From a
"Work with" list (Listed) it is opened for one record: 2=Change opens the
record, 5=Display opens it read only, 8=Test login opens it read only and
starts the login test, 3=Copy opens a new key filled from the source.
Leaving the record (saved, deleted, cancelled, tested) goes back to the
list with what happened; Exit also stops the list's remaining options.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from fincon_tui._exceptions import StorageError
from fincon_tui.domain.secret_kinds import SecretKind
from fincon_tui.ui.screens.list_start import STOP, Done

if TYPE_CHECKING:
    from fincon_tui.domain.password_binding import PasswordChange
    from fincon_tui.services.record_store import RecordService, Saved
    from fincon_tui.storage.records import Stored
    from fincon_tui.ui.screens.list_start import Start
    from fincon_tui.ui.screens.screen_ports import Form, Writer

def write_copy(
    service: RecordService[Any], source_key: str, copy_password: bool, record: Any, change: PasswordChange,
    expected: Stored[Any] | None, secrets: dict[str, PasswordChange],
) -> Saved[Any]:
    """Accept on 3=Copy (in the database thread): the new record, and the source's secrets if asked."""
    from fincon_tui.services.key_changes import copy

    return copy(service, source_key, record, change, copy_password, secrets)


class Standalone:
    """Opened from the menu: a record left, the form waits on its key field."""

    start: Start | None = None
    read_only = False

    def __init__(self, form: Form) -> None:
        self.form = form

    def copies(self, *names: str) -> bool | None:
        """Whether a copy takes one of the secrets `names` along (None: not a copy)."""
        return None

    def writer(self) -> Writer:
        """Accept's write (a plain function, run in the database thread)."""
        return self.form.service.save

    def opened(self) -> None:
        """The details opened or closed."""

    def refuses(self, action: str) -> bool:
        return False

    def finish(self, message: str) -> None:
        """The open record was saved or deleted: back to the key field, saying so."""
        self.form.key_field.close(keep_key=False)
        self.form.message.show(message, "ok")

    def leave_record(self) -> None:
        """Cancel on an open record: back to its key."""
        self.form.key_field.close(keep_key=True)

    def test_ended(self, text: str, level: str) -> None:
        """A login test or test email ended (or did not start): say how."""
        if level == "error":
            self.form.message.error(text)
        elif text:
            self.form.message.show(text, level)

    def exit(self) -> None:
        self.form.leave_or_ask(self.form.dismiss)


class Listed(Standalone):
    """Opened from a list for one record, as `start` says."""

    def __init__(self, form: Form, start: Start) -> None:
        super().__init__(form)
        self.start: Start = start
        self.read_only = start.mode in ("display", "test")

    def begin(self) -> None:
        """Once mounted: the record opens."""
        form = self.form
        form.field(form.KEY).put(self.start.key)
        if self.start.mode == "copy":
            self._open_copy()
        else:
            form.database.work(form, self._open_stored())

    async def _open_stored(self) -> None:
        form = self.form
        kind, key = form.service.kind, self.start.key
        try:
            loaded = await form.database.run(form.service.load, key)
        except StorageError as error:
            self._back(Done(f"Could not read {kind} {key}: {error}", "error"))
            return
        if loaded is None:
            self._back(Done(f"{kind} {key} no longer exists (deleted or renamed by another user)", "error"))
            return
        form.key_field.open(loaded.stored.record.form_values(), loaded)
        if not self.read_only:
            return
        if loaded.attention is None and not loaded.password_problem:
            back = form.services.key_label("cancel")
            form.message.show(f"{kind} {loaded.stored.key}: display only – {back} goes back to the list")
        if self.start.mode == "test" and form.mail_tests is not None:
            form.mail_tests.test_login()

    def _open_copy(self) -> None:
        form, source = self.form, self.start.source
        assert source is not None
        form.key_field.open({**source.stored.record.form_values(), form.KEY: self.start.key}, None)
        had_password = form.secrets.had_password
        form.secrets.password_field.show_stored(had_password)  # the secret fields show theirs (stored)
        both = had_password and form.secrets.stored("client_secret")
        what = "password and client secret are" if both else "password is" if had_password else "secret is"
        password = f"; the stored {what} copied too" if self.start.copy_password else ""
        if SecretKind.REFRESH_TOKEN in source.secrets:
            password += "; sign the copy in afterwards"
        form.message.show(
            f"Copy of {source.stored.key} as {self.start.key}: change the details, then Accept{password}"
        )

    def copies(self, *names: str) -> bool | None:
        if self.start.mode != "copy":
            return None
        source = self.start.source
        return self.start.copy_password and source is not None and bool(source.secrets & set(names))

    def writer(self) -> Writer:
        """A copy is saved as a copy of its source."""
        if self.start.mode != "copy":
            return super().writer()
        source = self.start.source
        assert source is not None
        return partial(write_copy, self.form.service, source.stored.key, self.start.copy_password)

    def opened(self) -> None:
        """Display only: every field and button stays disabled."""
        if self.read_only and self.form.is_open:
            for widget in self.form.query("#form Input, #form Button"):
                widget.disabled = True

    def refuses(self, action: str) -> bool:
        """Display only: no Accept, Delete, Prompt or Sign in (nor their keys in the legend)."""
        return self.read_only and action in ("accept", "delete", "prompt", "sign_in")

    def _back(self, result: Done | None) -> None:
        """Back to the list with what happened."""
        self.form.dismiss(result)

    def finish(self, message: str) -> None:
        self._back(Done(message))

    def leave_record(self) -> None:
        self._back(None)

    def test_ended(self, text: str, level: str) -> None:
        if self.start.mode == "test":
            self._back(Done(text, level) if text else None)
        else:
            super().test_ended(text, level)

    def exit(self) -> None:
        """Exit: back to the list, which stops processing its options."""
        self.form.leave_or_ask(lambda: self._back(STOP))
