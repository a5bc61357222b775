"""Which states of which SQLite files this OS user's fincon-tui found
intact, so that `PRAGMA quick_check`, which reads the whole file (55-100
ms for 10 MB, more than a bare query of 20,000 rows), runs once per state
of a file instead of at every open (storage/database.py; issue 26).

A state is the stat of the database file and of its -wal file (device,
inode, size, modification and change time, in ns; an empty or missing
-wal is none): any write by anyone (SQLite's own, a copy, a restore from
backup, a replace, damage written in place) changes it, so the check
runs again.  The change time cannot be set back (`os.utime` sets the
modification time, and the change time to now).  SQLite's own header
counter (bytes 24-27) adds nothing: it moves only with SQLite's writes,
and in WAL mode not at each commit.

The states are kept in one small JSON file in the user's cache folder,
0600, written whole and renamed into place.  One that is broken, not this
user's, writable by others or a symbolic link is not read (another
account could name its damage intact there); one that cannot be written
(a read-only home) is not written: the check then runs at every open.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

#: The cache file's name in the user's cache folder, and its format's version.
CACHE_NAME = "intact.json"
VERSION = 1
#: How many files' states are kept (the most recently checked).
KEPT = 32
#: A cache file larger than this is not read.
MOST_BYTES = 64 * 1024

State = list[int]


def state(path: Path) -> State | None:
    """The file's state now, None if it cannot be told (no such file)."""
    try:
        db = os.stat(path)
    except OSError:
        return None
    try:
        wal: os.stat_result | None = os.stat(f"{path}-wal")
    except FileNotFoundError:
        wal = None
    except OSError:
        return None
    return [*_stat(db), *(_stat(wal) if wal is not None and wal.st_size else [])]


def known_intact(path: Path, now: State) -> bool:
    """A check found the file at `path` intact in the state `now`."""
    return _read().get(_key(path)) == now


def remember_intact(path: Path, checked: State) -> None:
    """The check found the file at `path` intact in the state `checked`;
    nothing happens if the cache cannot be written."""
    files = _read()
    files.pop(_key(path), None)
    files[_key(path)] = checked
    kept = dict(list(files.items())[-KEPT:])
    try:
        _write({"version": VERSION, "files": kept})
    except OSError:
        pass


def cache_file() -> Path:
    """Where the states are kept: the user's cache folder (XDG_CACHE_HOME)."""
    from platformdirs import user_cache_path

    return user_cache_path("fincon-tui", appauthor=False) / CACHE_NAME


def _stat(info: os.stat_result) -> State:
    return [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns]


def _key(path: Path) -> str:
    return os.path.realpath(path)


def _read() -> dict[str, State]:
    """The states kept, {} if there is no cache file or one not to trust."""
    try:
        fd = os.open(cache_file(), os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return {}
    try:
        info = os.fstat(fd)
        if info.st_uid != os.geteuid() or info.st_mode & 0o022 or info.st_size > MOST_BYTES:
            return {}
        kept = json.loads(os.read(fd, MOST_BYTES))
    except (OSError, ValueError):
        return {}
    finally:
        os.close(fd)
    files = kept.get("files") if isinstance(kept, dict) and kept.get("version") == VERSION else None
    if not isinstance(files, dict):
        return {}
    return {key: value for key, value in files.items()
            if isinstance(value, list) and all(type(number) is int for number in value)}


def _write(kept: dict[str, object]) -> None:
    """The cache file written whole beside itself, 0600, then renamed into
    place: a reader sees the old file or the new one, never half."""
    from fincon_tui.folders import private_folder

    target = cache_file()
    private_folder(target.parent)
    part = target.with_name(f".{CACHE_NAME}.{os.getpid()}.{os.urandom(4).hex()}")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(kept, out)
        os.replace(part, target)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
