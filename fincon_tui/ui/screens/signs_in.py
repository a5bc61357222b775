"""The Sign in action of the SMTP and User forms (F2): what it needs is
read in the database thread, then the sign-in window (sign_in.py, loaded
only then: issue 26, memory with a form open) signs the mailbox in."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from fincon_tui.domain.secret_kinds import SecretKind

if TYPE_CHECKING:
    from collections.abc import Callable

    from fincon_tui.services.record_store import RecordService
    from fincon_tui.services.sign_ins import SignIn
    from fincon_tui.ui.screens.screen_ports import Form
    from fincon_tui.ui.screens.sign_in import Told


def sign_in_reminder(find: Callable[[str], SignIn], service: RecordService[Any], sign_in_key: str, key: str) -> str:
    """'; ann@… is not signed in yet: …' when the saved record `key`
    signs a mailbox in and has no sign-in (in the database thread)."""
    from fincon_tui._exceptions import NotReady, SecretStoreError

    try:
        sign_in = find(key)
    except (NotReady, SecretStoreError):
        return ""
    if service.passwords.has(service.owner(key), SecretKind.REFRESH_TOKEN):
        return ""
    return f"; {sign_in.mailbox} is not signed in yet: open {key} again and press {sign_in_key}"


class SignsIn:
    """The Sign in action of a form whose record's mailbox signs in (held by
    the SMTP and User forms): the open, saved record is signed in, then read
    again.  `finder()` gives what tells what signing a record in needs (a
    plain function, run in the database thread; NotReady if it cannot)."""

    def __init__(self, form: Form, finder: Callable[[], Callable[[str], SignIn]]) -> None:
        self.form = form
        self.finder = finder

    def reminder(self) -> Callable[[str], str]:
        """`sign_in_reminder` for the form's records (a plain function)."""
        form = self.form
        return functools.partial(sign_in_reminder, self.finder(), form.service, form.services.key_label("sign_in"))

    def sign_in(self) -> None:
        form = self.form
        if not form.is_open or form.loaded is None:
            form.message.error(f"Open a saved {form.service.kind} first, then sign in")
            return
        if form.has_unsaved_changes():
            form.message.error(f"Accept the changes first ({form.services.key_label('accept')}), then sign in")
            return
        form.database.work(form, self._sign_in(form.loaded.stored.key))

    async def _sign_in(self, key: str) -> None:
        from fincon_tui._exceptions import NotReady, SecretStoreError
        from fincon_tui.services.sign_ins import save_sign_in

        form = self.form
        try:
            sign_in = await form.database.run(self.finder(), key)
        except (NotReady, SecretStoreError) as error:
            form.message.error(f"Cannot sign in: {error}")
            return

        def signed_in(told: Told | None) -> None:
            if told is None:
                form.message.show("Not signed in: cancelled", "warning")
                return
            message, kind = told
            if kind == "error":
                form.message.error(message)
                return

            async def reload() -> None:
                loaded = await form.database.run(form.service.load, key)
                if loaded is not None:
                    form.key_field.open(loaded.stored.record.form_values(), loaded)
                form.message.show(message, "ok")

            form.database.work(form, reload())

        from fincon_tui.ui.screens.sign_in import SignInScreen

        save = functools.partial(save_sign_in, form.service, sign_in)
        form.app.push_screen(SignInScreen(sign_in, save), signed_in)
