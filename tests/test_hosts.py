"""One key for every server (issue 24): the hosts that use the database and
the key each last loaded, `key status` listing them, `key rotate` waiting
for every host seen lately to load the new key, and the one message for a
server without the key.  On both engines: real key files, and admins as
real processes with their own HOME, keyring and host name."""

from __future__ import annotations

import json
import re
import shutil
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring
import pytest
from admins import admin
from keyring.backends import fail
from support import definition

from fincon_tui._exceptions import KeyMissing
from fincon_tui.domain.password_binding import PasswordChange, smtp_owner
from fincon_tui.keystore import keyfile
from fincon_tui.keystore.cipher import key_id
from fincon_tui.keystore.vault import PasswordVault
from fincon_tui.services import hosts
from fincon_tui.services.data_keys import Rotated, Staged, rotate
from fincon_tui.services.sealed_passwords import Passwords
from fincon_tui.services.smtp_settings import SmtpSettings
from fincon_tui.storage.audit import who
from fincon_tui.storage.records import HostSeen

pytestmark = pytest.mark.engines

NOW = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)


def days_since(started: datetime) -> set[str]:
    """The UTC dates from `started` to now: a command run across midnight
    notes either."""
    return {f"{started:%Y-%m-%d}", f"{datetime.now(UTC):%Y-%m-%d}"}


def days_ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")


@pytest.fixture
def shared_key(tmp_path: Path) -> Path:
    keyring.set_keyring(fail.Keyring())
    return tmp_path / "keys" / "fincon.key"


def seeded(store, key_file: Path, count: int = 3) -> Passwords:
    service = SmtpSettings(store, PasswordVault(key_file))
    for n in range(count):
        service.save(definition(name=f"DEF{n}"), PasswordChange.set(f"pw-{n}"), None)
    return Passwords(store, PasswordVault(key_file))


def test_the_store_keeps_one_row_a_host_and_the_staged_key(store) -> None:
    with store.transaction():
        store.hosts.put(HostSeen("app1", None, "2026-12-01T10:00:00+00:00", "anna"))
        store.hosts.put(HostSeen("app2", "3f2a9c0d1e2b4a5f", "2026-12-02T10:00:00+00:00", "ben"))
        store.hosts.put(HostSeen("app1", "3f2a9c0d1e2b4a5f", "2026-12-03T10:00:00+00:00", "carl"))
        store.info.set_staged_key_id("0123456789abcdef")
    assert store.hosts.get("app1") == HostSeen("app1", "3f2a9c0d1e2b4a5f", "2026-12-03T10:00:00+00:00", "carl")
    assert [seen.host for seen in store.hosts.all()] == ["app1", "app2"]  # the most recently seen first
    assert store.hosts.get("app3") is None
    assert store.info.staged_key_id() == "0123456789abcdef"
    with store.transaction():
        store.info.set_staged_key_id(None)
    assert store.info.staged_key_id() is None


def test_a_host_is_written_when_its_key_changes_or_once_a_day(store, shared_key, monkeypatch) -> None:
    monkeypatch.setenv("FINCON_TUI_HOST", "app1")
    passwords = Passwords(store, PasswordVault(shared_key))
    first = hosts.note(passwords, NOW)
    assert first is not None and (first.host, first.key_id) == ("app1", None)  # no key yet: none loaded
    assert hosts.note(passwords, NOW + timedelta(hours=23)) is None  # nothing changed: no write
    passwords = seeded(store, shared_key)
    changed = hosts.note(passwords, NOW + timedelta(hours=23))
    assert changed is not None and changed.key_id == store.info.key_id()
    assert hosts.note(passwords, NOW + timedelta(hours=24)) is None
    assert hosts.note(passwords, NOW + timedelta(hours=48)) is not None  # a day on: seen again
    assert store.hosts.get("app1").seen_at == "2026-12-09T14:00:00+00:00"


