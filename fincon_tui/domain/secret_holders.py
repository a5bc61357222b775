"""Which kinds of record hold secrets, which kinds of secret each holds,
and which of its fields bind them: the login they go with and the mail
server they are sent to (its own, or that of the SMTP definition it names).
The services and the storage both work from this one declaration; a
record's Holding is what its secrets hang on as it is saved."""

from __future__ import annotations

from dataclasses import dataclass

from fincon_tui.domain.password_binding import OwnerKind, PasswordBinding
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


@dataclass(frozen=True)
class Holding:
    """What a record's secrets hang on, as the record says it: where they
    are sent (`binding`), which kinds it holds now, the sign-in a refresh
    token was made for, and the Login Method a typed Client Secret is for."""

    binding: PasswordBinding
    holds: tuple[SecretKind, ...]
    signed_in_as: tuple[object, ...] = ()
    login_method: str = ""
