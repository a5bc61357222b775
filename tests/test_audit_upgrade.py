"""An audit trail written by fincon-tui 0.x (entries keyed by name, moved
by renames) is attached to its records by m011, where the trail tells whose
each entry is, and left unattached where nobody can know."""

from __future__ import annotations

import json
import sqlite3
import unicodedata

from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlite_utils import Database
from support import definition

from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.services.smtp_settings import SmtpSettings
from fincon_tui.storage.audit_owners import Entry, owners
from fincon_tui.storage.migrations import m003_audit_log, migrations
from fincon_tui.storage.store import open_store

KIND = "SMTP definition"
NOW = "2026-11-20T10:00:00+00:00"
#: What 0.x ran before recording a rename (storage/audit.py, move_history), verbatim.
OLD_MOVE = """UPDATE audit_log SET record_key = ? WHERE kind = ? AND record_key = ? COLLATE NOCASE AND id > coalesce(
                (SELECT max(id) FROM audit_log WHERE kind = ? AND record_key = ? COLLATE NOCASE AND action = 'delete'), 0)"""  # noqa: E501
LAST_DELETE = ("SELECT coalesce(max(id), 0) FROM audit_log "
               "WHERE kind = ? AND record_key = ? COLLATE NOCASE AND action = 'delete'")


