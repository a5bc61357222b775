"""Keyring backends that the tests install in place of the developer's own.

FileKeyring keeps secrets in a JSON file named by $FINCON_TEST_KEYRING, so a
child process (the CLI in a pseudo-terminal) and the test share one store.
Select it in a child with PYTHON_KEYRING_BACKEND=keyring_backends.FileKeyring
and this folder on PYTHONPATH.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import KeyringError, PasswordDeleteError

ENV = "FINCON_TEST_KEYRING"


class FileKeyring(KeyringBackend):
    """A real keyring backend whose storage is a JSON file (tests only)."""

    priority = 1  # type: ignore[assignment]

    @property
    def path(self) -> Path:
        return Path(os.environ[ENV])

    def _load(self) -> dict[str, str]:
        return json.loads(self.path.read_text()) if self.path.exists() else {}

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, str]]:
        """Read, change and write the file as one step, across processes."""
        with open(f"{self.path}.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            data = self._load()
            yield data
            self._save(data)

    def _save(self, data: dict[str, str]) -> None:
        """Atomic, like a real keyring's single-item write: a process killed
        mid-write leaves the old file or the new one."""
        temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(data))
        os.replace(temporary, self.path)

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\x00{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._locked() as data:
            data[f"{service}\x00{username}"] = password

    def delete_password(self, service: str, username: str) -> None:
        with self._locked() as data:
            if data.pop(f"{service}\x00{username}", None) is None:
                raise PasswordDeleteError("not found")


class BrokenKeyring(FileKeyring):
    """Reads work; every write or delete fails, like a locked keychain."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringError("the keychain is locked")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringError("the keychain is locked")


class HangingKeyring(FileKeyring):
    """Never answers, like a Secret Service waiting for an unlock prompt
    that nobody over SSH can see."""

    def get_password(self, service: str, username: str) -> str | None:
        threading.Event().wait()
        return None

    set_password = delete_password = get_password  # type: ignore[assignment]


HOLD_ENV = "FINCON_TEST_KEYRING_HOLD"


class HeldKeyring(FileKeyring):
    """Reads hang until the test lets them go, in whichever process: a read
    creates `<$FINCON_TEST_KEYRING_HOLD>.asked`, then waits on the FIFO that
    variable names until the test opens it for writing (see `held_reads`)."""

    def get_password(self, service: str, username: str) -> str | None:
        hold = Path(os.environ[HOLD_ENV])
        hold.with_suffix(".asked").touch()
        with open(hold) as fifo:  # blocks until the test opens the other end
            fifo.read()
        return super().get_password(service, username)


@contextlib.contextmanager
def held_reads(folder: Path) -> Iterator[dict[str, str]]:
    """The environment that makes HeldKeyring hold reads (the FIFO in
    `folder`); a read still held is let go on leaving."""
    hold = folder / "keyring-hold"
    os.mkfifo(hold)
    try:
        yield {"PYTHON_KEYRING_BACKEND": "keyring_backends.HeldKeyring", HOLD_ENV: str(hold)}
    finally:
        with contextlib.suppress(OSError):  # ENXIO: nobody waits any more
            os.close(os.open(hold, os.O_WRONLY | os.O_NONBLOCK))
