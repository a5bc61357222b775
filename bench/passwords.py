"""Time a save that sets a password, and reading it back (what F6 and the
CLI do before connecting), on a real database file.

Run: .venv/bin/python bench/passwords.py [SAVES]
The key is kept in a key file (a headless server) and, for comparison, in
a file-backed keyring (tests/keyring_backends.py); the first save, which
creates the key and loads `cryptography`, is reported on its own.
"""

from __future__ import annotations

import inspect
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fincon_tui.domain.password_binding import PasswordOwner

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def run(saves: int, use_key_file: bool) -> tuple[float, list[float], list[float]]:
    import keyring
    from keyring_backends import ENV, FileKeyring

    from fincon_tui.domain.password_binding import PasswordChange
    from fincon_tui.domain.smtp import SmtpDefinition
    from fincon_tui.keystore.vault import PasswordVault
    from fincon_tui.services.smtp_settings import SmtpSettings
    from fincon_tui.storage.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        os.environ[ENV] = f"{tmp}/keyring.json"
        keyring.set_keyring(FileKeyring())
        takes_file = "key_file" in inspect.signature(PasswordVault).parameters
        vault = PasswordVault(Path(tmp) / "fincon.key") if use_key_file and takes_file else PasswordVault()
        service = SmtpSettings(open_store(Path(tmp) / "bench.db"), vault)
        definition = SmtpDefinition("OFFICE", "smtp.example.com", True, "bob", 587, True, 30, "")
        start = time.perf_counter()
        service.save(definition, PasswordChange.set("first"), None)
        first = time.perf_counter() - start
        save_times, read_times = [], []
        for n in range(saves):
            start = time.perf_counter()
            service.save(definition, PasswordChange.set(f"pw-{n}"), n + 1)
            save_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            service.passwords.get(_owner("OFFICE"))
            read_times.append(time.perf_counter() - start)
        return first, save_times, read_times


def _owner(name: str) -> PasswordOwner:
    from fincon_tui.domain.password_binding import smtp_owner

    return smtp_owner(name)


def main() -> None:
    saves = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    print(f"{'key kept in':<16} {'first save':>10} {'save median':>12} {'save p95':>9} {'read median':>12}")
    for label, use_key_file in (("key file", True), ("keyring (file)", False)):
        first, save_times, read_times = run(saves, use_key_file)
        ordered = sorted(save_times)
        print(
            f"{label:<16} {first * 1000:>8.1f}ms {statistics.median(save_times) * 1000:>10.2f}ms "
            f"{ordered[int(len(ordered) * 0.95)] * 1000:>7.2f}ms {statistics.median(read_times) * 1000:>10.3f}ms"
        )


if __name__ == "__main__":
    main()
