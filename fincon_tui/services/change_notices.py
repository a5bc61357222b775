"""Live notices of other admins' changes: what the store's change feed
reports (storage/changes.py), as one notice per record, with the record as
stored now, for the screens to judge whether it is the one they show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from fincon_tui.domain.visible import shown, visible
from fincon_tui.storage.records import fold

if TYPE_CHECKING:
    from fincon_tui.storage.changes import Change
    from fincon_tui.storage.store import Records, Store


@dataclass(frozen=True)
class Notice:
    """What another session did to one record since the last look: `key` is
    the record's key before it (a form shows that one), `key_now` and
    `version` are the record as stored now (None: it is gone)."""

    kind: str
    row_id: str | None
    key: str
    action: str  # created, changed, renamed, deleted
    who: str
    at: str  # ISO-8601 UTC, of the last change
    key_now: str | None
    version: int | None

    def says(self, then: str = "") -> str:
        """'OFFICE was changed by anna at 14:05 – `then`': the names as
        untrusted text, the time local."""
        when = datetime.fromisoformat(self.at).astimezone().strftime("%H:%M")
        done = {"renamed": f"renamed to {shown(self.key_now or '')}"}.get(self.action, self.action)
        text = f"{shown(self.key)} was {done} by {visible(self.who)} at {when}"
        return f"{text} – {then}" if then else text

    def stale(self, row_id: str | None, version: int) -> bool:
        """Whether a record loaded as (`row_id`, `version`) is not the one stored now."""
        return row_id is not None and row_id == self.row_id and self.version != version


def noticed(store: Store) -> list[Notice]:
    """The records other sessions changed since the last call (the first:
    since the store's feed was made), oldest first; run in the store's thread."""
    changes = store.changes().poll()
    if not changes:
        return []
    repos: dict[str, Records[Any]] = {store.smtp.kind: store.smtp, store.users.kind: store.users}
    batches: dict[tuple[str, str | None, str], list[Change]] = {}
    for change in changes:
        batches.setdefault((change.kind, change.row_id, change.key if change.row_id is None else ""), []).append(change)
    notices = []
    for (kind, row_id, _), batch in batches.items():
        first, last = batch[0], batch[-1]
        repo = repos.get(kind)
        now = repo.by_row_id(row_id) if repo is not None and row_id is not None else None
        key = first.renamed_from or first.key
        if now is None:
            action = "deleted"
        elif first.action == "create":
            action = "created"
        elif fold(now.key) != fold(key):
            action = "renamed"
        else:
            action = "changed"
        notices.append(Notice(kind, row_id, key, action, last.who, last.at, now.key if now else None,
                              now.version if now else None))
    return notices
