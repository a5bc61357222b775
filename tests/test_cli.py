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


def without_root_powers() -> None:
    """In the child, as root: drop the capabilities that let root ignore file
    permissions (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2, 3):
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def run_unprivileged(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "fincon-tui"), *args], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        preexec_fn=without_root_powers if os.geteuid() == 0 else None,
    )


@pytest.fixture
def shared_folder(tmp_path: Path):
    folder = tmp_path / "data"
    folder.mkdir()
    yield folder
    folder.chmod(0o755)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir()}


@pytest.mark.parametrize(
    ("file_mode", "folder_mode", "message"),
    [
        (0o444, 0o777, "is read-only for you: fincon-tui saves to it"),
        (0o666, 0o555, "cannot write in the folder"),
        (None, 0o555, "cannot write in the folder"),
    ],
    ids=["read-only-database", "read-only-folder", "new-database-in-read-only-folder"],
)
def test_a_database_it_cannot_write_is_refused_untouched(shared_folder, file_mode, folder_mode, message):
    from fincon_tui.storage.store import open_store

    path = shared_folder / "fincon.db"
    if file_mode is not None:
        open_store(path).close()
        path.chmod(file_mode)
    shared_folder.chmod(folder_mode)
    before = snapshot(shared_folder)
    result = run_unprivileged("--db", str(path))
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert result.stderr.startswith(f"fincon-tui: {path}" if file_mode == 0o444 else "fincon-tui: cannot write")
    assert "Traceback" not in result.stderr
    assert snapshot(shared_folder) == before


@pytest.mark.parametrize(
    ("file_mode", "folder_mode", "status", "message"),
    [
        (0o444, 0o777, 0, ""),
        (0o666, 0o555, 2, "cannot write in the folder"),
        (None, 0o755, 2, "there is no database at"),
    ],
    ids=["read-only-database", "read-only-folder", "no-database"],
)
def test_reading_commands_change_no_database(shared_folder, file_mode, folder_mode, status, message):
    from fincon_tui.storage.store import open_store

    path = shared_folder / "fincon.db"
    if file_mode is not None:
        open_store(path).close()
        path.chmod(file_mode)
    shared_folder.chmod(folder_mode)
    before = path.read_bytes() if path.exists() else None
    for command in (["smtp", "list"], ["key", "status"]):
        result = run_unprivileged("--db", str(path), *command)
        assert result.returncode == status, result.stderr
        assert message in result.stderr and "Traceback" not in result.stderr
        assert (path.read_bytes() if path.exists() else None) == before


#: Words for the arguments each command needs (by its last word), to run it where there is no database.
NEEDED = {"show": ["X"], "test": ["X"], "send-test": ["X", "--to", "ann@example.com"], "sign-in": ["X"], "set": ["X"],
          "delete": ["X"], "copy": ["X", "Y"], "rename": ["X", "Y"], "import": ["none.json"],
          "create-file": ["k.key"], "move-to-file": ["k.key"]}


def test_exactly_the_commands_that_only_read_create_no_database(tmp_path: Path, monkeypatch, capsys) -> None:
    """Each command of the parser, in this process, where there is no
    database: those that only read leave none behind, every other one
    creates it (import --dry-run: test_cli_transfer)."""
    from test_cli_wording import leaf_commands

    from fincon_tui.cli.entry import main
    from fincon_tui.storage.store import open_store

    monkeypatch.chdir(tmp_path)
    open_store(tmp_path / "source.db").close()  # db copy's SOURCE: a refused copy removes the TARGET it made
    created = set()
    for command in leaf_commands():
        path = tmp_path / f"{command.replace(' ', '-')}.db"
        words = command.split()
        given = ["source.db", str(path)] if command == "db copy" else NEEDED.get(words[-1], [])  # TARGET: its database
        main(["--db", str(path), *words, *given])
        if path.exists():
            created.add(command)
    assert set(leaf_commands()) - created == {
        "smtp list", "smtp show", "smtp test", "smtp send-test", "user list", "user show", "check", "key status",
        "export", "db status",
    }
    assert "Traceback" not in capsys.readouterr().err
