"""The masked fields of a key-field maintenance form (held by
RecordFormScreen): the password and the form's other secrets (SECRETS),
each kept, removed or replaced by Accept, none ever shown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.domain.secret_kinds import APP_SECRETS, SecretKind
from fincon_tui.ui.widgets.inputs import PasswordInput

if TYPE_CHECKING:
    from fincon_tui.ui.screens.screen_ports import Form


class SecretFields:
    """The password field and those of the form's SECRETS."""

    def __init__(self, form: Form) -> None:
        self.form = form

    @property
    def password_field(self) -> PasswordInput:
        return self.form.query_one("#password", PasswordInput)

    def field(self, key: str) -> PasswordInput:
        return self.form.query_one(f"#{key}", PasswordInput)

    @property
    def had_password(self) -> bool:
        """Whether the record has a password stored (a copy: takes one along)."""
        copies = self.form.opening.copies(SecretKind.PASSWORD)
        if copies is not None:
            return copies
        loaded = self.form.loaded
        return bool(loaded and loaded.has_password)

    def stored(self, key: str) -> bool:
        """Whether the open record has the secret of field `key` stored (a copy: takes it along)."""
        copies = self.form.opening.copies(*APP_SECRETS)
        if copies is not None:
            return copies
        loaded = self.form.loaded
        return bool(loaded and loaded.secrets & self.form.SECRETS.get(key, frozenset()))

    def password_change(self) -> PasswordChange:
        """What Accept does to the password."""
        return self.password_field.change(self.had_password)

    def changes(self) -> dict[str, PasswordChange]:
        """What Accept does to each of SECRETS."""
        return {key: self.field(key).change(self.stored(key)) for key in self.form.SECRETS}

    def changed(self) -> bool:
        """Whether Accept would change any of them."""
        changes = [self.password_change(), *self.changes().values()]
        return any(change.action != "keep" for change in changes)

    def show_stored(self, has_password: bool) -> None:
        """Each field as a stored value (masked) or empty."""
        self.password_field.show_stored(has_password)
        for key in self.form.SECRETS:
            self.field(key).show_stored(self.stored(key))
