"""The audit trail's entries, the same on every engine: who changed which
record when, field by field (Store.audit writes and reads them).

Written in the same transaction as the change it records.  Passwords are
never written: a password change is recorded as the words "password changed".
An entry belongs to its record for good, by the record's row_id: a rename
moves nothing, and a record deleted and created again starts afresh.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PASSWORD_CHANGED = "password changed"
#: A created record's entry names the record it was copied from under this field.
COPIED_FROM = "copied_from"
#: Key columns: only a rename changes one (an update keeps the stored spelling).
KEY_COLUMNS = ("name", "user_code")


@dataclass(frozen=True)
class AuditEntry:
    at: str
    who: str
    action: str
    changes: dict[str, Any]  # field: [old, new]; password: PASSWORD_CHANGED; a secret: what happened

    @property
    def verb(self) -> str:
        """The action as shown: an update that changed the key is a rename."""
        if self.action == "update" and any(key in self.changes for key in KEY_COLUMNS):
            return "rename"
        return self.action

    def describe(self) -> str:
        """'port: 587 -> 2525; password changed'."""
        return "; ".join(self.describe_changes())

    def describe_changes(self, labels: Mapping[str, str] | None = None) -> list[str]:
        """One line per changed field, named by `labels` (a form's) and in
        their order when given: 'Port: 587 -> 2525', 'Password changed'."""
        order = list(labels or ())
        fields = sorted(self.changes, key=lambda field: order.index(field) if field in order else len(order))
        lines = []
        for field in fields:
            change = self.changes[field]
            if change == PASSWORD_CHANGED:
                lines.append(f"{labels.get('password', 'Password')} changed" if labels else PASSWORD_CHANGED)
            elif field == COPIED_FROM:
                lines.append(f"copy of {change[1]}")
            elif isinstance(change, str):  # a secret: what happened to it, never its value
                lines.append(f"{labels.get(field, field) if labels else field}: {change}")
            else:
                old, new = change
                name = labels.get(field, field) if labels else field
                lines.append(f"{name}: {_show(old)} -> {_show(new)}")
        return lines


def _show(value: object) -> str:
    return "(none)" if value in (None, "") else str(value)


def who() -> str:
    """The account running the process, from its real uid (the environment
    cannot fake it); through sudo, the invoking admin too."""
    import pwd

    uid = os.getuid()
    try:
        name = pwd.getpwuid(uid).pw_name
    except KeyError:  # a uid with no passwd entry (a container, say)
        name = f"uid {uid}"
    invoker = os.environ.get("SUDO_USER") if uid == 0 else None
    return f"{name} (sudo by {invoker})" if invoker and invoker != name else name


def differences(old: Mapping[str, object] | None, new: Mapping[str, object] | None) -> dict[str, object]:
    """Field -> [old, new] for every column that differs."""
    old, new = old or {}, new or {}
    return {
        key: [old.get(key), new.get(key)]
        for key in (new or old)
        if old.get(key) != new.get(key)
    }

