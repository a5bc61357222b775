"""The fincon-tui command line: options, database location, start-up errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fincon_tui import __version__
from fincon_tui.paths import database_path

BIN = Path(sys.executable).parent


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "fincon-tui"), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"fincon-tui {__version__}"


def test_python_dash_m_works_too() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "fincon_tui", "--version"], capture_output=True, text=True
    )
    assert result.stdout.strip() == f"fincon-tui {__version__}"


def test_help_names_the_options() -> None:
    result = run("--help")
    assert result.returncode == 0
    assert "--db PATH" in result.stdout and "FINCON_TUI_DB" in result.stdout


def test_db_option_wins_over_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FINCON_TUI_DB", str(tmp_path / "env.db"))
    assert database_path(str(tmp_path / "cli.db")) == tmp_path / "cli.db"
    assert database_path(None) == tmp_path / "env.db"


def test_default_is_in_the_user_data_folder(tmp_path: Path) -> None:
    path = database_path(None)
    assert path.name == "fincon.db" and path.parent.name == "fincon-tui"
    assert path.parent.is_dir() and str(path).startswith(str(tmp_path))  # XDG_DATA_HOME


def test_missing_folder_is_one_clear_line(tmp_path: Path) -> None:
    result = run("--db", str(tmp_path / "missing" / "fincon.db"))
    assert result.returncode == 2
    assert result.stderr.strip() == f"fincon-tui: the folder {tmp_path / 'missing'} does not exist"
    assert "Traceback" not in result.stderr


def test_not_a_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a database\n" * 100)
    result = run("--db", str(path))
    assert result.returncode == 2
    assert result.stderr.startswith(f"fincon-tui: cannot use {path} as a database")
    assert "Traceback" not in result.stderr
    assert path.read_text() == "not a database\n" * 100
