"""User email settings, saved with each user's own SMTP password."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fincon_tui.domain.password_binding import (
    PasswordBinding,
    PasswordChange,
    user_owner,
)
from fincon_tui.domain.secret_holders import HOLDERS, Holding
from fincon_tui.domain.users import (
    UserEmailSettings,
    parse_user_settings,
    validate_user_code,
)
from fincon_tui.keystore.vault import PasswordVault
from fincon_tui.services.record_store import RecordService
from fincon_tui.storage.records import fold

if TYPE_CHECKING:
    from fincon_tui.storage.store import Store


class UserSettings(RecordService[UserEmailSettings]):
    def __init__(self, store: Store, vault: PasswordVault) -> None:
        super().__init__(store, vault, store.users, user_owner)
        self.definitions = store.smtp

    def validate_key(self, raw: str) -> str:
        return validate_user_code(raw)

    def check(self, user: UserEmailSettings, has_password: bool) -> None:
        definition = self.definitions.get(user.smtp_name)
        parse_user_settings(
            user.form_values(), PasswordChange.keep(), definition.record if definition else None,
            had_password=has_password,
        )

    def binding(self, user: UserEmailSettings) -> PasswordBinding:
        definition = self.definitions.get(user.smtp_name)
        server = definition.record.mail_server if definition else ""
        return PasswordBinding.of(user_owner(user.user_code), user.smtp_username, server)

    def holding(self, user: UserEmailSettings) -> Holding:
        """A signed-in mailbox (refresh token) belongs to the user's login as
        it was signed in: another mailbox, definition or Login Method drops it."""
        return Holding(self.binding(user), HOLDERS["user"].secrets, signed_in_as(user))


def signed_in_as(user: UserEmailSettings) -> tuple[object, str, str]:
    """What a user's refresh token was signed in for."""
    return fold(user.smtp_name), user.login_method, user.smtp_username.lower()
