"""`db copy`: a whole database into an empty one, on the same engine or
the other, as it is (the Store's bulk rows, storage/bulk.py).

- The source is read in one snapshot; text that the other engine could
  not hold as it is (not UTF-8, a NUL) is reported by record and column,
  and nothing is written (CopyRefused).
- The target is written in one transaction, and only when it holds no
  record, secret or audit entry (CopyRefused naming it): the database id,
  the key id, the sealed secrets (never opened nor re-sealed), row_ids,
  versions, timestamps and the audit trail in its order.
- `check` then opens every secret on the target with this machine's key,
  and compares the export of both sides, record by record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fincon_tui._exceptions import CopyRefused, SecretStoreError

if TYPE_CHECKING:
    from fincon_tui.keystore.vault import PasswordVault
    from fincon_tui.storage.bulk import Contents
    from fincon_tui.storage.store import Store

#: What the counts name, by table (bulk.TABLES).
WHAT = {
    "smtp_settings": ("SMTP definition", "SMTP definitions"),
    "user_email_settings": ("user", "users"),
    "secrets": ("sealed secret", "sealed secrets"),
    "legacy_passwords": ("password in an older keyring", "passwords in older keyrings"),
    "audit_log": ("audit entry", "audit entries"),
    "login_tests": ("login test", "login tests"),
}


def counted(counts: dict[str, int]) -> str:
    """'3 SMTP definitions, 1 user, 0 audit entries' (every table)."""
    return ", ".join(f"{n} {WHAT[table][0 if n == 1 else 1]}" for table, n in counts.items())


def read(source: Store) -> Contents:
    """Everything `source` holds, in one snapshot; CopyRefused if any text
    could not be copied as it is."""
    with source.read() as reading:
        contents = reading.bulk.contents()
    if contents.bad_text:
        raise CopyRefused(
            f"{source.location} holds text that cannot be copied as it is ({len(contents.bad_text)} "
            "values, below): mend those records (fincon-tui --db SOURCE smtp|user set), then copy again; "
            "nothing was copied", contents.bad_text)
    return contents


def refuse_unless_empty(target: Store) -> None:
    """CopyRefused naming `target` when it holds anything (checked again in
    the copy's own transaction)."""
    with target.read() as reading:
        held = reading.bulk.counts()
    _refuse_held(target, held)


def _refuse_held(target: Store, held: dict[str, int]) -> None:
    if any(held.values()):
        kept = {table: n for table, n in held.items() if n}
        raise CopyRefused(f"{target.location} is not empty ({counted(kept)}): db copy writes only into an "
                          "empty database; nothing was copied")


def write(target: Store, contents: Contents, progress: Callable[[int], None]) -> None:
    """`contents` into the empty `target`, in one transaction."""
    with target.transaction() as writing:
        _refuse_held(target, writing.bulk.counts())
        writing.bulk.put_contents(contents, progress)


@dataclass(frozen=True)
class Checked:
    """What `check` found: secrets opened on the target, and the differences."""

    opened: int
    differences: tuple[str, ...]


def check(source: Store, target: Store, vault: PasswordVault) -> Checked:
    """Open every secret of `target` with this machine's key, and compare
    the export of both stores, record by record."""
    from fincon_tui.services.sealed_passwords import Passwords
    from fincon_tui.services.transfer import Transfer

    differences: list[str] = []
    passwords, opened = Passwords(target, vault), 0
    for sealed in passwords.all_sealed():
        try:
            passwords.unseal(sealed)
        except SecretStoreError as error:
            differences.append(f"the {sealed.name.word} of {sealed.binding.owner.describe()} does not open on "
                               f"the copy: {error}")
            continue
        opened += 1
    before, after = Transfer(source, vault).export(), Transfer(target, vault).export()
    for section, key in (("smtp_definitions", "name"), ("users", "user_code")):
        differences += _compare(section, key, before.get(section), after.get(section))
    return Checked(opened, tuple(differences))


def _compare(section: str, key: str, before: object, after: object) -> list[str]:
    """'users ANN: sender_name differs (Ann on the source, Anna on the copy)', per record."""
    def by_key(rows: object) -> dict[str, dict[str, object]]:
        return {str(row[key]): row for row in rows if isinstance(row, dict)} if isinstance(rows, list) else {}

    old, new = by_key(before), by_key(after)
    found = []
    for name in sorted(old.keys() | new.keys()):
        if name not in new:
            found.append(f"{section} {name}: missing on the copy")
        elif name not in old:
            found.append(f"{section} {name}: on the copy only")
        else:
            for field in sorted(old[name].keys() | new[name].keys()):
                if old[name].get(field) != new[name].get(field):
                    found.append(f"{section} {name}: {field} differs ({old[name].get(field)!r} on the source, "
                                 f"{new[name].get(field)!r} on the copy)")
    return found
