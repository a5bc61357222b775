"""Lists at scale: `smtp list`, `user list`, `export` and a Work with page
over 20,000 definitions and 20,000 users, each against a bare query of the
same rows with the driver (sqlite3, psycopg) plus the same printing, as a
ratio; on SQLite and on PostgreSQL in one run.

Run: .venv/bin/python bench/lists.py [RECORDS] [RUNS]
Each command runs in this process as `fincon-tui` runs it (cli.entry.main,
the store opened and closed, output to /dev/null), so that what is timed is
the command's work and not Python's start-up, which both sides would share.
The bare side prints the same lines from the same rows: the list's columns,
the export's JSON.  A Work with page reads the first page of 20, one in the
middle and the last (definitions: with each one's linked users and whether
its secrets are stored; users: with their definition and secrets), against
one query per page that joins the same.  The goal (issue 26) is <= 1.5x.
"open and close" is a command's open of the store alone (without a goal):
the file's integrity check is not in it, as the store the pages read has
already checked this state of the file (storage/intact.py).
PostgreSQL is a throwaway server of tests/postgres_server.py, as in
bench/engines.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

STAMP = "2026-11-20T10:00:00+00:00"
KEY_ID = "0123456789abcdef"
PAGE = 20


def contents(database_id: str, count: int) -> Any:
    """`count` definitions (a quarter with a shared password, some OAuth
    with a client secret) and `count` users, one in ten with a password of
    their own, as storage/bulk.py's rows."""
    from fincon_tui.storage.bulk import Contents, Row

    definitions: list[Row] = []
    users: list[Row] = []
    secrets: list[Row] = []

    def secret(kind: str, key: str, name: str, login: str, server: str) -> None:
        secrets.append({"owner_kind": kind, "owner_key": key, "name": name, "key_id": KEY_ID,
                        "sealed": b"\0" * 40, "bound_login": login, "bound_server": server,
                        "updated_at": STAMP, "expires_at": None})

    for n in range(count):
        name, server = f"DEF{n:05d}", f"smtp{n}.branch{n % 97}.example"
        method = "PMG"[n % 10] if n % 10 < 3 else "P"
        shared = n % 4 == 0
        username = f"relay{n}@corp.example" if shared or method != "P" else None
        definitions.append({
            "name": name, "mail_server": server, "authenticate": "Y", "username": username,
            "port": 587, "use_tls": "Y", "timeout_seconds": 30, "bcc": None, "login_method": method,
            "tenant": "corp.example" if method == "M" else None,
            "client_id": f"client-{n}" if method != "P" else None,
            "created_at": STAMP, "updated_at": STAMP, "version": 1, "row_id": f"{n:016x}",
        })
        if method == "P" and shared:
            secret("smtp", name, "password", username or "", server)
        elif method != "P":
            secret("smtp", name, "client_secret", username or "", server)
    for n in range(count):
        code, definition = f"U{n:05d}", definitions[(n * 7) % count]
        own = n % 10 == 0
        users.append({
            "user_code": code, "smtp_name": definition["name"],
            "smtp_username": f"user{n}@corp.example" if own else None, "login_method": None,
            "sender_name": f"User {n}", "sender_email": f"user{n}@corp.example",
            "job_title": None, "telephone": None,
            **{f"user_defined_{k}": None for k in range(1, 7)},
            "created_at": STAMP, "updated_at": STAMP, "version": 1, "row_id": f"{count + n:016x}",
        })
        if own:
            secret("user", code, "password", f"user{n}@corp.example", str(definition["mail_server"]))
    tables = {"smtp_settings": definitions, "user_email_settings": users, "secrets": secrets}
    return Contents(database_id, KEY_ID, tables)


def seed(location: str, count: int) -> None:
    from fincon_tui.storage.store import open_store

    store = open_store(location)
    with store.transaction() as work:
        work.bulk.put_contents(contents(work.info.database_id(), count), lambda _: None)
    store.close()


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """stdout to /dev/null, as a command piped away would print."""
    with open(os.devnull, "w") as null, contextlib.redirect_stdout(null):
        yield


def command(location: str, *words: str) -> Callable[[], None]:
    from fincon_tui.cli.entry import main

    def run() -> None:
        with quiet():
            code = main(["--db", location, *words])
        assert code == 0, (words, code)
    return run


# -- the bare side: the driver, one query, the same printing --------------------------------

SMTP_LINE = "{0:<22} {1:<32} {2:>5} {3:<12} {4}"
USER_LINE = "{0:<20} {1:<22} {2:<24} {3} <{4}>"
SMTP_COLUMNS = ("name, mail_server, authenticate, username, port, use_tls, timeout_seconds, bcc, login_method, "
                "tenant, client_id, updated_at, version")
USER_COLUMNS = ("user_code, smtp_name, smtp_username, login_method, sender_name, sender_email, job_title, "
                "telephone, user_defined_1, user_defined_2, user_defined_3, user_defined_4, user_defined_5, "
                "user_defined_6, updated_at, version")


