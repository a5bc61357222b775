"""Where a database's data key lives: a key file or the OS keyring.

The places, in their order, for the key id the database records:

1. the key file named by `key_file` (config.toml `[passwords]`, or
   $FINCON_TUI_KEY_FILE): the shared set-up for several admins;
2. the OS keyring, service `fincon-tui`, username `key:<database id>`,
   when a usable backend exists (a desktop);
3. the key file `keys/<database id>.key` in the user's config folder,
   where a headless server keeps it when nothing is configured.

A new key goes to the first of these that applies, and a missing key
names them in this order; a key is found by its id in the key files
before the keyring is asked (the same key, wherever it is).  Every keyring call
has a time limit, so a backend waiting for an unlock prompt nobody sees
cannot hang the app, and a front end can show the wait and stop it
(following.py).  Key files and hashing load when a key is needed,
not at start-up.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar

from fincon_tui._exceptions import (
    HOW_TO,
    KeyFileError,
    KeyMissing,
    KeyringTimeout,
    SecretStoreError,
)
from fincon_tui.keystore.following import KEYRING_WAIT, followed

SERVICE = "fincon-tui"
#: Seconds a keyring call may take before the backend counts as not answering
#: ($FINCON_TUI_KEYRING_TIMEOUT changes it).
KEYRING_TIMEOUT = 5.0
KEYRING_TIMEOUT_ENV = "FINCON_TUI_KEYRING_TIMEOUT"

#: Backends that ask for a master password on the terminal: they would
#: take over the TUI's screen, so they are not used.
PROMPTING_BACKENDS = {
    "keyrings.cryptfile.cryptfile.CryptFileKeyring": "KEYRING_CRYPTFILE_PASSWORD",
    "keyrings.alt.file.EncryptedKeyring": "",
}

T = TypeVar("T")


@dataclass(frozen=True)
class BackendInfo:
    """The keyring backend, and whether fincon-tui can keep a key in it."""

    name: str
    usable: bool
    why_not: str = ""


@dataclass(frozen=True)
class KeySource:
    """One place keys are kept."""

    kind: Literal["key file", "keyring"]
    where: str  # the file's path, or the keyring backend's name

    def describe(self) -> str:
        if self.kind == "keyring":
            return f"the keyring ({self.where})"
        home = str(Path.home())
        shown = "~" + self.where[len(home):] if self.where.startswith(home + os.sep) else self.where
        return f"key file {shown}"


@dataclass(frozen=True)
class FoundKey:
    key: bytes = field(repr=False)  # never in a traceback or a log
    source: KeySource

    @property
    def id(self) -> str:
        from fincon_tui.keystore.cipher import key_id

        return key_id(self.key)


#: Names this host in the hosts table and in messages, where the host name
#: changes (a container) or several servers share one.
HOST_ENV = "FINCON_TUI_HOST"


def this_host() -> str:
    """How fincon-tui names the machine it runs on: $FINCON_TUI_HOST, else
    the host name (socket.gethostname: no DNS lookup, which may hang)."""
    import socket

    return os.environ.get(HOST_ENV, "").strip() or socket.gethostname() or "localhost"


def _timeout_from_environment() -> float:
    try:
        return max(0.1, float(os.environ.get(KEYRING_TIMEOUT_ENV, KEYRING_TIMEOUT)))
    except ValueError:
        return KEYRING_TIMEOUT


def _describe(backend: object) -> BackendInfo:
    from keyring.backends import chainer, fail, null

    if isinstance(backend, chainer.ChainerBackend) and backend.backends:
        backend = backend.backends[0]
    kind = type(backend)
    name = str(getattr(backend, "name", kind.__name__))
    if isinstance(backend, (fail.Keyring, null.Keyring)):
        return BackendInfo(name, False, "no keyring backend is available")
    needs = PROMPTING_BACKENDS.get(f"{kind.__module__}.{kind.__qualname__}")
    if needs is not None and not (needs and os.environ.get(needs)):
        return BackendInfo(name, False, f"{name} would ask for its password on the terminal")
    return BackendInfo(name, True)


class PasswordVault:
    """Finds, creates and stores data keys (never the passwords themselves)."""

    def __init__(self, key_file: Path | None = None, *, service: str = SERVICE,
                 timeout: float | None = None) -> None:
        self.key_file = key_file
        self.service = service
        self.timeout = timeout if timeout is not None else _timeout_from_environment()
        self._hung: str = ""
        #: Why the keyring is left out: it did not answer, or the admin stopped waiting.
        self._hung_cause: str = ""
        #: True while a keyring call is under way: an app quitting meanwhile
        #: does not wait for it (it may never answer).
        self.asking = False

    # -- the keyring, bounded ----------------------------------------------------

    def _bounded(self, call: Callable[[], T], what: str) -> T:
        """Run a keyring call in a thread and wait at most `timeout` for it,
        the wait followed (KEYRING_WAIT) when someone follows it."""
        if self._hung:
            raise KeyringTimeout(self._hung)
        values: list[T] = []
        errors: list[BaseException] = []

        def run() -> None:
            try:
                values.append(call())
            except BaseException as error:  # handed to the caller below
                errors.append(error)

        worker = threading.Thread(target=run, name="fincon-keyring", daemon=True)
        worker.start()
        self.asking = True
        try:
            stopped = followed(worker, self.timeout, KEYRING_WAIT.get())
        finally:
            self.asking = False
        if not values and not errors:
            self._hung_cause = ("you stopped waiting for the keyring" if stopped
                                else f"the keyring did not answer within {self.timeout:g} s")
            self._hung = f"{self._hung_cause} ({what}); going on without it"
            raise KeyringTimeout(self._hung)
        if errors:
            detail = str(errors[0]).splitlines()[0] if str(errors[0]) else type(errors[0]).__name__
            raise SecretStoreError(f"the keyring could not {what}: {detail}")
        return values[0]

    def backend(self) -> BackendInfo:
        import keyring

        try:
            return self._bounded(lambda: _describe(keyring.get_keyring()), "start")
        except SecretStoreError as error:
            return BackendInfo("keyring", False, str(error))

    def keyring_get(self, account: str) -> str | None:
        import keyring

        return self._bounded(lambda: keyring.get_password(self.service, account), "read")

    def keyring_set(self, account: str, value: str) -> None:
        import keyring

        self._bounded(lambda: keyring.set_password(self.service, account, value), "store")

    def keyring_delete(self, account: str) -> None:
        import keyring
        from keyring.errors import PasswordDeleteError

        def delete() -> None:
            try:
                keyring.delete_password(self.service, account)
            except PasswordDeleteError:
                pass  # already gone: the goal is reached

        self._bounded(delete, "remove an entry")

    # -- sources ------------------------------------------------------------------

    def default_file(self, database_id: str) -> Path:
        from platformdirs import user_config_path

        return user_config_path("fincon-tui", appauthor=False) / "keys" / f"{database_id}.key"

    def sources(self, database_id: str) -> list[KeySource]:
        """Where keys for this database are looked for, in order."""
        return list(self._sources(database_id))

    def _key_files(self, database_id: str) -> list[KeySource]:
        """The key files among the sources, in order: the configured one, if
        any, and the default one."""
        configured = [KeySource("key file", str(self.key_file))] if self.key_file is not None else []
        return [*configured, KeySource("key file", str(self.default_file(database_id)))]

    def _sources(self, database_id: str) -> Iterator[KeySource]:
        """sources(), the keyring asked only when the configured key file
        has been looked in: a key found there loads no keyring library
        (2.8 MiB, 52 ms at the app's start; issue 26)."""
        *configured, default = self._key_files(database_id)
        yield from configured
        backend = self.backend()
        if backend.usable:
            yield KeySource("keyring", backend.name)
        yield default

    def home(self, database_id: str) -> KeySource:
        """Where a new key for this database goes: the first of the sources,
        the keyring not asked when a configured key file comes first (the
        SMTP form's line then loads no keyring library: 2 MiB and 55 ms,
        issue 26)."""
        return next(self._sources(database_id))

    def read(self, source: KeySource, database_id: str) -> list[bytes]:
        from fincon_tui.keystore import keyfile

        if source.kind == "key file":
            return keyfile.read(Path(source.where))
        text = self.keyring_get(f"key:{database_id}") or ""
        return keyfile.parse(text, f"keyring entry key:{database_id}")

    def update(self, source: KeySource, database_id: str, change: Callable[[list[bytes]], list[bytes]]) -> None:
        """Replace the keys in `source` by `change(keys)`, with nobody else's
        change in between (a key file may be shared by several databases)."""
        from fincon_tui.keystore import keyfile

        if source.kind == "key file":
            keyfile.update(Path(source.where), change)
            return
        # A keyring entry belongs to one database: no other database writes it.
        keys = change(self.read(source, database_id))
        if keys:
            self.keyring_set(f"key:{database_id}", keyfile.format_keys(keys))
        else:
            self.keyring_delete(f"key:{database_id}")

    def add(self, source: KeySource, database_id: str, key: bytes) -> None:
        """Put `key` first in `source`, keeping the keys already there."""
        self.update(source, database_id, lambda keys: [key, *(k for k in keys if k != key)])

    # -- finding keys -----------------------------------------------------------------

    def find(self, database_id: str, wanted: str) -> FoundKey:
        """The key with id `wanted`; KeyMissing says where it was looked for.
        The key files are read before the keyring is asked: an id names one
        key wherever it is, and a key in the default key file (a server with
        no keyring) then loads no keyring library either (2.8 MiB, 52 ms at
        the app's start; issue 26).  Where they do not hold it, every place
        is looked in, and named, in the sources' order."""
        from fincon_tui.keystore.cipher import key_id

        files: dict[KeySource, list[bytes] | KeyFileError] = {}  # each read once
        for source in self._key_files(database_id):
            try:
                files[source] = keys = self.read(source, database_id)
            except KeyFileError as error:
                files[source] = error  # told below, in its place
                continue
            for key in keys:
                if key_id(key) == wanted:
                    return FoundKey(key, source)
        problems: list[str] = []
        looked: list[str] = []  # every place, and what it holds instead
        unsafe: KeyFileError | None = None
        for source in self._sources(database_id):
            try:
                read = files.get(source)
                if isinstance(read, KeyFileError):
                    raise read
                keys = self.read(source, database_id) if read is None else read
            except KeyFileError as error:
                unsafe = unsafe or error
                continue
            except KeyringTimeout:
                continue  # the first cause, below
            except SecretStoreError as error:
                problems.append(str(error))
                looked.append(f"{source.describe()}: {error}")
                continue
            for key in keys:
                if key_id(key) == wanted:
                    return FoundKey(key, source)
            if keys:
                problems.append(f"{source.describe()} holds key {key_id(keys[0])}")
            held = ", ".join(key_id(k) for k in keys)
            looked.append(f"{source.describe()}, which holds {f'key {held}' if keys else 'none'}")
        if unsafe is not None:
            raise unsafe  # the file to mend, rather than a missing key
        detail = f" ({'; '.join(problems)})" if problems else ""
        if self._hung_cause:  # the key may well be in the keyring: say that first
            raise KeyringTimeout(f"{self._hung_cause}: key {wanted}, which the passwords of this database were "
                                 f"saved with, may be there; no other place holds it{detail} ({HOW_TO})")
        raise KeyMissing(wanted, this_host(), tuple(looked))

    def any_key(self, database_id: str) -> FoundKey | None:
        """The newest key in the first source that holds one: a database that
        has no key yet adopts it (several databases may share a key file)."""
        for source in self._sources(database_id):
            try:
                keys = self.read(source, database_id)
            except KeyringTimeout:
                continue  # a keyring that does not answer is left out from now on
            if keys:
                return FoundKey(keys[0], source)
        return None
