"""Storage errors with messages fit for the message line."""

from __future__ import annotations


class StorageError(Exception):
    """The database could not be opened, read or written."""


class DatabaseDamaged(StorageError):
    """The database file is corrupt."""


class LockWaitAbandoned(StorageError):
    """The admin stopped waiting for another admin's save; nothing was written."""


class FileReplaced(StorageError):
    """The file at the database path is not the one that was opened."""


class SchemaTooNew(StorageError):
    """The database was written by a newer fincon-tui."""


class RecordExists(StorageError):
    """A create found that the key was taken meanwhile."""


class RecordChanged(StorageError):
    """The stored record is not the version the user loaded.

    `current` is what is stored now, or None if it was deleted; `recreated`
    when it was deleted and created again meanwhile; `renamed` when it now
    has another key (current.key)."""

    def __init__(self, key: str, current: object = None, recreated: bool = False, renamed: bool = False) -> None:
        super().__init__(f"{key} was changed or deleted by another user")
        self.key = key
        self.current = current
        self.recreated = recreated
        self.renamed = renamed


class RecordInUse(StorageError):
    """A record others depend on cannot be deleted."""
