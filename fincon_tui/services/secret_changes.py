"""What saving a record does to its secrets, as the secrets service
(sealed_passwords.Passwords) carries it out: RecordService.save and a copy
hand it the record's Holding before and after, and the changes typed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from fincon_tui.domain.login_methods import secret_name
from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.domain.secret_holders import Holding
from fincon_tui.domain.secret_kinds import APP_SECRETS, SecretKind
from fincon_tui.services.sealed_passwords import Passwords


@dataclass
class SecretsSaved:
    """What a save did to the record's secrets: whether its password was
    re-sealed for a new login or server, and what the audit trail says of
    each other secret that changed."""

    rebound: bool = False
    told: dict[str, str] = field(default_factory=dict)


#: The order a save tells of the secrets a record no longer holds.
_DROPPED = (SecretKind.CLIENT_SECRET, SecretKind.SERVICE_ACCOUNT_KEY, SecretKind.REFRESH_TOKEN)


def saved(
    passwords: Passwords, before: Holding | None, after: Holding, password: PasswordChange,
    secrets: Mapping[str, PasswordChange] | None = None,
) -> SecretsSaved:
    """Carry out what saving a record (`before` None: a new one) does to
    its secrets, inside the save's transaction: the password as changed;
    the Client Secret as changed (stored as a client secret or a
    service-account key); the kinds the record no longer holds removed;
    a sign-in removed when the login it was made for changed; and every
    secret kept re-sealed for a new login or mail server."""
    owner, done = after.binding.owner, SecretsSaved()
    if password.action == "set":
        passwords.put(after.binding, SecretKind.PASSWORD, password.value, password.expires_at)
    elif password.action == "clear":
        passwords.remove(owner, SecretKind.PASSWORD)
    for kind in _DROPPED:
        if kind not in after.holds and passwords.has(owner, kind):
            passwords.remove(owner, kind)
            done.told[kind] = "removed"
    change = (secrets or {}).get(SecretKind.CLIENT_SECRET, PasswordChange.keep())
    if SecretKind.CLIENT_SECRET in after.holds and change.action != "keep":
        for kind in APP_SECRETS:
            passwords.remove(owner, kind)
        done.told[SecretKind.CLIENT_SECRET] = "secret changed" if change.action == "set" else "removed"
        if change.action == "set":
            kind = secret_name(after.login_method, change.value)
            passwords.put(after.binding, kind, change.value, change.expires_at)
    if (before is not None and before.signed_in_as != after.signed_in_as
            and passwords.sign_out(owner)):
        done.told[SecretKind.REFRESH_TOKEN] = "removed: sign in again"
    if before is not None:
        done.rebound = passwords.follow(before.binding, after.binding)
    return done
