"""Key files: a database's data keys in a small text file.

    # fincon-tui key file: keep it secret. One key per line, newest first.
    3f2a9c0d1e2b4a5f:qUq0...base64url...=

The same lines (without comments) are what the keyring entry holds.
A key file that every local account could read or write is refused; the
owner and a group may read it, as ssh allows for keys.

One key file may hold the keys of several databases, written by several
processes at once: `update` is the only writer.  It writes through a
symlink to the real file, holds an exclusive lock on it while it reads,
changes and replaces it, and replaces it whole (a new file beside it,
renamed over it), keeping its group and mode (and, as root, its owner).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import grp
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

from fincon_tui._exceptions import KeyFileError
from fincon_tui.folders import private_folder
from fincon_tui.keystore.cipher import KEY_BYTES, key_id

HEADER = "# fincon-tui key file: keep it secret. One key per line, newest first.\n"
#: How the name of a key file's temporary copy ends: .<name>.<pid>.tmp
COPY_SUFFIX = ".tmp"


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
    return parse(_text(data, path), str(path))


def update(path: Path, change: Callable[[list[bytes]], list[bytes]], group: str | None = None) -> list[bytes]:
    """Replace the keys in the file at `path` by `change(keys)`, with no
    other writer in between; return what was written.  An empty result
    removes the file.

    A new file is 0600 (0640 with `group`); an existing one keeps its mode
    and group (`group` sets it), its owner too when root writes it.  A
    crash leaves the old file or the new one; a copy left half-written by
    a killed process is removed here, under the lock."""
    real = Path(os.path.realpath(path))
    gid = _group_id(group)
    if not real.exists() and not change([]):
        return []  # nothing to remove
    try:
        private_folder(real.parent)
        with _locked(real, gid) as fd:
            held = os.fstat(fd)
            check_mode(real, held.st_mode)
            with open(fd, "rb", closefd=False) as file:
                keys = change(parse(_text(file.read(), real), str(real)))
            _remove_copies(real)
            if keys:
                _replace(real, keys, held, gid)
            else:
                real.unlink()
            _sync_folder(real.parent)
    except OSError as error:
        raise KeyFileError(f"cannot write key file {real}: {error.strerror}") from None
    return keys


def _text(data: bytes, path: Path) -> str:
    try:
        return data.decode("ascii")
    except UnicodeDecodeError:
        raise KeyFileError(f"{path} is not a fincon-tui key file") from None


def _group_id(group: str | None) -> int | None:
    if group is None:
        return None
    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        raise KeyFileError(f"there is no group {group}") from None


@contextlib.contextmanager
def _locked(real: Path, gid: int | None) -> Iterator[int]:
    """An open descriptor of the key file, exclusively locked.  The lock is
    on the file itself (no lock file to share out); a writer replaces the
    file, so one that waited locks again until what it holds is the file
    at `real`.  A missing file is created empty first, to be locked."""
    while True:
        try:
            fd = _open(real)
        except FileNotFoundError:
            _create_empty(real, gid)
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            held, now = os.fstat(fd), _stat(real)
            if now is not None and (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino):
                yield fd
                return
        finally:
            os.close(fd)  # the lock goes with it


def _open(real: Path) -> int:
    """For writing where this account may (an exclusive lock on NFS needs
    it); a group member who may only read the file locks it read-only."""
    try:
        return os.open(real, os.O_RDWR)
    except PermissionError:
        return os.open(real, os.O_RDONLY)


def _stat(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None


def _create_empty(real: Path, gid: int | None) -> None:
    try:
        fd = os.open(real, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process made it first: lock that one
    except PermissionError:
        raise _folder_refused(real) from None
    try:
        if gid is not None:
            _set_group(fd, real, -1, gid)
            os.fchmod(fd, 0o640)
    except BaseException:
        with contextlib.suppress(OSError):
            real.unlink()
        raise
    finally:
        os.close(fd)


def _replace(real: Path, keys: list[bytes], held: os.stat_result, gid: int | None) -> None:
    """Write `keys` to a new file beside `real` with its owner, group and
    mode, and rename it over `real`."""
    temporary = real.with_name(f".{real.name}.{os.getpid()}{COPY_SUFFIX}")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except PermissionError:
        raise _folder_refused(real) from None
    try:
        with open(fd, "wb") as file:
            # The group stays (or becomes `gid`); root keeps the owner too,
            # and any other account owns what it writes.
            _set_group(file.fileno(), real, held.st_uid if os.geteuid() == 0 else -1,
                       held.st_gid if gid is None else gid)
            os.fchmod(file.fileno(), stat.S_IMODE(held.st_mode))
            file.write((HEADER + format_keys(keys)).encode("ascii"))
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, real)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def _set_group(fd: int, real: Path, uid: int, gid: int) -> None:
    try:
        os.fchown(fd, uid, gid)
    except PermissionError:
        try:
            name = grp.getgrgid(gid).gr_name
        except KeyError:
            name = str(gid)
        raise KeyFileError(
            f"cannot write key file {real} for group {name}: this account is not in that group "
            f"(after usermod -aG {name}, log in again)"
        ) from None


def _folder_refused(real: Path) -> KeyFileError:
    return KeyFileError(
        f"cannot write key file {real}: this account may not create files in {real.parent}, and a key "
        "file is only ever replaced whole (rewritten in place, a crash would lose its keys): keep it in a "
        "folder its group can write (install -d -m 2770 -g GROUP FOLDER)"
    )


def _remove_copies(real: Path) -> None:
    """Remove the half-written copies of killed writers: only the holder of
    the lock makes one, so under the lock every copy is stale."""
    prefix = f".{real.name}."
    with contextlib.suppress(OSError), os.scandir(real.parent) as entries:
        for entry in entries:
            middle = entry.name[len(prefix):-len(COPY_SUFFIX)]
            if entry.name.startswith(prefix) and entry.name.endswith(COPY_SUFFIX) and middle.isdigit():
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
