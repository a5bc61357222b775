"""The domains a definition's mail is sent from: what `check --dns` asks DNS about."""

from __future__ import annotations

from collections.abc import Iterable

from fincon_tui.domain.smtp import SmtpDefinition
from fincon_tui.domain.users import UserEmailSettings


def address_domain(address: str) -> str:
    """The domain of an email address, lower-case without a final dot; ''
    when `address` is not one (a login name such as 'apikey')."""
    local, at, domain = address.strip().rpartition("@")
    if not at or not local:
        return ""
    return domain.strip().rstrip(".").lower()


def sender_domains(definition: SmtpDefinition, users: Iterable[UserEmailSettings] = ()) -> tuple[str, ...]:
    """Every domain mail leaves `definition` from, each once, in the order met:
    its login when that is an address (the From of a test without a user),
    then each linked user's Sender Email."""
    found: dict[str, None] = {}
    addresses = [definition.username]
    for user in users:
        addresses.append(user.sender_email)
    for address in addresses:
        domain = address_domain(address)
        if domain:
            found.setdefault(domain, None)
    return tuple(found)
