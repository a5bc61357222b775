"""SIGKILL in the middle of a save: the database stays whole and every row's
keyring entry matches it, before and after the next start's recovery.

`make test` kills a few random moments; `make test-slow` many more
(FINCON_CRASH_ROUNDS overrides).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import TESTS, definition
from crash_child import NAMES, expected_password

from fincon_tui.domain.passwords import PasswordChange, smtp_account
from fincon_tui.services.smtp_settings import SmtpSettings
from fincon_tui.storage.database import open_database

CHILD = str(TESTS / "crash_child.py")


def run_child(db_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, CHILD, str(db_path), *args], capture_output=True, text=True, timeout=60
    )


def keyring_entries() -> dict[str, str]:
    path = Path(os.environ["FINCON_TEST_KEYRING"])
    data = json.loads(path.read_text()) if path.exists() else {}
    return {key.split("\x00", 1)[1]: value for key, value in data.items()}


def check_consistent(db_path: Path, vault) -> dict[str, str | None]:
    """integrity_check ok; each row owns the password its username names,
    read through the journal now and straight from the keyring after recovery."""
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()
    db = open_database(db_path)
    service = SmtpSettings(db, vault)
    owned = {}
    for name in NAMES:
        stored = service.get(name)
        owned[name] = expected_password(stored.record.username) if stored else None
        assert service.passwords.get(smtp_account(name)) == owned[name], (name, "before recovery")
    assert service.passwords.recover() == 0
    assert list(db["password_journal"].rows) == []
    left = keyring_entries()
    for name in NAMES:
        assert left.get(smtp_account(name)) == owned[name], (name, "after recovery")
    assert [account for account in left if account.startswith("staged:")] == []
    db.close()
    return owned


@pytest.mark.parametrize("scenario", ["set", "clear", "delete", "create"])
def test_a_kill_at_every_step_of_a_save_leaves_row_and_keyring_agreeing(db_path, vault, scenario) -> None:
    seen = set()
    step = 1
    while True:
        db_path.unlink(missing_ok=True)
        Path(os.environ["FINCON_TEST_KEYRING"]).unlink(missing_ok=True)
        db = open_database(db_path)
        SmtpSettings(db, vault).save(definition(name="OFFICE", username="1:old-pw"), PasswordChange.set("old-pw"), None)
        db.close()
        result = run_child(db_path, "step", f"{step}:{scenario}")
        owned = check_consistent(db_path, vault)
        seen.add((owned["OFFICE"], owned["BRANCH"]))
        if result.returncode == 0:
            assert "finished" in result.stdout
            break
        assert result.returncode == -signal.SIGKILL, result.stderr
        step += 1
    after = {"set": ("new-pw", None), "clear": (None, None), "delete": (None, None), "create": ("old-pw", "branch-pw")}
    assert seen == {("old-pw", None), after[scenario]}  # both sides of the commit were hit
    assert step >= 4  # prepare or commit, keyring, commit, settle at the least


def test_random_kills_while_saving_in_a_loop(db_path, vault) -> None:
    rounds = int(os.environ.get("FINCON_CRASH_ROUNDS", "6"))
    chance = random.Random(rounds)
    open_database(db_path).close()
    for round_ in range(rounds):
        child = subprocess.Popen(
            [sys.executable, CHILD, str(db_path), "loop", str(round_)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert child.stdout.readline() == "saving\n", child.stderr.read()
        time.sleep(chance.uniform(0.0, 0.4))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        assert child.returncode == -signal.SIGKILL, child.stderr.read()
        check_consistent(db_path, vault)


@pytest.mark.slow
def test_many_random_kills(db_path, vault, monkeypatch) -> None:
    monkeypatch.setenv("FINCON_CRASH_ROUNDS", os.environ.get("FINCON_CRASH_ROUNDS", "150"))
    test_random_kills_while_saving_in_a_loop(db_path, vault)

