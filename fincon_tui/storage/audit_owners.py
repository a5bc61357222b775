"""Whose is each entry of an audit trail that an older fincon-tui wrote (m011).

Before m011 an entry named its record by key alone, and a rename moved the
record's earlier entries to the new key: those written since the old key
was last deleted.  A record renamed to the name of a deleted one so took
that one's entries as its own, and a second rename left behind its entries
from before that delete.  This works back from the records stored now,
newest entry first, with what the trail itself says:

- a create names the key it created (its changes hold the key column), a
  delete the key it deleted, a rename (an update of the key column) the
  key before and after: the changes never moved, wherever the entry went;
- any other update says only the key it holds now.  It is the record's
  whose key at that moment, moved by the renames that followed as the old
  version moved entries, gives that key.  If two records alive then would
  both give it, nobody can know whose it is: it stays unattached, as does
  an entry that fits no record (rows changed by another tool, unaudited).

A deleted record gets an id of its own, as a new record would: its entries
stay together and never join a later record of its name.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fincon_tui.storage.records import new_row_id
from fincon_tui.storage.versioned_table import fold

if TYPE_CHECKING:
    from sqlite_utils import Database


@dataclass(frozen=True)
class Entry:
    """An audit row as the older version left it."""

    id: int
    action: str
    record_key: str
    changes: object  # the parsed JSON: field -> [old, new] when written by fincon-tui


def attach_old_entries(db: Database, kinds: dict[str, tuple[str, str]]) -> None:
    """Set `row_id` (and `record_key`: the key when written) of every entry
    whose record can be known; `kinds` maps each kind to its table and key
    column.  The others keep NULL and the key they hold."""
    for kind, (table, key_column) in kinds.items():
        stored = dict(db.execute(f"SELECT {key_column}, row_id FROM {table}").fetchall())
        entries = [
            Entry(entry_id, action, key, json.loads(changes))
            for entry_id, action, key, changes in db.execute(
                "SELECT id, action, record_key, changes FROM audit_log WHERE kind = ? ORDER BY id", [kind]
            )
        ]
        found = owners(entries, stored, key_column, new_row_id)
        db.conn.executemany(
            "UPDATE audit_log SET row_id = ?, record_key = ? WHERE id = ?",
            [(row_id, key, entry_id) for entry_id, (row_id, key) in found.items()],
        )


def owners(
    entries: list[Entry], stored: dict[str, str], key_column: str, new_id: Callable[[], str]
) -> dict[int, tuple[str, str]]:
    """Entry id -> (row_id, key when written) for every entry of one kind
    whose record can be known.  `entries` in id order; `stored` maps the
    key of each row stored now to its row_id; `new_id` makes a row_id for
    a record that is gone (deleted, or changed unaudited by another tool)."""
    thresholds = _move_thresholds(entries, key_column)
    # The records alive after the entry being looked at: folded key -> (row_id, key).
    alive = {_folded(key): (row_id, key) for key, row_id in stored.items()}
    renames_after: list[tuple[int, str, str]] = []  # (id, old, new) as NOCASE compares them, newest first
    found: dict[int, tuple[str, str]] = {}
    for entry in reversed(entries):
        rename = _keys(entry, key_column) if entry.action == "update" else None
        if entry.action == "delete":
            key = _key(entry, key_column, 0)
            alive[_folded(key)] = (new_id(), key)
            found[entry.id] = alive[_folded(key)]
        elif entry.action == "create":
            key = _key(entry, key_column, 1)
            was = alive.pop(_folded(key), None)
            found[entry.id] = (was[0] if was else new_id(), key)
        elif rename is not None:
            old, new = rename
            was = alive.pop(_folded(new), None)
            row_id = was[0] if was else new_id()
            found[entry.id] = (row_id, new)
            alive[_folded(old)] = (row_id, old)
            renames_after.append((entry.id, _nocase(old), _nocase(new)))
        else:
            owner = _sole_owner(entry, alive, renames_after, thresholds)
            if owner is not None:
                found[entry.id] = owner
    return found


def _sole_owner(
    entry: Entry, alive: dict[str, tuple[str, str]], renames_after: list[tuple[int, str, str]],
    thresholds: dict[int, int],
) -> tuple[str, str] | None:
    """The one record alive at `entry` whose key then, moved as the old
    version moved entries, is the key `entry` holds now; None if not one."""
    written = {_nocase(entry.record_key)}  # the keys it may have been written as, going back
    for rename_id, old, new in renames_after:  # newest first
        # Each took the entries of its old key written since that key was
        # last deleted (SQLite's NOCASE: ASCII letters only).
        if entry.id > thresholds[rename_id] and old != new:
            had_new = new in written
            written.discard(old)
            if had_new:
                written.add(old)
    fits = {record for key in written if (record := alive.get(_folded(key))) and _nocase(record[1]) == key}
    return fits.pop() if len(fits) == 1 else None


def _move_thresholds(entries: list[Entry], key_column: str) -> dict[int, int]:
    """Rename id -> id of the last delete of its old key before it (0: none).
    A delete's record_key never moved: a rename moved only later entries."""
    last_delete: dict[str, int] = {}
    thresholds = {}
    for entry in entries:
        if entry.action == "delete":
            last_delete[_nocase(entry.record_key)] = entry.id
        elif entry.action == "update" and (rename := _keys(entry, key_column)):
            thresholds[entry.id] = last_delete.get(_nocase(rename[0]), 0)
    return thresholds


def _key(entry: Entry, key_column: str, side: int) -> str:
    """The key a create (side 1) or delete (side 0) names in its changes."""
    change = entry.changes.get(key_column) if isinstance(entry.changes, dict) else None
    named = change[side] if isinstance(change, list) and len(change) == 2 else None
    if isinstance(named, str):
        return named
    return entry.record_key  # not written by fincon-tui: trust the column


def _keys(entry: Entry, key_column: str) -> tuple[str, str] | None:
    """(old, new) of a rename; None for any other update."""
    change = entry.changes.get(key_column) if isinstance(entry.changes, dict) else None
    if isinstance(change, list) and len(change) == 2 and all(isinstance(key, str) for key in change):
        return change[0], change[1]
    return None


def _folded(key: str) -> str:
    """Keys as fincon-tui tells records apart (Unicode case folding)."""
    return str(fold(key))


def _nocase(text: str) -> str:
    """SQLite's NOCASE: ASCII letters folded, nothing else."""
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
