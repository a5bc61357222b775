"""User email settings, saved with each user's own SMTP password."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from fincon_tui.domain.password_binding import (
    PasswordBinding,
    PasswordChange,
    user_owner,
)
from fincon_tui.domain.secret_holders import HOLDERS, Holding
from fincon_tui.domain.secret_kinds import SecretKind
from fincon_tui.domain.users import (
    UserEmailSettings,
    check_stored,
    parse_user_settings,
    validate_user_code,
)
from fincon_tui.keystore.vault import PasswordVault
from fincon_tui.services.record_store import RecordService
from fincon_tui.storage.records import fold

if TYPE_CHECKING:
    from fincon_tui.domain.smtp import SmtpDefinition
    from fincon_tui.storage.records import Stored
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

    def check_stored(self, user: UserEmailSettings, secrets: frozenset[SecretKind],
                     linked: Mapping[object, Any] | None = None) -> None:
        if linked is None:
            found = self.definitions.get(user.smtp_name)
            definition = found.record if found else None
        else:
            definition = linked.get(fold(user.smtp_name))
        check_stored(user, definition, had_password=SecretKind.PASSWORD in secrets)

    def linked_definitions(self, found: list[Stored[UserEmailSettings]]) -> dict[object, SmtpDefinition | None]:
        """The definition each of `found` names, by folded name (None: none
        by that name), read in one query."""
        names = list(dict.fromkeys(stored.record.smtp_name for stored in found))
        stored = self.definitions.many(names)
        return {folded: (definition.record if (definition := stored.get(folded)) else None)
                for folded in map(fold, names)}

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
