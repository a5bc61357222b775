"""The error tree: one module, every class in its drawing, and no sqlite3
error past the storage boundary."""

from __future__ import annotations

import inspect
import sqlite3

import pytest
from support import definition

from fincon_tui import _exceptions
from fincon_tui._exceptions import DatabaseDamaged, FinconError, StorageError
from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.services import work_lists
from fincon_tui.services.key_changes import rename
from fincon_tui.services.smtp_settings import SmtpSettings
from fincon_tui.storage.translate import database_error

CLASSES = [
    value for value in vars(_exceptions).values()
    if inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == _exceptions.__name__
]


def test_every_error_is_a_fincon_error_and_drawn_in_the_tree() -> None:
    drawing = _exceptions.__doc__ or ""
    assert len(CLASSES) >= 20
    for cls in CLASSES:
        assert issubclass(cls, FinconError), cls
        line = next(line for line in drawing.splitlines() if f" {cls.__name__} " in f"{line} ")
        parent = cls.__mro__[1].__name__
        above = drawing[: drawing.index(line)]
        assert cls is FinconError or parent in above, (cls, parent)


def test_no_other_module_defines_an_exception() -> None:
    import pkgutil

    import fincon_tui

    defined = []
    for info in pkgutil.walk_packages(fincon_tui.__path__, "fincon_tui."):
        if info.name.endswith(("_main", "__main__")) or ".ui" in info.name:
            continue
        module = __import__(info.name, fromlist=["*"])
        if module is _exceptions:
            continue
        defined += [
            f"{info.name}.{name}" for name, value in vars(module).items()
            if inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == info.name
        ]
    assert defined == []


def test_the_error_module_imports_nothing_of_fincon_tui_at_run_time() -> None:
    import subprocess
    import sys

    code = "import sys, fincon_tui._exceptions; print(sorted(m for m in sys.modules if m.startswith('fincon_tui.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['fincon_tui._exceptions']"


@pytest.mark.parametrize(
    ("raised", "kind", "words"),
    [
        (sqlite3.OperationalError("attempt to write a readonly database"), StorageError, "read-only for this account"),
        (sqlite3.OperationalError("database is locked"), StorageError, "try again"),
        (sqlite3.OperationalError("no such table: x\x1b[2J"), StorageError, "no such table: x"),
    ],
)
def test_sqlite_errors_read_as_storage_errors(raised, kind, words) -> None:
    error = database_error(raised)
    assert type(error) is kind and words in str(error) and "\x1b" not in str(error)


def test_sqlites_damage_reads_as_damage_by_its_code_naming_the_file(tmp_path) -> None:
    """SQLite's own error (SQLITE_NOTADB here), not its words: the one
    damage message, naming the file when it is known."""
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4080)
    with pytest.raises(sqlite3.DatabaseError) as raised:
        sqlite3.connect(garbage).execute("SELECT * FROM sqlite_master").fetchall()
    assert raised.value.sqlite_errorcode == sqlite3.SQLITE_NOTADB
    error = database_error(raised.value, garbage)
    assert type(error) is DatabaseDamaged
    assert str(error) == (f"the database {garbage} is damaged (file is not a database): restore it from a backup")
    assert str(database_error(raised.value)).startswith("the database is damaged (file is not a database)")


def test_reads_and_writes_on_a_dead_connection_raise_storage_errors(store, db, vault) -> None:
    service = SmtpSettings(store, vault)
    service.save(definition(name="OFFICE"), PasswordChange.keep(), None)
    loaded = service.load("OFFICE")
    assert loaded is not None
    db.conn.close()
    calls = [  # the screens catch StorageError only: each of their calls is here
        lambda: store.smtp.get("OFFICE"),
        lambda: work_lists.definitions(service, "", 5),
        lambda: service.delete("OFFICE", loaded.stored),
        lambda: rename(service, "OFFICE", loaded.stored, "NEW"),
        lambda: store.smtp.search("O", 5),
        lambda: service.load("OFFICE"),
        lambda: store.audit.history(store.smtp.kind, loaded.stored.row_id),
        lambda: store.secrets.all_sealed(),
        lambda: store.info.key_id(),
        lambda: store.transaction().__enter__(),
        lambda: store.read().__enter__(),
    ]
    for call in calls:
        with pytest.raises(StorageError):
            call()
