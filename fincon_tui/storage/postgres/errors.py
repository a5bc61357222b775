"""psycopg's errors turned into the _exceptions tree at the storage
boundary, as translate.py does for sqlite3's: every public method of the
PostgreSQL engine goes through `translated`, so no driver exception
reaches a caller.  A refusal by the database's own rules names the field
by its label, as on SQLite."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from fincon_tui._exceptions import ConnectionLost, RuleRefused, StorageError
from fincon_tui.domain.visible import visible

P = ParamSpec("P")
T = TypeVar("T")



def database_error(error: Exception) -> StorageError:
    """The StorageError an admin reads for what PostgreSQL reported."""
    import psycopg
    from psycopg import errors

    if isinstance(error, StorageError):
        return error
    from fincon_tui.storage.translate import rule_refusal

    text = said(error)
    if isinstance(error, psycopg.IntegrityError) and (refused := rule_refusal(text)):
        return refused  # a rule trigger's (rules.py) or smtp_settings_in_use's words, as on SQLite
    if isinstance(error, errors.CheckViolation | errors.NotNullViolation):
        return _refused(error, text)
    if isinstance(error, errors.LockNotAvailable):
        return StorageError(f"another admin's change held a row for too long ({text}): nothing was written; "
                            "try again")
    if isinstance(error, errors.InsufficientPrivilege):
        return StorageError(f"the database refused this account ({text}): see docs/postgresql.md for the roles")
    if isinstance(error, psycopg.OperationalError | psycopg.InterfaceError):
        return ConnectionLost(f"lost the connection to the database server ({text}): "
                            "is it running? the next action connects again")
    return StorageError(f"database error: {text}")


def _refused(error: Exception, text: str) -> StorageError:
    """A column's own CHECK (m001-m009) or NOT NULL refusal in the app's
    words ('Port refused by the database's rules (...)'), naming the field
    as the form does."""
    from fincon_tui.domain import smtp, users

    diag = getattr(error, "diag", None)
    table = getattr(diag, "table_name", None) or ""
    field = getattr(diag, "column_name", None) or _column_of(getattr(diag, "constraint_name", None) or "", table)
    labels = smtp.LABELS if table == "smtp_settings" else users.LABELS
    return RuleRefused(f"{labels.get(field, field) or table} refused by the database's rules ({text})", field)


def _column_of(constraint: str, table: str) -> str:
    """PostgreSQL names a column's CHECK '<table>_<column>_check'."""
    prefix, suffix = f"{table}_", "_check"
    if constraint.startswith(prefix) and constraint.endswith(suffix):
        return constraint[len(prefix):-len(suffix)]
    return ""


def said(error: Exception) -> str:
    """The server's message as one line of visible text (it may quote what
    was sent); its primary line alone, not the failing row's values."""
    diag = getattr(error, "diag", None)
    primary = getattr(diag, "message_primary", None) or str(error)
    lines = [line.strip() for line in primary.splitlines() if line.strip()]
    return visible("; ".join(lines)) or type(error).__name__


def translated(call: Callable[P, T]) -> Callable[P, T]:
    """`call` raising StorageError where psycopg raised its errors; a
    generator's errors too, raised while it is iterated (Records.chunks)."""
    import psycopg

    if inspect.isgeneratorfunction(call):
        @functools.wraps(call)
        def generator(*args: P.args, **kwargs: P.kwargs) -> Any:
            try:
                yield from call(*args, **kwargs)
            except psycopg.Error as error:
                raise database_error(error) from None

        return generator

    @functools.wraps(call)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return call(*args, **kwargs)
        except psycopg.Error as error:
            raise database_error(error) from None

    return wrapper


def translate_methods(cls: type) -> None:
    """Every public method of `cls` raises StorageError, never psycopg.Error."""
    for name, value in list(vars(cls).items()):
        if callable(value) and not name.startswith("_"):
            setattr(cls, name, translated(value))