def folded(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def nocase(name: str) -> str:
    return "".join(c.lower() if c.isascii() else c for c in name)


class OldTrail:
    """Writes audit rows as fincon-tui 0.x did, and knows the truth beside:
    which record (a number) each entry was written for."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.alive: dict[str, tuple[int, str]] = {}  # folded name -> (record, name)
        self.records = 0
        self.truth: dict[int, int] = {}  # entry id -> record
        self.written: dict[int, str] = {}  # entry id -> the key it was written under
        self.renames: list[tuple[int, str, str, int]] = []  # (id, old, new, last delete of old then)
        self.updates: list[tuple[int, list[tuple[int, str]]]] = []  # (id, records alive then)

    def _write(self, record: int, key: str, action: str, changes: dict) -> int:
        cursor = self.db.execute(
            "INSERT INTO audit_log (at, who, kind, record_key, action, changes) VALUES (?, 'anna', ?, ?, ?, ?)",
            [NOW, KIND, key, action, json.dumps(changes)])
        self.truth[cursor.lastrowid], self.written[cursor.lastrowid] = record, key
        return cursor.lastrowid

    def create(self, name: str) -> None:
        self.records += 1
        self.alive[folded(name)] = (self.records, name)
        self._write(self.records, name, "create", {"name": [None, name], "port": [None, 587]})

    def update(self, name: str, port: int) -> None:
        record, key = self.alive[folded(name)]
        entry = self._write(record, key, "update", {"port": [587, port]})
        self.updates.append((entry, list(self.alive.values())))

    def delete(self, name: str) -> None:
        record, key = self.alive.pop(folded(name))
        self._write(record, key, "delete", {"name": [key, None], "port": [587, None]})

    def rename(self, old: str, new: str) -> None:
        record, key = self.alive.pop(folded(old))
        (last_delete,) = self.db.execute(LAST_DELETE, [KIND, key]).fetchone()
        self.db.execute(OLD_MOVE, [new, KIND, key, KIND, key])
        self.alive[folded(new)] = (record, new)
        entry = self._write(record, new, "update", {"name": [key, new]})
        self.renames.append((entry, key, new, last_delete))

    def moved(self, key: str, entry: int) -> str:
        """The record_key 0.x left on an entry written as `key`."""
        for rename, old, new, last_delete in self.renames:
            if rename > entry and nocase(key) == nocase(old) and entry > last_delete:
                key = new
        return key

    def who_could_own(self, entry: int, record_key: str) -> set[int]:
        """The records alive at update `entry` whose entries would now hold `record_key`."""
        alive = dict(self.updates)[entry]
        return {record for record, key in alive if nocase(self.moved(key, entry)) == nocase(record_key)}


def old_database(path) -> tuple[Database, OldTrail]:
    db = Database(sqlite3.connect(path))
    migrations.apply(db, stop_before="m011_audit_by_record")
    return db, OldTrail(db)


def store_alive(db: Database, trail: OldTrail) -> dict[int, str]:
    """The rows 0.x left for the records alive: record -> row_id."""
    row_ids = {}
    for record, name in trail.alive.values():
        row_ids[record] = f"{record:016x}"
        db["smtp_settings"].insert(dict(
            name=name, mail_server="smtp.example.com", authenticate="N", port=587, use_tls="Y",
            timeout_seconds=30, created_at=NOW, updated_at=NOW, version=1, row_id=row_ids[record]))
    db.conn.commit()
    return row_ids


def test_the_issues_trail_is_given_back_to_its_records(db_path, vault) -> None:
    """OFFICE created and changed, MAIN created and deleted, OFFICE renamed
    MAIN and then HQ: 0.x showed the deleted MAIN's entries as OFFICE's and
    left HQ's own creation and port change under MAIN."""
    old, trail = old_database(db_path)
    trail.create("OFFICE")
    trail.update("OFFICE", 2525)
    trail.create("MAIN")
    trail.delete("MAIN")
    trail.rename("OFFICE", "MAIN")
    trail.rename("MAIN", "HQ")
    assert [row["record_key"] for row in old["audit_log"].rows] == ["MAIN", "MAIN", "MAIN", "MAIN", "HQ", "HQ"]
    store_alive(old, trail)
    old.close()
    store = open_store(db_path)
    db = store.db
    smtp = SmtpSettings(store, vault)
    assert [(e.verb, e.describe()) for e in smtp.history("HQ")] == [
        ("rename", "name: MAIN -> HQ"), ("rename", "name: OFFICE -> MAIN"), ("update", "port: 587 -> 2525"),
        ("create", "name: (none) -> OFFICE; port: (none) -> 587")]
    rows = list(db.utils["audit_log"].rows_where(order_by="id"))
    # Each entry holds the key it was written under again, and the deleted MAIN's two are one record's.
    assert [row["record_key"] for row in rows] == ["OFFICE", "OFFICE", "MAIN", "MAIN", "MAIN", "HQ"]
    assert rows[2]["row_id"] == rows[3]["row_id"] not in (None, rows[0]["row_id"])
    smtp.save(definition(name="MAIN", username=""), PasswordChange.keep(), None)
    assert [e.action for e in smtp.history("MAIN")] == ["create"]  # a new MAIN starts afresh


def test_an_entry_two_records_could_own_stays_unattached(db_path, vault) -> None:
    """A and B alive and each changed; B deleted, A renamed B: 0.x left both
    changes under B, and nothing in the trail tells which was A's."""
    old, trail = old_database(db_path)
    trail.create("A")
    trail.create("B")
    trail.update("A", 2525)
    trail.update("B", 2526)
    trail.delete("B")
    trail.rename("A", "B")
    store_alive(old, trail)
    old.close()
    store = open_store(db_path)
    db = store.db
    assert [e.verb for e in SmtpSettings(store, vault).history("B")] == ["rename", "create"]
    unattached = [dict(row) for row in db.utils["audit_log"].rows_where("row_id IS NULL", order_by="id")]
    assert [(row["record_key"], json.loads(row["changes"])) for row in unattached] == [
        ("B", {"port": [587, 2525]}), ("B", {"port": [587, 2526]})]


OPERATIONS = st.lists(
    st.tuples(st.sampled_from(["create", "update", "delete", "rename"]),
              st.sampled_from(["A", "B", "C", "a", "Zürich", "ZÜRICH"]),
              st.sampled_from(["A", "B", "C", "a", "Zürich"])),
    max_size=30,
)


@given(OPERATIONS)
# B renamed away from a key before A takes it: an entry of B's then could not have stayed there.
@example([("create", "A", ""), ("create", "B", ""), ("update", "A", ""), ("rename", "B", "C"), ("rename", "A", "B")])
# NOCASE folds ASCII only: an entry written as ZÜRICH never moved to Zürich.
@example([("create", "A", ""), ("create", "ZÜRICH", ""), ("update", "A", ""), ("delete", "ZÜRICH", ""),
          ("rename", "A", "Zürich")])
@settings(max_examples=150, deadline=None)
def test_every_entry_goes_to_its_own_record_or_to_none_when_two_could_own_it(operations) -> None:
    """Any trail 0.x could write: every entry attached is its own record's,
    one id per record (the stored row's for a record alive now), and an
    update stays unattached only when two records alive then fit it."""
    db = Database(sqlite3.connect(":memory:"))
    m003_audit_log(db)  # the one table the trail needs
    trail = OldTrail(db)
    for step, (action, name, other) in enumerate(operations):
        exists = folded(name) in trail.alive
        if action == "create" and not exists:
            trail.create(name)
        elif action == "update" and exists:
            trail.update(name, 1000 + step)
        elif action == "delete" and exists:
            trail.delete(name)
        elif (action == "rename" and exists and trail.alive[folded(name)][1] != other
              and (folded(other) not in trail.alive or folded(other) == folded(name))):
            trail.rename(name, other)
    rows = list(db.execute("SELECT id, action, record_key, changes FROM audit_log ORDER BY id"))
    stored = {name: f"{record:016x}" for record, name in trail.alive.values()}
    ids = iter(range(1, 10**6))
    found = owners([Entry(i, action, key, json.loads(changes)) for i, action, key, changes in rows], stored,
                   "name", lambda: f"gone-{next(ids)}")
    record_of_id: dict[str, int] = {}
    for entry_id, action, key, changes in rows:
        truth = trail.truth[entry_id]
        if entry_id not in found:
            assert action == "update" and "name" not in json.loads(changes)
            assert truth in trail.who_could_own(entry_id, key) and len(trail.who_could_own(entry_id, key)) > 1
            continue
        row_id, written = found[entry_id]
        assert written == trail.written[entry_id]
        assert record_of_id.setdefault(row_id, truth) == truth
        if action == "update" and "name" not in json.loads(changes):
            assert trail.who_could_own(entry_id, key) == {truth}
    for record, _ in trail.alive.values():
        assert record_of_id.get(f"{record:016x}", record) == record
    assert len(set(record_of_id.values())) == len(record_of_id)
