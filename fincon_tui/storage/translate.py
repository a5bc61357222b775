"""sqlite3's errors turned into StorageError at the storage boundary.

Every public storage call that touches the database goes through
`translated` (reads) or `write_transaction` (writes), so the layers above
catch StorageError alone and never see sqlite3's classes.  Damage is one
message wherever SQLite finds it (the open's check, any read, a write):
`damaged`, naming the file.
"""

from __future__ import annotations

import functools
import inspect
import re
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ParamSpec, TypeVar

from fincon_tui._exceptions import DatabaseDamaged, RecordInUse, RuleRefused, StorageError
from fincon_tui.domain.visible import visible
from fincon_tui.storage.connection import Connection

P = ParamSpec("P")
T = TypeVar("T")

#: SQLite's result codes that mean the file is damaged or no database
#: (the primary code: SQLITE_CORRUPT covers its extended codes _VTAB,
#: _SEQUENCE and _INDEX), and the extended I/O code of a damaged file system.
_DAMAGE_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
_DAMAGE_EXTENDED = frozenset({sqlite3.SQLITE_IOERR_CORRUPTFS})
#: What a trigger of storage/constraints.py raises: 'table.field: what it takes'.
_RULE = re.compile(r"(smtp_settings|user_email_settings)(?:\.(\w+))?: (.+)")


def said(error: sqlite3.Error) -> str:
    """What SQLite reported, as one line of visible text: it may quote the
    file's own bytes (a damaged schema), line breaks and escapes included."""
    return visible(str(error))


def is_damage(error: sqlite3.Error) -> bool:
    """SQLite found the file damaged, or no database (by its result code)."""
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and ((code & 0xFF) in _DAMAGE_CODES or code in _DAMAGE_EXTENDED)


def damaged(file: str | Path | None, what: str) -> DatabaseDamaged:
    """The one message of a damaged database, `what` being what SQLite said
    (its error, or what its integrity check found)."""
    named = f"the database {file}" if file is not None else "the database"
    return DatabaseDamaged(f"{named} is damaged ({what}): restore it from a backup")


def database_error(error: sqlite3.Error, file: str | Path | None = None) -> StorageError:
    """The StorageError an admin reads for what SQLite reported on the
    database in `file` (None: in memory, or not known)."""
    text = said(error)
    if isinstance(error, sqlite3.IntegrityError) and (rule := _RULE.fullmatch(text)):
        return _refused(*rule.groups())
    if is_damage(error):
        return damaged(file, text)
    lowered = text.lower()
    if "readonly" in lowered or "read-only" in lowered:
        return StorageError(f"the database file is read-only for this account ({text}): nothing was written")
    if "locked" in lowered or "busy" in lowered:
        return StorageError(f"another program holds the database locked ({text}): try again")
    if "disk" in lowered or "full" in lowered:
        return StorageError(f"the database could not be written ({text}): check the disk")
    return StorageError(f"database error: {text}")


def rule_refusal(text: str) -> StorageError | None:
    """What a rule trigger said ('table.field: what it takes'), on either
    engine, in the app's words; None if `text` is something else."""
    rule = _RULE.fullmatch(text)
    return _refused(*rule.groups()) if rule else None


def _refused(table: str, field: str | None, message: str) -> StorageError:
    """A trigger's refusal in the app's words, naming the field by its label."""
    if field is None:  # smtp_settings_in_use, the one trigger of a whole row
        return RecordInUse("users are linked to it: link them to another definition first")
    from fincon_tui.domain import smtp, users

    labels = smtp.LABELS if table == "smtp_settings" else users.LABELS
    return RuleRefused(f"{labels.get(field, field)} refused by the database's rules "
                       f"({message.replace('NULL or ', 'empty or ')})", field)


def translated(call: Callable[P, T], file: str | None = None) -> Callable[P, T]:
    """`call` raising StorageError where SQLite raised sqlite3.Error; a
    generator's errors too, raised while it is iterated (Records.chunks).
    Damage names the file of the connection `call` works on (see
    `_file_of`), else `file`."""
    if inspect.isgeneratorfunction(call):
        return _translated_generator(call)  # type: ignore[return-value]  # T is the generator here; isgeneratorfunction does not narrow P/T

    @functools.wraps(call)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return call(*args, **kwargs)
        except sqlite3.Error as error:
            raise database_error(error, _file_of(call, args) or file) from error

    return wrapper


def _translated_generator(call: Callable[P, Iterator[T]]) -> Callable[P, Iterator[T]]:
    @functools.wraps(call)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Iterator[T]:
        try:
            yield from call(*args, **kwargs)
        except sqlite3.Error as error:
            raise database_error(error, _file_of(call, args)) from error

    return wrapper


def _file_of(call: Callable[..., object], args: tuple[object, ...]) -> str | None:
    """The file of the connection a translated call works on: a
    Connection's own method, a function given the Connection first
    (secret_rows), or a method of an object that keeps it as `db` (every
    repository and adapter)."""
    for holder in (getattr(call, "__self__", None), *args[:1]):
        db = holder if isinstance(holder, Connection) else getattr(holder, "db", None)
        if isinstance(db, Connection):
            return db.file
    return None


def translate_methods(cls: type) -> None:
    """Every public method of `cls` raises StorageError, never sqlite3.Error."""
    for name, value in list(vars(cls).items()):
        if callable(value) and not name.startswith("_"):
            setattr(cls, name, translated(value))