class Bare:
    """The same rows read with the driver alone."""

    def __init__(self, location: str) -> None:
        self.location = location
        self.postgres = location.startswith("postgresql://")

    def connect(self) -> Any:
        if self.postgres:
            import psycopg

            return psycopg.connect(self.location)
        import sqlite3

        return sqlite3.connect(self.location)

    def rows(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        conn = self.connect()
        try:
            if self.postgres:
                sql = sql.replace("?", "%s").replace(" COLLATE NOCASE", "")
            return list(conn.execute(sql, args).fetchall())
        finally:
            conn.close()

    def ready(self) -> None:
        """Connected, the schema read (by a first query), closed."""
        self.rows("SELECT 1 FROM database_info")

    def order(self, column: str) -> str:
        return f"lower({column})" if self.postgres else f"{column} COLLATE NOCASE"

    def smtp_list(self) -> None:
        rows = self.rows(f"SELECT {SMTP_COLUMNS} FROM smtp_settings ORDER BY {self.order('name')}")
        with quiet():
            print(f"  {'NAME':<22} {'MAIL SERVER':<32} {'PORT':>5} {'TLS':<12} USERNAME")
            for row in rows:
                print(" " + SMTP_LINE.format(row[0], row[1], row[4], "STARTTLS" if row[5] == "Y" else "none",
                                             row[3] or "(per user)"))

    def user_list(self) -> None:
        rows = self.rows(f"SELECT {USER_COLUMNS} FROM user_email_settings ORDER BY user_code")
        with quiet():
            print(f"  {'USER':<20} {'SMTP NAME':<22} {'USERNAME':<24} SENDER")
            for row in rows:
                print(" " + USER_LINE.format(row[0], row[1], row[2] or "-", row[4], row[5]))

    def export(self) -> None:
        held = ("EXISTS (SELECT 1 FROM secrets s WHERE s.owner_kind = '{kind}' AND s.owner_key = {key} "
                "AND s.name = 'password')")
        definitions = self.rows(f"SELECT {SMTP_COLUMNS}, {held.format(kind='smtp', key='name')} "
                                f"FROM smtp_settings ORDER BY {self.order('name')}")
        users = self.rows(f"SELECT {USER_COLUMNS}, {held.format(kind='user', key='user_code')} "
                          "FROM user_email_settings ORDER BY user_code")
        smtp_names = [name.strip() for name in SMTP_COLUMNS.split(",")][:11]
        user_names = [name.strip() for name in USER_COLUMNS.split(",")][:14]
        data = {
            "format": 1,
            "smtp_definitions": [{**{k: ("" if v is None else v) for k, v in zip(smtp_names, row, strict=False)},
                                  "password_stored": bool(row[-1])} for row in definitions],
            "users": [{**{k: ("" if v is None else v) for k, v in zip(user_names, row, strict=False)},
                       "password_stored": bool(row[-1])} for row in users],
        }
        with quiet():
            sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=True) + "\n")

    def pages(self, conn: Any, keys: list[str]) -> None:
        """The definitions' pages: each with its linked users and whether a secret is stored."""
        mark = "%s" if self.postgres else "?"
        sql = (f"SELECT d.name, d.mail_server, d.port, d.use_tls, d.authenticate, d.username, d.login_method, "
               f"(SELECT count(*) FROM user_email_settings u WHERE u.smtp_name = d.name), "
               f"(SELECT count(*) FROM secrets s WHERE s.owner_kind = 'smtp' AND s.owner_key = d.name) "
               f"FROM smtp_settings d WHERE d.name >= {mark} ORDER BY d.name LIMIT {PAGE + 1}")
        for key in keys:
            rows = conn.execute(sql, (key,)).fetchall()
            with quiet():
                for row in rows[:PAGE]:
                    print(f"{row[0]:<24} {row[1]}:{row[2]:<10} {row[3]:<8} {row[7]:>5}")

    def user_pages(self, conn: Any, keys: list[str]) -> None:
        mark = "%s" if self.postgres else "?"
        sql = (f"SELECT u.user_code, u.smtp_name, u.sender_email, u.smtp_username, d.username, d.login_method, "
               f"(SELECT count(*) FROM secrets s WHERE s.owner_kind = 'user' AND s.owner_key = u.user_code), "
               f"(SELECT count(*) FROM secrets s WHERE s.owner_kind = 'smtp' AND s.owner_key = d.name) "
               f"FROM user_email_settings u LEFT JOIN smtp_settings d ON d.name = u.smtp_name "
               f"WHERE u.user_code >= {mark} ORDER BY u.user_code LIMIT {PAGE + 1}")
        for key in keys:
            rows = conn.execute(sql, (key,)).fetchall()
            with quiet():
                for row in rows[:PAGE]:
                    print(f"{row[0]:<20} {row[1]:<24} {row[2]:<32} {row[3] or row[4]}")


