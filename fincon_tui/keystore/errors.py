"""Errors of the secrets layer.  No message ever contains a secret.

    SecretStoreError        the key could not be read or written
    ├── KeyringTimeout      the keyring backend did not answer in time
    ├── KeyFileError        a key file is unsafe or unreadable
    ├── KeyMissing          this account has no key that opens the passwords
    └── PasswordUnusable    a stored password cannot be used (must be entered again)
"""

from __future__ import annotations

HOW_TO = "see README, 'Password storage'"


class SecretStoreError(Exception):
    """The key store could not be read or written."""


class KeyringTimeout(SecretStoreError):
    """The keyring backend did not answer within the time limit."""


class KeyFileError(SecretStoreError):
    """A key file is unsafe (readable by everyone) or cannot be read."""


class KeyMissing(SecretStoreError):
    """The passwords were encrypted with a key this account does not have."""

    def __init__(self, key_id: str, detail: str = "") -> None:
        super().__init__(
            f"The passwords of this database were saved with key {key_id}; "
            f"this account has no such key{detail} ({HOW_TO})"
        )
        self.key_id = key_id


class PasswordUnusable(SecretStoreError):
    """A stored password cannot be decrypted for its record as it is now."""
