"""Which kinds of record hold secrets, which kinds of secret each holds,
and which of its fields bind them: the login they go with and the mail
server they are sent to (its own, or that of the SMTP definition it names).
The services and the storage both work from this one declaration."""

from __future__ import annotations

from dataclasses import dataclass

from fincon_tui.domain.password_binding import OwnerKind
from fincon_tui.domain.secret_kinds import SecretKind


@dataclass(frozen=True)
class Holder:
    """A kind of record that holds secrets."""

    owner: OwnerKind
    #: The kinds of secret it may hold.
    secrets: tuple[SecretKind, ...]
    #: The field holding the login its secrets go with.
    login: str
    #: The field holding the mail server they are sent to.
    server: str = "mail_server"
    #: The field naming the SMTP definition whose `server` it is; '' for the record's own.
    server_via: str = ""


HOLDERS: dict[OwnerKind, Holder] = {
    "smtp": Holder("smtp", tuple(SecretKind), login="username"),
    "user": Holder("user", (SecretKind.PASSWORD, SecretKind.REFRESH_TOKEN), login="smtp_username",
                   server_via="smtp_name"),
}
