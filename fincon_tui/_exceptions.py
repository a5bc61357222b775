"""Every error fincon-tui raises on purpose, in one tree.

Messages are written for the message line or a terminal: they name what
is wrong and what to do, and never contain a secret.  This module imports
nothing of fincon-tui, so every layer may raise and catch these.

    FinconError
    ├── InputError              what was typed or given cannot be used
    │   ├── FieldError          one field's value (`field` is the form key)
    │   ├── FormInvalid         one or more fields of a form (`errors`)
    │   ├── LoginMissing        a login is needed: none is set, or its secret is not
    │   ├── CannotTest          a login test / test email lacks something
    │   │   └── UnknownUser     the user code given has no email settings
    │   ├── NotReady            an OAuth login lacks a sign-in or a secret
    │   ├── FileRefused         an import file that cannot be applied at all
    │   ├── ArgumentsRefused    argparse refused the command line (`parser` is the one that did)
    │   └── ConfigError         config.toml cannot be used
    ├── StorageError            the database could not be opened, read or written
    │   ├── DatabaseDamaged     the file is corrupt or not SQLite
    │   ├── NoDatabase          a read found none yet, or an older one (`init` makes it)
    │   ├── LockWaitAbandoned   the admin stopped waiting for another's save
    │   ├── FileReplaced        the file at the path is not the one opened
    │   ├── SchemaTooNew        written by a newer fincon-tui
    │   ├── ConnectionLost      the server went during an action; says what became of a write
    │   ├── RecordExists        a create found the key taken meanwhile
    │   ├── RecordChanged       lost update: stored version is not the loaded one
    │   ├── RecordInUse         others depend on the record
    │   ├── RuleRefused         the schema's rules refused a value (`field` names it)
    │   └── CopyRefused         `db copy` wrote nothing (`lines` name each record why)
    ├── SecretStoreError        the key store could not be read or written
    │   ├── KeyringTimeout      the keyring backend did not answer in time
    │   ├── KeyFileError        a key file is unsafe or unreadable
    │   ├── KeyMissing          this account has no key that opens the passwords
    │   ├── PasswordUnusable    a stored password must be entered again
    │   ├── NothingToCopy       a copy's source has no password to copy now
    │   └── SealBroken          a sealed value does not open (key or binding differ)
    ├── StepFailed              a mail step failed; `outcome` explains it
    └── TokenFailure            no OAuth access token (`kind` names why, `hint` what to do)

`sqlite3` errors never leave the storage layer raw: `storage.translate`
turns them into StorageError.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

#: Where the messages about keys send the admin.
HOW_TO = "see README, 'Password storage'"


class FinconError(Exception):
    """Base of every error fincon-tui raises on purpose."""


# ---------------------------------------------------------------- input


class InputError(FinconError, ValueError):
    """Something typed or given cannot be used; the message says why."""


class FieldError(InputError):
    """A value that a field does not accept; `field` is the form key.

    Messages do not name the field: the form prefixes the field's label."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    def for_field(self, field: str) -> FieldError:
        return FieldError(self.message, field)


def describe(error: FieldError, labels: Mapping[str, str]) -> str:
    """Message-line text: the field's label, then the problem."""
    label = labels.get(error.field, error.field)
    return f"{label} {error.message}" if label else error.message


class FormInvalid(InputError):
    """One or more fields of a form are wrong; `errors` is in screen order."""

    def __init__(self, errors: list[FieldError], labels: Mapping[str, str]) -> None:
        order = list(labels)
        self.errors = sorted(errors, key=lambda error: order.index(error.field))
        self.labels = labels
        super().__init__("; ".join(describe(error, labels) for error in self.errors))

    @property
    def first(self) -> FieldError:
        return self.errors[0]


class LoginMissing(InputError):
    """A login is needed and is not complete: neither the user nor the
    definition has one, or the one used lacks the secret it logs in with.
    `short` names what is missing in a few words (a list's column);
    `reason` says it without naming the login, which is `login` (if any)."""

    def __init__(self, message: str, short: str = "own login", reason: str = "", login: Any = None) -> None:
        super().__init__(message)
        self.short = short
        self.reason = reason or message
        self.login = login


class CannotTest(InputError):
    """The test cannot start; the message says what is missing.  `field`
    names the request's field at fault ('to', 'user'), if any."""

    def __init__(self, message: str, field: str = "", *, of_value: bool = False) -> None:
        super().__init__(message)
        self.field = field
        #: The message is about the field's value ('is not a valid ...'): name the field first.
        self.of_value = of_value


class UnknownUser(CannotTest):
    """The user code given has no email settings."""

    def __init__(self, code: str) -> None:
        super().__init__(f"User {code} has no email settings", "user")
        self.code = code


class NotReady(InputError):
    """The OAuth login lacks something (a sign-in, a secret); the message says what."""


