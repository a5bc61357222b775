"""sqlite3's errors turned into StorageError at the storage boundary.

Every public storage call that touches the database goes through
`translated` (reads) or `write_transaction` (writes), so the layers above
catch StorageError alone and never see sqlite3's classes.
"""

from __future__ import annotations

import functools
import inspect
import re
import sqlite3
from collections.abc import Callable, Iterator
from typing import ParamSpec, TypeVar

from fincon_tui._exceptions import DatabaseDamaged, RecordInUse, RuleRefused, StorageError
from fincon_tui.domain.visible import visible

P = ParamSpec("P")
T = TypeVar("T")

_DAMAGED = ("malformed", "not a database", "file is encrypted")
#: What a trigger of storage/constraints.py raises: 'table.field: what it takes'.
_RULE = re.compile(r"(smtp_settings|user_email_settings)(?:\.(\w+))?: (.+)")


def said(error: sqlite3.Error) -> str:
    """What SQLite reported, as one line of visible text: it may quote the
    file's own bytes (a damaged schema), line breaks and escapes included."""
    return visible(str(error))


def database_error(error: sqlite3.Error) -> StorageError:
    """The StorageError an admin reads for what SQLite reported."""
    text = said(error)
    if isinstance(error, sqlite3.IntegrityError) and (rule := _RULE.fullmatch(text)):
        return _refused(*rule.groups())
    lowered = text.lower()
    if any(word in lowered for word in _DAMAGED):
        return DatabaseDamaged(f"the database is damaged ({text}): restore it from a backup")
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


def translated(call: Callable[P, T]) -> Callable[P, T]:
    """`call` raising StorageError where SQLite raised sqlite3.Error; a
    generator's errors too, raised while it is iterated (Records.chunks)."""
    if inspect.isgeneratorfunction(call):
        return _translated_generator(call)  # type: ignore[return-value]  # T is the generator here; isgeneratorfunction does not narrow P/T

    @functools.wraps(call)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return call(*args, **kwargs)
        except sqlite3.Error as error:
            raise database_error(error) from error

    return wrapper


def _translated_generator(call: Callable[P, Iterator[T]]) -> Callable[P, Iterator[T]]:
    @functools.wraps(call)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Iterator[T]:
        try:
            yield from call(*args, **kwargs)
        except sqlite3.Error as error:
            raise database_error(error) from error

    return wrapper


def translate_methods(cls: type) -> None:
    """Every public method of `cls` raises StorageError, never sqlite3.Error."""
    for name, value in list(vars(cls).items()):
        if callable(value) and not name.startswith("_"):
            setattr(cls, name, translated(value))