def test_rotate_waits_for_the_hosts_seen_lately_and_then_retires_the_old_key(store, shared_key, monkeypatch) -> None:
    monkeypatch.setenv("FINCON_TUI_HOST", "app1")
    passwords = seeded(store, shared_key)
    old = store.info.key_id()
    with store.transaction():
        store.hosts.put(HostSeen("app2", old, days_ago(3), "ben"))
        store.hosts.put(HostSeen("retired-box", old, days_ago(45), "ben"))  # not seen for 30 days: not waited for

    staged = rotate(passwords)
    assert isinstance(staged, Staged) and [seen.host for seen in staged.waiting_for] == ["app2"]
    assert store.info.key_id() == old and store.info.staged_key_id() == staged.new
    assert {sealed.key_id for sealed in store.secrets.all_sealed()} == {old}  # still the old key's
    assert [key_id(key) for key in keyfile.read(shared_key)] == [staged.new, old]  # both usable here
    assert store.hosts.get("app1").key_id == staged.new

    again = rotate(passwords)  # app2 has not loaded it yet: still waiting, with the same staged key
    assert isinstance(again, Staged) and again.new == staged.new

    monkeypatch.setenv("FINCON_TUI_HOST", "app2")  # the key file copied there, and fincon-tui started
    assert hosts.note(Passwords(store, PasswordVault(shared_key))).key_id == staged.new
    monkeypatch.setenv("FINCON_TUI_HOST", "app1")
    done = rotate(passwords)
    assert isinstance(done, Rotated) and (done.old, done.new, done.forced_past) == (old, staged.new, ())
    assert store.info.key_id() == staged.new and store.info.staged_key_id() is None
    assert {sealed.key_id for sealed in store.secrets.all_sealed()} == {staged.new}
    fresh = Passwords(store, PasswordVault(shared_key))
    assert [fresh.get(smtp_owner(f"DEF{n}")) for n in range(3)] == ["pw-0", "pw-1", "pw-2"]


def test_force_retires_the_old_key_and_names_the_hosts_left_without(store, shared_key, monkeypatch) -> None:
    monkeypatch.setenv("FINCON_TUI_HOST", "app1")
    passwords = seeded(store, shared_key)
    old = store.info.key_id()
    with store.transaction():
        store.hosts.put(HostSeen("app2", old, days_ago(1), "ben"))
    reported: list[tuple[int, int]] = []
    done = rotate(passwords, force=True, progress=lambda n, total: reported.append((n, total)))
    assert isinstance(done, Rotated) and [seen.host for seen in done.forced_past] == ["app2"]
    assert reported == [(1, 3), (2, 3), (3, 3)]
    assert {sealed.key_id for sealed in store.secrets.all_sealed()} == {done.new}


def test_a_rotation_staged_on_another_host_names_the_key_this_one_lacks(store, shared_key, tmp_path,
                                                                         monkeypatch) -> None:
    monkeypatch.setenv("FINCON_TUI_HOST", "app1")
    passwords = seeded(store, shared_key)
    with store.transaction():
        store.hosts.put(HostSeen("app2", store.info.key_id(), days_ago(1), "ben"))
    staged = rotate(passwords)
    assert isinstance(staged, Staged)
    other_copy = tmp_path / "app2.key"  # app2's key file: the old copy, without the staged key
    keyfile.update(other_copy, lambda _: [keyfile.read(shared_key)[1]])
    monkeypatch.setenv("FINCON_TUI_HOST", "app2")
    with pytest.raises(KeyMissing, match=f"saved with key {staged.new}; this account on host app2 has no such key"):
        rotate(Passwords(store, PasswordVault(other_copy)))
    assert store.info.staged_key_id() == staged.new  # nothing changed


