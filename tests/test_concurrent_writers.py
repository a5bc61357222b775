"""Many processes saving at once on one database file: every save lands.

`make test` runs a short version; `make test-slow` runs the long one
(FINCON_STRESS_SAVES overrides the saves per process).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sqlite3
from pathlib import Path

import pytest
from support import stored_password

PROCESSES = 20
#: Every save lands on either engine: twenty processes on one SQLite file,
#: or twenty sessions of one PostgreSQL database (the long run).
pytestmark = pytest.mark.engines


def save_many(db_path: str, worker: int, saves: int) -> list[str]:
    """One admin's process: create `saves` definitions, then update each once
    with a password (the first save of all makes the key; every other finds it).
    A save waits for the others' locks, and a keyring read for the others'
    reads, as long as a test waits for anything: on a loaded machine twenty
    processes take turns slowly, and a save given up is not what is tested."""
    from support import PATIENCE

    from fincon_tui.domain.password_binding import PasswordChange
    from fincon_tui.domain.smtp import SmtpDefinition
    from fincon_tui.keystore.vault import PasswordVault
    from fincon_tui.services.smtp_settings import SmtpSettings
    from fincon_tui.storage import waiting
    from fincon_tui.storage.store import open_store

    waiting.WAIT_LIMIT_SECONDS = PATIENCE  # this process's own
    service = SmtpSettings(open_store(db_path), PasswordVault(timeout=PATIENCE))
    failures = []
    for n in range(saves):
        name = f"W{worker:02d}-{n:04d}"
        definition = SmtpDefinition(name, f"smtp{n}.example.com", False, "", 25, False, 30, "")
        try:
            saved = service.save(definition, PasswordChange.keep(), None)
            service.save(
                definition.__class__(**{**definition.__dict__, "port": 2525, "authenticate": True, "username": name}),
                PasswordChange.set(f"pw-{name}"),
                saved.version,
            )
        except Exception as error:  # reported to the test, which fails on any
            failures.append(f"{name}: {type(error).__name__}: {error}")
    return failures


def run_writers(db_path: Path | str, saves: int) -> None:
    from fincon_tui.storage.store import open_store

    open_store(db_path).close()  # schema in place before the race starts
    context = multiprocessing.get_context("spawn")
    with context.Pool(PROCESSES) as pool:
        results = pool.starmap(save_many, [(str(db_path), w, saves) for w in range(PROCESSES)])
    failures = [failure for result in results for failure in result]
    assert failures == [], failures[:5]
    if isinstance(db_path, Path):
        with contextlib.closing(sqlite3.connect(db_path)) as conn:  # the file itself
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    store = open_store(db_path)
    saved = store.smtp.search("", PROCESSES * saves + 1)
    assert len(saved) == PROCESSES * saves
    assert all(each.version == 2 and each.record.port == 2525 for each in saved)
    sealed = store.secrets.all_sealed()
    assert len(sealed) == len(saved) and len({each.key_id for each in sealed}) == 1
    assert all(stored_password(store, f"smtp:{each.key}") == f"pw-{each.key}" for each in saved)
    store.close()


def test_twenty_writers_short(db_path: Path) -> None:
    """On SQLite alone: twenty process starts are most of its time (about
    13 s on the 2-core machine); the long run is on both engines."""
    run_writers(db_path, saves=5)


@pytest.mark.slow
def test_twenty_writers_long(db_location: Path | str) -> None:
    run_writers(db_location, saves=int(os.environ.get("FINCON_STRESS_SAVES", "200")))