def app_pages(store: Any, keys: list[str], kind: str) -> Callable[[], None]:
    """The Work with list's page reads (services/work_lists.py) on the open
    `store`, as its database thread runs them, printed as the bare side prints them."""
    from fincon_tui.keystore.vault import PasswordVault
    from fincon_tui.services import work_lists
    from fincon_tui.services.smtp_settings import SmtpSettings
    from fincon_tui.services.user_settings import UserSettings

    smtp, settings = SmtpSettings(store, PasswordVault()), UserSettings(store, PasswordVault())

    def run() -> None:
        if kind == "smtp":
            for key in keys:
                page = work_lists.definitions(smtp, key, PAGE)
                with quiet():
                    for row in page.rows:
                        print(f"{row.key:<24} {row.server_port:<16} {row.tls:<8} {row.users:>5}")
        else:
            for key in keys:
                users = work_lists.users(settings, key, PAGE)
                with quiet():
                    for user in users.rows:
                        record = user.stored.record
                        print(f"{user.key:<20} {record.smtp_name:<24} {record.sender_email:<32} {user.login_used}")
    return run


def timed(work: Callable[[], None]) -> tuple[float, float]:
    """Seconds of wall clock and of this process's CPU (on a busy machine
    the CPU is the steadier; a PostgreSQL server's own is in neither)."""
    start, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - start, time.process_time() - cpu


Times = dict[str, tuple[list[tuple[float, float]], list[tuple[float, float]]]]


def measure(location: str, count: int, runs: int) -> Times:
    """Each measure's times, (fincon-tui, bare), the two alternating.  The
    pages are read on a store and a connection opened once, as the app's
    database thread holds its store."""
    from fincon_tui.storage.store import open_store

    bare = Bare(location)
    store, conn = open_store(location, writable=False), bare.connect()
    smtp_keys = ["", f"DEF{count // 2:05d}", f"DEF{count - PAGE:05d}"]
    user_keys = ["", f"U{count // 2:05d}", f"U{count - PAGE:05d}"]
    pairs: dict[str, tuple[Callable[[], None], Callable[[], None]]] = {
        # A command's open (read-only) of a database in a state checked
        # before (storage/intact.py), against the driver's connection ready
        # to read: connected, its schema read, closed.
        "open and close": (lambda: open_store(location, writable=False).close(), bare.ready),
        "smtp list": (command(location, "smtp", "list"), bare.smtp_list),
        "user list": (command(location, "user", "list"), bare.user_list),
        "export --json": (command(location, "export", "--json"), bare.export),
        "Work with pages, definitions": (app_pages(store, smtp_keys, "smtp"), lambda: bare.pages(conn, smtp_keys)),
        "Work with pages, users": (app_pages(store, user_keys, "user"), lambda: bare.user_pages(conn, user_keys)),
    }
    times: Times = {name: ([], []) for name in pairs}
    try:
        for _ in range(runs):
            for name, (ours, theirs) in pairs.items():
                times[name][0].append(timed(ours))
                times[name][1].append(timed(theirs))
    finally:
        store.close()
        conn.close()
    return times


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    only = sys.argv[3] if len(sys.argv) > 3 else ""
    from keyring_backends import ENV

    results: dict[str, Times] = {}
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HOME"] = tmp
        os.environ["PYTHON_KEYRING_BACKEND"] = "keyring_backends.FileKeyring"
        os.environ[ENV] = f"{tmp}/keyring.json"
        os.environ["XDG_CONFIG_HOME"] = tmp
        if only in ("", "sqlite"):
            path = str(Path(tmp) / "bench.db")
            seed(path, count)
            results["SQLite"] = measure(path, count, runs)
        if only in ("", "postgresql"):
            from postgres_server import PREFIX, TMP, TestServer

            server = TestServer(TMP / f"{PREFIX}bench-{os.getpid()}")
            try:
                url = server.url(server.new_database())
                seed(url, count)
                results["PostgreSQL"] = measure(url, count, runs)
            finally:
                server.close()
    print(f"{count} definitions and {count} users, median of {runs} runs (bare: the driver and the same printing)")
    print(f"{'measure':<30} {'engine':<11} {'fincon-tui s':>12} {'bare s':>8} {'ratio':>7} "
          f"{'CPU s':>7} {'bare CPU':>8} {'ratio':>7}")
    for engine, times in results.items():
        for name, (ours, bare) in times.items():
            mine, theirs = (statistics.median(wall for wall, _ in ours), statistics.median(wall for wall, _ in bare))
            cpu, bare_cpu = (statistics.median(used for _, used in ours), statistics.median(used for _, used in bare))
            print(f"{name:<30} {engine:<11} {mine:>12.3f} {theirs:>8.3f} {mine / theirs:>6.2f}x "
                  f"{cpu:>7.3f} {bare_cpu:>8.3f} {cpu / max(bare_cpu, 1e-6):>6.2f}x")


if __name__ == "__main__":
    main()
