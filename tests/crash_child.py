"""A child process that saves and is killed with SIGKILL (tests only).

    python crash_child.py DB step SCENARIO   die after the STEP-th durable step
    python crash_child.py DB loop SEED       save at random until killed

A durable step is a keyring write or delete, or a database commit (counted
just before and just after it).  Usernames say which password the row owns:
`<n>:<password>` or `<n>:-` for none, so the parent can check the keyring.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sys
from pathlib import Path

from fincon_tui.domain.passwords import PasswordChange
from fincon_tui.domain.smtp import SmtpDefinition
from fincon_tui.secrets.vault import PasswordVault
from fincon_tui.services import passwords as passwords_module
from fincon_tui.services import records as records_module
from fincon_tui.services.smtp_settings import SmtpSettings
from fincon_tui.storage.database import open_database
from fincon_tui.storage.transactions import write_transaction

NAMES = ("OFFICE", "BRANCH", "GMAIL")


def definition(name: str, username: str) -> SmtpDefinition:
    return SmtpDefinition(name, "smtp.example.com", True, username, 587, True, 30, "")


def expected_password(username: str) -> str | None:
    """What the row with this username must own in the keyring."""
    owned = username.split(":", 1)[1]
    return None if owned == "-" else owned


def die_after(steps: int) -> None:
    """Kill this process with SIGKILL at the given durable step."""
    count = 0

    def step() -> None:
        nonlocal count
        count += 1
        if count == steps:
            os.kill(os.getpid(), signal.SIGKILL)

    def counted(method):
        def wrapper(*args, **kwargs):
            result = method(*args, **kwargs)
            step()
            return result

        return wrapper

    @contextlib.contextmanager
    def transaction(db):
        with write_transaction(db):
            yield db
            step()  # about to commit
        step()  # committed

    PasswordVault._set = counted(PasswordVault._set)
    PasswordVault._delete = counted(PasswordVault._delete)
    passwords_module.write_transaction = transaction
    records_module.write_transaction = transaction


def scenario(service: SmtpSettings, name: str) -> None:
    """One save whose every step the parent kills in turn (OFFICE is stored
    with username `1:old-pw` beforehand)."""
    if name == "set":
        service.save(definition("OFFICE", "2:new-pw"), PasswordChange.set("new-pw"), 1)
    elif name == "clear":
        service.save(definition("OFFICE", "2:-"), PasswordChange.clear(), 1)
    elif name == "delete":
        service.delete("OFFICE", 1)
    elif name == "create":
        service.save(definition("BRANCH", "1:branch-pw"), PasswordChange.set("branch-pw"), None)


def loop(service: SmtpSettings, seed: int) -> None:
    """Create, change and delete definitions at random, forever."""
    chance = random.Random(seed)
    print("saving", flush=True)
    for n in range(1, 10**9):
        name = chance.choice(NAMES)
        stored = service.get(name)
        if stored is None:
            service.save(definition(name, f"{n}:pw-{n}"), PasswordChange.set(f"pw-{n}"), None)
        else:
            action = chance.choice(("set", "set", "clear", "keep", "delete"))
            if action == "delete":
                service.delete(name, stored.version)
                continue
            owned = {"set": f"pw-{n}", "clear": None}.get(action, expected_password(stored.record.username))
            change = {"set": PasswordChange.set(f"pw-{n}"), "clear": PasswordChange.clear()}.get(
                action, PasswordChange.keep()
            )
            service.save(definition(name, f"{n}:{owned or '-'}"), change, stored.version)


def main(db_path: str, mode: str, argument: str) -> None:
    service = SmtpSettings(open_database(Path(db_path)), PasswordVault())
    service.passwords.recover()  # as the app does at start-up
    if mode == "step":
        die_after(int(argument.split(":")[0]))
        scenario(service, argument.split(":")[1])
        print("finished", flush=True)
    else:
        loop(service, int(argument))


if __name__ == "__main__":
    main(*sys.argv[1:4])

