"""The password vault: the `keyring` API under service `fincon-tui`.

Every keyring call goes through here so that failures become
SecretStoreError with a message that never contains the secret.
"""

from __future__ import annotations

from dataclasses import dataclass

SERVICE = "fincon-tui"
HOW_TO = "see README, 'Password storage'"


class SecretStoreError(Exception):
    """The keyring could not be read or written."""


class PasswordNotSettled(SecretStoreError):
    """The row was saved, but the keyring could not be brought in line yet;
    the password journal keeps the change and finishes it later."""

    def __init__(self, stored: object, error: SecretStoreError) -> None:
        super().__init__(f"{error}; retried at every start")
        self.stored = stored


@dataclass(frozen=True)
class BackendInfo:
    """Which keyring backend holds passwords, and how safely."""

    name: str
    usable: bool
    plaintext: bool

    def summary(self) -> str:
        if not self.usable:
            return f"Passwords: no keyring available, cannot store passwords ({HOW_TO})"
        if self.plaintext:
            return f"Passwords: WARNING, {self.name} stores them unencrypted ({HOW_TO})"
        return f"Passwords: kept in {self.name}"


def _describe(backend: object) -> BackendInfo:
    from keyring.backends import chainer, fail, null

    if isinstance(backend, chainer.ChainerBackend) and backend.backends:
        backend = backend.backends[0]
    kind = type(backend)
    usable = not isinstance(backend, (fail.Keyring, null.Keyring))
    plaintext = "plaintext" in kind.__name__.lower() or "insecure" in kind.__module__
    name = getattr(backend, "name", kind.__name__)
    return BackendInfo(name=str(name), usable=usable, plaintext=plaintext)


class PasswordVault:
    """Get, set and remove passwords."""

    def __init__(self, service: str = SERVICE) -> None:
        self.service = service

    def info(self) -> BackendInfo:
        import keyring

        return _describe(keyring.get_keyring())

    def get(self, account: str) -> str | None:
        import keyring

        try:
            return keyring.get_password(self.service, account)
        except Exception as error:  # any backend failure, reported safely
            raise self._error("read", error) from None

    def has(self, account: str) -> bool:
        return self.get(account) is not None

    def require_usable(self) -> None:
        if not self.info().usable:
            raise SecretStoreError(
                "no keyring backend is available to store the password; "
                f"save without a password or configure one ({HOW_TO})"
            )

    def set(self, account: str, secret: str) -> None:
        self.require_usable()
        self._set(account, secret)

    def delete(self, account: str) -> None:
        """Remove the password for `account`; nothing to remove is fine."""
        self._delete(account)

    def _set(self, account: str, secret: str) -> None:
        import keyring

        try:
            keyring.set_password(self.service, account, secret)
        except Exception as error:
            raise self._error("store", error, secret) from None

    def _delete(self, account: str) -> None:
        import keyring
        from keyring.errors import PasswordDeleteError

        try:
            keyring.delete_password(self.service, account)
        except PasswordDeleteError:
            pass  # already gone: the goal is reached
        except Exception as error:
            raise self._error("remove", error) from None

    def _error(self, verb: str, error: Exception, secret: str = "") -> SecretStoreError:
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        if secret:
            detail = detail.replace(secret, "***")
        return SecretStoreError(f"could not {verb} the password in the keyring: {detail}")