@pytest.mark.parametrize("engine_of", ["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def test_two_servers_rotate_one_key_through_copies_of_the_key_file(engine_of, request, tmp_path) -> None:
    """anna on app1 and ben on app2, real processes each with a home,
    keyring and copy of the key file of their own (as on two servers), on
    one database (on PostgreSQL in `make test-slow`: seven processes; the
    service tests above run on both engines)."""
    db_location = request.getfixturevalue("db_path" if engine_of == "sqlite" else "pg_url")
    anna_key, ben_key = tmp_path / "app1" / "fincon.key", tmp_path / "app2" / "fincon.key"
    anna = admin(tmp_path, "anna", db_location, key_file=anna_key, keyring=False, host="app1")
    ben = admin(tmp_path, "ben", db_location, key_file=ben_key, keyring=False, host="app2")
    made = anna.cli("smtp", "set", "OFFICE", "--mail-server", "smtp.example.com", "--username", "bob",
                    "--password-stdin", stdin="bob-pw\n")
    assert made.returncode == 0, made.stderr
    ben_key.parent.mkdir()
    shutil.copy2(anna_key, ben_key)  # the key file distributed, mode and all
    assert stat.S_IMODE(ben_key.stat().st_mode) == 0o600
    started = datetime.now(UTC)
    assert ben.cli("smtp", "set", "OFFICE", "--port", "2525").returncode == 0  # a writing command: app2 seen

    staged = anna.cli("key", "rotate")
    assert staged.returncode == 1 and "Traceback" not in staged.stderr
    new, old = re.search(r"New key (\w+) staged in key file .*, beside the old key (\w+),", staged.stdout).groups()
    assert any(f"Not yet loaded by app2 (last seen {day} by {who()}, key {old}): copy the key file to each of them"
               in staged.stdout for day in days_since(started))
    shown = json.loads(ben.cli("smtp", "show", "OFFICE", "--json").stdout)
    assert shown["password_problem"] is None  # the old key still opens everything on app2

    shutil.copy2(anna_key, ben_key)
    assert ben.cli("smtp", "set", "OFFICE", "--port", "2526").returncode == 0  # app2 loads the new key
    done = anna.cli("key", "rotate")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"New key {new} in key file" in done.stdout and "; 1 password re-encrypted." in done.stdout
    assert done.stderr == ""  # piped: no progress
    status = json.loads(ben.cli("key", "status", "--json").stdout)
    assert (status["key_id"], status["staged_key_id"], status["passwords_opened"]) == (new, None, 1)
    assert {(h["host"], h["key_id"], h["this_host"]) for h in status["hosts"]} == {
        ("app1", new, False), ("app2", new, True)}


def command(monkeypatch, capsys, location, home: Path, host: str, key_file: Path | None,
            *args: str) -> tuple[int, str, str]:
    """`fincon-tui --db LOCATION ARGS` in this process, as an admin of
    `host` whose home is `home`: status, stdout, stderr."""
    from fincon_tui.cli.entry import main

    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("FINCON_TUI_HOST", host)
    if key_file is None:
        monkeypatch.delenv("FINCON_TUI_KEY_FILE", raising=False)
    else:
        monkeypatch.setenv("FINCON_TUI_KEY_FILE", str(key_file))
    code = main(["--db", str(location), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_key_status_lists_the_hosts(store, shared_key, tmp_path, monkeypatch, capsys) -> None:
    seeded(store, shared_key, count=1)
    key = store.info.key_id()
    with store.transaction():
        store.hosts.put(HostSeen("app2", key, "2026-12-01T09:30:00+00:00", "ben"))
        store.hosts.put(HostSeen("old\x1b[2Jbox", None, "2026-11-01T09:30:00+00:00", "carl"))
    started = datetime.now(UTC)
    code, _, _ = command(monkeypatch, capsys, store.location, tmp_path / "anna", "app1", shared_key,
                         "smtp", "set", "DEF0", "--port", "2525")
    assert code == 0
    code, out, _ = command(monkeypatch, capsys, store.location, tmp_path / "anna", "app1", shared_key,
                           "key", "status")
    assert code == 0
    assert "\n\nHost                     Key id                  Last seen (UTC)   By\n" in out
    assert any(f"\napp1                     {key}        {day} " in out for day in days_since(started))
    assert f" {who()} (this host)\n" in out
    assert f"\napp2                     {key}        2026-12-01 09:30  ben\n" in out
    assert "\nold\\x1b[2Jbox            none                    2026-11-01 09:30  carl\n" in out  # shown, not obeyed


def test_reading_commands_never_write_a_host(store, shared_key, tmp_path, monkeypatch, capsys) -> None:
    for words in (("smtp", "list"), ("key", "status"), ("export", "--json")):
        code, _, err = command(monkeypatch, capsys, store.location, tmp_path / "ben", "app2", None, *words)
        assert code == 0, err
    assert store.hosts.all() == []
    command(monkeypatch, capsys, store.location, tmp_path / "ben", "app2", None, "init")
    assert [seen.host for seen in store.hosts.all()] == ["app2"]


def test_a_server_moved_without_its_key_is_told_by_every_command(store, shared_key, tmp_path, monkeypatch,
                                                               capsys) -> None:
    seeded(store, shared_key, count=1)
    key = store.info.key_id()
    moved = tmp_path / "new-server" / "fincon.key"  # configured, but not copied over
    said = (f"the passwords of this database were saved with key {key}; this account on host app9 has no such "
            f"key (looked in key file {moved}, which holds none; key file ~/.config/fincon-tui/keys/")
    for words in (("smtp", "test", "DEF0"), ("key", "rotate")):
        code, _, err = command(monkeypatch, capsys, store.location, tmp_path / "anna", "app9", moved, *words)
        assert code == 2 and said in err and "Traceback" not in err, err
    code, out, _ = command(monkeypatch, capsys, store.location, tmp_path / "anna", "app9", moved, "key", "status")
    assert code == 1 and said[0].upper() + said[1:] in out
    assert store.hosts.get("app9").key_id is None  # the rotation was refused, the host noted without a key


async def test_the_app_on_a_server_without_the_key_says_so_at_start(db_path, shared_key, tmp_path,
                                                                  monkeypatch) -> None:
    """The full-screen app, started as `fincon-tui` starts it, tells at
    once, before any record is opened, and notes the host."""
    from support import until

    from fincon_tui.storage.store import Opener, open_store
    from fincon_tui.ui.app import FinconApp

    store = open_store(db_path)
    seeded(store, shared_key, count=1)
    key = store.info.key_id()
    monkeypatch.setenv("FINCON_TUI_HOST", "app9")
    app = FinconApp(Opener(db_path), PasswordVault(tmp_path / "elsewhere.key"), cursor_blink=False)
    async with app.run_test():
        await until(app.typeahead.ready.is_set, "the database opens")
        await until(lambda: app.screen.message.text != "", "the message at start")
        assert app.screen.message.kind == "error"
        assert app.screen.message.text.startswith(
            f"The passwords of this database were saved with key {key}; this account on host app9 has no such key")
    assert store.hosts.get("app9").key_id is None
    store.close()


def test_db_status_shows_the_hosts_and_key_ids_seen(store, shared_key, tmp_path, monkeypatch, capsys) -> None:
    seeded(store, shared_key, count=1)
    key = store.info.key_id()
    with store.transaction():
        store.hosts.put(HostSeen("app2", key, "2026-12-01T09:30:00+00:00", "ben"))
    code, out, _ = command(monkeypatch, capsys, store.location, tmp_path / "anna", "app1", shared_key, "db", "status")
    assert code == 0
    assert out.endswith(f"\nHosts and key ids seen\n  Key id        {key}\n"
                        f"  app2          key {key}, last seen 2026-12-01T09:30:00+00:00 by ben\n")
    code, out, _ = command(monkeypatch, capsys, store.location, tmp_path / "anna", "app1", shared_key, "db", "status",
                           "--json")
    assert json.loads(out)["hosts"] == {"key_id": key, "staged_key_id": None, "hosts": [
        {"host": "app2", "key_id": key, "last_seen": "2026-12-01T09:30:00+00:00", "by": "ben", "this_host": False}]}


def test_key_rotate_shows_its_progress_on_a_terminal(store, shared_key, tmp_path, monkeypatch, capsys) -> None:
    """The CLI's rotation on a real pseudo-terminal as stderr (piped: the two-server test)."""
    import os
    import pty

    seeded(store, shared_key, count=3)
    master, slave = pty.openpty()
    with os.fdopen(slave, "w") as terminal:
        monkeypatch.setattr("sys.stderr", terminal)
        code, out, _ = command(monkeypatch, capsys, store.location, tmp_path / "anna", "app1", shared_key,
                               "key", "rotate")
    drawn = b""
    while True:  # all that was written, until the closed terminal's end (EIO)
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        drawn += chunk
    os.close(master)
    assert code == 0 and "; 3 passwords re-encrypted." in out
    assert b"re-encrypted 3 of 3 secrets" in drawn and drawn.endswith(b"\r\x1b[K")  # wiped at the end
