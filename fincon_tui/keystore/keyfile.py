"""Key files: a database's data keys in a small text file.

    # fincon-tui key file: keep it secret. One key per line, newest first.
    3f2a9c0d1e2b4a5f:qUq0...base64url...=

The same lines (without comments) are what the keyring entry holds.
A key file that every local account could read or write is refused; the
owner and a group may read it, as ssh allows for keys.
"""

from __future__ import annotations

import base64
import contextlib
import grp
import os
import stat
from pathlib import Path

from fincon_tui._exceptions import KeyFileError
from fincon_tui.keystore.cipher import KEY_BYTES, key_id

HEADER = "# fincon-tui key file: keep it secret. One key per line, newest first.\n"


def parse(text: str, where: str) -> list[bytes]:
    """The keys in key-file text, newest first; KeyFileError names a bad line."""
    keys = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, encoded = line.partition(":")
        try:
            key = base64.urlsafe_b64decode(encoded.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            key = b""
        if len(key) != KEY_BYTES or key_id(key) != name:
            raise KeyFileError(f"{where}, line {number}: not a fincon-tui key")
        keys.append(key)
    return keys


def format_keys(keys: list[bytes]) -> str:
    return "".join(f"{key_id(key)}:{base64.urlsafe_b64encode(key).decode()}\n" for key in keys)


def check_mode(path: Path, mode: int) -> None:
    """Refuse a key file that other local accounts can read or change."""
    if mode & 0o007:
        raise KeyFileError(
            f"key file {path} can be read by every local account (mode {stat.S_IMODE(mode):04o}): "
            f"run chmod 600 {path} (or chmod 640 to share it with a group)"
        )


def read(path: Path) -> list[bytes]:
    """The keys in the file at `path`; [] if there is no such file."""
    try:
        with open(path, "rb") as file:
            check_mode(path, os.fstat(file.fileno()).st_mode)
            data = file.read()
    except FileNotFoundError:
        return []
    except OSError as error:
        raise KeyFileError(f"cannot read key file {path}: {error.strerror}") from None
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise KeyFileError(f"{path} is not a fincon-tui key file") from None
    return parse(text, str(path))


def write(path: Path, keys: list[bytes], group: str | None = None) -> None:
    """Write `keys` atomically: a crash leaves the old file or the new one.

    A new file is 0600 (0640 with `group`); an existing one keeps its mode
    and group.  Its folder is created 0700 if missing."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    gid = -1
    try:
        current = path.stat()
        mode, gid = stat.S_IMODE(current.st_mode), current.st_gid
    except FileNotFoundError:
        mode = 0o640 if group else 0o600
    if group:
        try:
            gid = grp.getgrnam(group).gr_gid
        except KeyError:
            raise KeyFileError(f"there is no group {group}") from None
    check_mode(path, mode)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            if gid != -1:
                os.fchown(fd, -1, gid)
            os.fchmod(fd, mode)
            os.write(fd, (HEADER + format_keys(keys)).encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise KeyFileError(f"cannot write key file {path}: {error.strerror}") from None
    with contextlib.suppress(OSError):
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