class FileRefused(InputError):
    """An import file that cannot be applied at all; nothing was written."""


class ArgumentsRefused(InputError):
    """What argparse refused, on its way from the parser that refused it (a
    command's) to the root parser, which knows the command line and words it."""

    def __init__(self, parser: Any, message: str) -> None:
        super().__init__(message)
        self.parser = parser
        self.message = message


class ConfigError(InputError):
    """The config file cannot be used; the message says where and why."""


# ---------------------------------------------------------------- storage


class StorageError(FinconError):
    """The database could not be opened, read or written."""


class DatabaseDamaged(StorageError):
    """The database file is corrupt."""


class NoDatabase(StorageError):
    """A read-only open found no fincon-tui database at the path yet
    (`empty`: no file, or one without tables), or one an older version
    wrote; `fincon-tui init` creates or upgrades it."""

    def __init__(self, message: str, *, empty: bool) -> None:
        super().__init__(message)
        self.empty = empty


class LockWaitAbandoned(StorageError):
    """The admin stopped waiting for another admin's save; nothing was written."""


class FileReplaced(StorageError):
    """The file at the database path is not the one that was opened."""


class SchemaTooNew(StorageError):
    """The database was written by a newer fincon-tui."""


class ConnectionLost(StorageError):
    """The connection to the database server went during an action: the
    message says whether a write was saved (asked of the server again), or,
    `in_doubt`, that it could not be asked."""

    def __init__(self, message: str, *, in_doubt: bool = False) -> None:
        super().__init__(message)
        self.in_doubt = in_doubt


class RecordExists(StorageError):
    """A create found that the key was taken meanwhile."""


class Current(Protocol):
    """What RecordChanged tells of the record as stored now: the storage
    layer's Stored is one (declared here, as this module imports nothing)."""

    @property
    def key(self) -> str: ...

    @property
    def created_at(self) -> str: ...

    @property
    def updated_at(self) -> str: ...


class RecordChanged(StorageError):
    """The stored record is not the version the user loaded.

    `current` is the record as stored now, or None if it was deleted; `recreated` when it was deleted and
    created again meanwhile; `renamed` when it now has another key (current.key)."""

    def __init__(
        self, key: str, current: Current | None = None, recreated: bool = False, renamed: bool = False
    ) -> None:
        super().__init__(f"{key} was changed or deleted by another user")
        self.key = key
        self.current = current
        self.recreated = recreated
        self.renamed = renamed


class RecordInUse(StorageError):
    """A record others depend on cannot be deleted."""


class RuleRefused(StorageError):
    """A trigger of storage/constraints.py refused a value; `field` is its
    form key, and the message names it by its label."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


class CopyRefused(StorageError):
    """`db copy` wrote nothing: `lines` say why, one a record."""

    def __init__(self, message: str, lines: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.lines = lines


# ---------------------------------------------------------------- key store


class SecretStoreError(FinconError):
    """The key store could not be read or written."""


class KeyringTimeout(SecretStoreError):
    """The keyring backend did not answer within the time limit."""


class KeyFileError(SecretStoreError):
    """A key file is unsafe (readable by everyone) or cannot be read."""


class KeyMissing(SecretStoreError):
    """The passwords were encrypted with a key this account does not have."""

    def __init__(self, key_id: str, host: str = "", looked_in: tuple[str, ...] = ()) -> None:
        # The one message for a server without the database's key (moved
        # without its key file, or a rotation not copied to it): the TUI,
        # every command and `key status` show this.
        on = f" on host {host}" if host else ""
        where = f" (looked in {'; '.join(looked_in)})" if looked_in else ""
        super().__init__(
            f"the passwords of this database were saved with key {key_id}; this account{on} has no such "
            f"key{where}: copy the key file that holds key {key_id} from a server that opens them, and name "
            f"it in $FINCON_TUI_KEY_FILE or config.toml ({HOW_TO})"
        )
        self.key_id = key_id
        self.host = host


class PasswordUnusable(SecretStoreError):
    """A stored password cannot be decrypted for its record as it is now."""


class NothingToCopy(SecretStoreError):
    """A copy was to take its source's password, and the source has none now."""


class SealBroken(SecretStoreError):
    """The sealed value does not open with this key and associated data."""


# ---------------------------------------------------------------- mail


class Explained(Protocol):
    """What StepFailed carries: the mail layer's Outcome (mail/outcome.py) is one."""

    @property
    def message(self) -> str: ...


class StepFailed(FinconError):
    """A step failed with an explanation already worked out."""

    def __init__(self, outcome: Explained) -> None:
        super().__init__(outcome.message)
        self.outcome = outcome


class TokenFailure(FinconError):
    """Getting an OAuth access token failed; `kind` names the failure for
    scripts, `hint` says what the admin can do."""

    def __init__(self, kind: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.hint = hint
