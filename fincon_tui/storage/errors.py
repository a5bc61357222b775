"""Storage errors with messages fit for the message line."""

from __future__ import annotations


class StorageError(Exception):
    """The database could not be opened, read or written."""


class SchemaTooNew(StorageError):
    """The database was written by a newer fincon-tui."""


class RecordExists(StorageError):
    """A create found that the key was taken meanwhile."""


class RecordChanged(StorageError):
    """The stored record is not the version the user loaded."""
