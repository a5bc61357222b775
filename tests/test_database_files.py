"""The file at --db: damaged, another program's, replaced while open."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest
from cli_runner import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import definition, open_form, unwritable

from fincon_tui._exceptions import FileReplaced
from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.keystore.vault import PasswordVault
from fincon_tui.services.smtp_settings import SmtpSettings
from fincon_tui.storage import intact
from fincon_tui.storage.store import open_store


def run(*args: str) -> subprocess.CompletedProcess:
    return run_cli(list(args))


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> Path:
    """A database with enough rows to span many pages."""
    path = tmp_path_factory.mktemp("filled") / "fincon.db"
    store = open_store(path)
    service = SmtpSettings(store, PasswordVault())
    for n in range(150):
        service.save(definition(name=f"DEF{n:03}", mail_server=f"smtp{n}.example.com"), PasswordChange.keep(), None)
    store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path


@pytest.mark.slow  # random damage, a sweep: the named kinds of damage above run in make test
@given(offset=st.floats(0.05, 0.95), size=st.sampled_from([512, 4096]), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_random_bytes_in_the_file_give_one_line_and_status_2(
    filled, tmp_path, offset: float, size: int, seed: int
) -> None:
    """The damage comes from `seed`, so that a failing example can be replayed."""
    damaged = tmp_path / f"damaged-{offset:.3f}-{size}.db"
    shutil.copy(filled, damaged)
    data = bytearray(damaged.read_bytes())
    start = int(len(data) * offset)
    data[start:start + size] = random.Random(seed).randbytes(min(size, len(data) - start))
    damaged.write_bytes(bytes(data))
    for args in (["smtp", "list"], ["smtp", "list", "--json"], ["smtp", "show", "DEF010"], ["key", "status"]):
        result = run("--db", str(damaged), *args)
        assert "Traceback" not in result.stderr, result.stderr
        if result.returncode != 0:  # the bytes may have hit free space: then it reads fine
            assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
            assert str(damaged) in result.stderr


def test_sqlites_quote_of_a_damaged_schema_is_one_visible_line(filled, tmp_path) -> None:
    """SQLite quotes the damaged schema text in its error, line breaks and
    escapes included (seen in CI with random damage): the admin reads one
    line, the control characters shown, never sent to the terminal."""
    import sqlite3

    damaged = tmp_path / "damaged.db"
    shutil.copy(filled, damaged)
    conn = sqlite3.connect(damaged)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("""UPDATE sqlite_master SET sql = 'CREATE TRIGGER t "' || char(10) || char(27) || '[2J'
                    WHERE name = 'user_email_settings_rules_update'""")
    conn.commit()
    conn.close()
    result = run("--db", str(damaged), "smtp", "list")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "\x1b" not in result.stderr, result.stderr
    assert "unrecognized token" in result.stderr and "\\x0a" in result.stderr and "\\x1b" in result.stderr


def test_a_damaged_schema_sqlite_cannot_quote_as_text_is_named_as_damage(filled, tmp_path) -> None:
    """sqlite3 cannot decode SQLite's error when it quotes schema bytes
    that are not UTF-8 (seen with random damage)."""
    damaged = tmp_path / "damaged.db"
    shutil.copy(filled, damaged)
    conn = sqlite3.connect(damaged)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("""UPDATE sqlite_master SET sql = 'CREATE TRIGGER t "' || CAST(x'98ff' AS TEXT)
                    WHERE name = 'user_email_settings_rules_update'""")
    conn.commit()
    conn.close()
    result = run("--db", str(damaged), "smtp", "list")
    assert result.returncode == 2
    assert result.stderr == (f"fincon-tui: the database {damaged} is damaged (SQLite's report of it is not UTF-8 "
                             "text): restore it from a backup\n")


def test_a_damaged_database_is_named_as_damage_at_start(filled, tmp_path) -> None:
    damaged = tmp_path / "damaged.db"
    shutil.copy(filled, damaged)
    data = bytearray(damaged.read_bytes())
    data[4096 * 2:4096 * 3] = b"\xff" * 4096  # a whole b-tree page
    damaged.write_bytes(bytes(data))
    result = run("--db", str(damaged), "smtp", "list")
    assert result.returncode == 2
    assert result.stderr.startswith(f"fincon-tui: the database {damaged} is damaged (")
    assert result.stderr.rstrip().endswith("restore it from a backup")


@pytest.fixture
def statements(monkeypatch) -> list[str]:
    """Every statement SQLite runs on the connections opened meanwhile, as
    its trace callback sees them."""
    seen: list[str] = []
    connect = sqlite3.connect

    def traced(*args, **kwargs) -> sqlite3.Connection:
        conn = connect(*args, **kwargs)
        conn.set_trace_callback(seen.append)
        return conn

    monkeypatch.setattr(sqlite3, "connect", traced)
    return seen


def checks_at_open(path: Path, statements: list[str]) -> int:
    """How many integrity checks an open (read-only, as `smtp list`) of the store at `path` ran."""
    before = len(statements)
    open_store(path, writable=False).close()
    return sum("quick_check" in statement for statement in statements[before:])


def test_the_whole_file_is_checked_once_per_state(filled, tmp_path, statements) -> None:
    """The check reads the whole file: it runs for a file in a state not
    seen intact yet (a copy, written since), not again for an unchanged one."""
    path = tmp_path / "fincon.db"
    shutil.copy(filled, path)
    assert checks_at_open(path, statements) == 1
    assert checks_at_open(path, statements) == 0
    store = open_store(path)
    SmtpSettings(store, PasswordVault()).save(definition(name="NEW"), PasswordChange.keep(), None)
    store.close()
    assert checks_at_open(path, statements) == 1
    assert checks_at_open(path, statements) == 0
    shutil.copy(filled, path)  # a restore from backup, written over the file
    assert checks_at_open(path, statements) == 1
    cache = intact.cache_file()
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600 and stat.S_IMODE(cache.parent.stat().st_mode) == 0o700


def damage_in_place(path: Path, table: str = "smtp_settings") -> None:
    """Overwrite the root page of `table` in the file itself (same inode, same size)."""
    with sqlite3.connect(path) as conn:
        (page_size,) = conn.execute("PRAGMA page_size").fetchone()
        (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", [table]).fetchone()
    conn.close()
    with path.open("r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(b"\xff" * page_size)


def test_damage_written_in_place_after_a_check_is_named_at_the_next_open(filled, tmp_path, statements) -> None:
    path = tmp_path / "fincon.db"
    shutil.copy(filled, path)
    assert run("--db", str(path), "smtp", "list").returncode == 0
    before = path.stat()
    damage_in_place(path)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # the times set back: same size, same mtime
    assert path.stat().st_size == before.st_size
    result = run("--db", str(path), "smtp", "list")
    assert any("quick_check" in statement for statement in statements[-20:])  # the change time moved
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"fincon-tui: the database {path} is damaged (")
    assert result.stderr.rstrip().endswith("restore it from a backup")


def test_damage_the_check_did_not_see_is_named_by_the_read_that_meets_it(filled, tmp_path, statements) -> None:
    """Were the state of a damaged file remembered as intact (its change
    time forged), the read that meets the damage names it in the same words."""
    path = tmp_path / "fincon.db"
    shutil.copy(filled, path)
    damage_in_place(path)
    now = intact.state(path)
    assert now is not None
    intact.remember_intact(path, now)
    for args in (["smtp", "list"], ["smtp", "list", "--json"], ["smtp", "show", "DEF010"]):
        result = run("--db", str(path), *args)
        assert not any("quick_check" in statement for statement in statements)
        assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
        assert result.stderr == (f"fincon-tui: the database {path} is damaged (database disk image is malformed): "
                                 "restore it from a backup\n")


def test_a_cache_that_cannot_be_written_leaves_every_command_working(filled, tmp_path, statements) -> None:
    """A read-only cache folder (or home): the check runs at every open."""
    path = tmp_path / "fincon.db"
    shutil.copy(filled, path)
    folder = intact.cache_file().parent
    folder.mkdir(parents=True)
    with unwritable(folder):
        for args in (["smtp", "list"], ["smtp", "list"], ["key", "status"], ["smtp", "set", "NEW", "--mail-server",
                                                                             "smtp.example.com"]):
            result = run("--db", str(path), *args)
            assert result.returncode == 0 and result.stderr == "", result.stderr
        assert sum("quick_check" in statement for statement in statements) == 4
        assert os.listdir(folder) == []


@pytest.mark.parametrize("cache", [b"{not json", b'{"version": 1, "files": []}', b"[1, 2]", b"\xff" * 10])
def test_a_broken_cache_is_ignored_and_replaced(filled, tmp_path, statements, cache: bytes) -> None:
    path = tmp_path / "fincon.db"
    shutil.copy(filled, path)
    intact.cache_file().parent.mkdir(parents=True)
    intact.cache_file().write_bytes(cache)
    assert checks_at_open(path, statements) == 1
    assert checks_at_open(path, statements) == 0


def test_a_cache_others_may_write_is_not_believed(filled, tmp_path, statements) -> None:
    """Another account that could write the cache could name its damage intact there."""
    path = tmp_path / "fincon.db"
    shutil.copy(filled, path)
    assert checks_at_open(path, statements) == 1
    intact.cache_file().chmod(0o666)
    assert checks_at_open(path, statements) == 1
    assert stat.S_IMODE(intact.cache_file().stat().st_mode) == 0o600  # written again, as its own
    assert checks_at_open(path, statements) == 0


def test_another_programs_database_is_refused_untouched(tmp_path) -> None:
    (tmp_path / "other").mkdir()
    accounting = tmp_path / "other" / "accounting.db"
    with sqlite3.connect(accounting) as conn:
        conn.execute("CREATE TABLE ledger (id INTEGER PRIMARY KEY, amount REAL)")
        conn.execute("INSERT INTO ledger (amount) VALUES (12.5)")
    before = accounting.read_bytes()
    for args in (["smtp", "list"], ["key", "status"], []):
        result = run("--db", str(accounting), *args)
        assert result.returncode == 2 and "another program's SQLite database" in result.stderr, result.stderr
        assert result.stderr.count("\n") == 1
    assert accounting.read_bytes() == before
    assert sorted(p.name for p in accounting.parent.iterdir()) == ["accounting.db"]
    adopted = run("--db", str(accounting), "init")
    assert adopted.returncode == 0, adopted.stderr
    assert run("--db", str(accounting), "smtp", "list").returncode == 0


async def test_a_file_replaced_under_the_app_is_not_saved_into(store, db, db_path, tmp_path) -> None:
    from fincon_tui.ui.app import FinconApp

    SmtpSettings(store, PasswordVault()).save(definition(name="OFFICE"), PasswordChange.keep(), None)
    backup = tmp_path / "backup.db"
    with sqlite3.connect(backup) as copy:
        db.conn.backup(copy)
    app = FinconApp(store, PasswordVault(), cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_form(pilot, 1, key="office")
        os.replace(backup, db_path)  # a restore from backup while the form is open
        await pilot.press("tab", "tab", "tab", "tab", *"2525", "f10")
        message = app.screen.message.text
        assert "was replaced or removed since fincon-tui opened it" in message and "nothing was saved" in message
        assert app.screen.field("port").value == "2525"
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT port FROM smtp_settings").fetchone() == (587,)


def test_a_service_refuses_to_write_into_a_replaced_file(store, db_path) -> None:
    service = SmtpSettings(store, PasswordVault())
    db_path.rename(db_path.with_suffix(".moved"))
    with pytest.raises(FileReplaced):
        service.save(definition(name="OFFICE"), PasswordChange.keep(), None)


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    os.mkfifo(tmp_path / "pipe")
    return tmp_path / "pipe"


@pytest.mark.parametrize(
    ("where", "what"),
    [("/dev/null", "a character device"), ("folder", "a folder"), ("fifo", "a named pipe (FIFO)")],
)
def test_a_path_that_is_no_regular_file_is_named_for_what_it_is(request, tmp_path, where, what) -> None:
    """--db /dev/null was 'written by an older fincon-tui'; a FIFO was opened
    and read, waiting for a writer that never comes."""
    path = request.getfixturevalue("fifo") if where == "fifo" else tmp_path if where == "folder" else Path(where)
    # One check serves them all: each way in for the device, one for the others ([] is the app's start).
    for command in (["smtp", "list"], ["init"], []) if where == "/dev/null" else (["smtp", "delete", "X"],):
        result = run("--db", str(path), *command)
        assert (result.returncode, result.stderr) == (2, f"fincon-tui: {path} is {what}, not a database file\n")
    assert not any(Path(f"{path}{end}").exists() for end in ("-wal", "-shm", "-journal"))


def test_an_unreadable_database_is_named_without_a_traceback(tmp_path: Path) -> None:
    from test_cli import run_unprivileged

    path = tmp_path / "fincon.db"
    open_store(path).close()
    path.chmod(0)
    for command in (["smtp", "list"], ["smtp", "delete", "X"]):
        result = run_unprivileged("--db", str(path), *command)
        assert (result.returncode, result.stderr) == (
            2, f"fincon-tui: {path} is not readable for you (get read access or use --db)\n")


@pytest.fixture
def immutable(tmp_path: Path):
    """Makes paths immutable (chattr +i: even root cannot write them or
    create files in them, as on a read-only mount); undone at the end."""
    made: list[Path] = []

    def make(path: Path) -> None:
        if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
            pytest.skip("chattr +i does not work here (file system, or no CAP_LINUX_IMMUTABLE)")
        made.append(path)

    yield make
    for path in made:
        subprocess.run(["chattr", "-i", str(path)], check=True)


@pytest.mark.parametrize(
    ("file_too", "message"),
    [(False, "cannot write in the folder {folder}: reading fincon.db needs its -shm file there"),
     (True, "{path} is read-only for you, and so is its folder: reading it needs its -shm file there")],
    ids=["folder", "folder-and-file"])
def test_reads_on_a_read_only_folder_say_so_as_saves_do(tmp_path, immutable, file_too, message) -> None:
    """SQLite said 'unable to open database file' where it could not make the
    -shm file (a read-only mount: here chattr +i, which binds root too)."""
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "fincon.db"
    open_store(path).close()
    if file_too:
        immutable(path)
    immutable(folder)
    read, write = run("--db", str(path), "smtp", "list"), run("--db", str(path), "smtp", "delete", "X")
    assert (read.returncode, read.stderr) == (
        2, f"fincon-tui: {message.format(folder=folder, path=path)} (get write access or use --db)\n")
    assert write.returncode == 2 and write.stderr.startswith(
        f"fincon-tui: {path} is read-only for you" if file_too else f"fincon-tui: cannot write in the folder {folder}")
