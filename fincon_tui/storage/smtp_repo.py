"""Rows of the `smtp_settings` table, mapped to and from SmtpDefinition."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlite_utils import Database

from fincon_tui.domain.smtp import SmtpDefinition
from fincon_tui.storage.errors import RecordChanged, RecordExists

TABLE = "smtp_settings"


@dataclass(frozen=True)
class StoredDefinition:
    """A definition as stored, with its bookkeeping columns."""

    definition: SmtpDefinition
    created_at: str
    updated_at: str
    version: int

    @property
    def name(self) -> str:
        return self.definition.name


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _from_row(row: dict) -> StoredDefinition:
    return StoredDefinition(
        definition=SmtpDefinition(
            name=row["name"],
            mail_server=row["mail_server"],
            authenticate=row["authenticate"] == "Y",
            username=row["username"] or "",
            port=row["port"],
            use_tls=row["use_tls"] == "Y",
            timeout_seconds=row["timeout_seconds"],
            bcc=row["bcc"] or "",
        ),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )


def _columns(definition: SmtpDefinition) -> dict:
    return {
        "mail_server": definition.mail_server,
        "authenticate": "Y" if definition.authenticate else "N",
        "username": definition.username or None,
        "port": definition.port,
        "use_tls": "Y" if definition.use_tls else "N",
        "timeout_seconds": definition.timeout_seconds,
        "bcc": definition.bcc or None,
    }


class SmtpRepository:
    """Reads and writes `smtp_settings`; the caller owns the transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, name: str) -> StoredDefinition | None:
        """The definition named `name`, ignoring case, or None."""
        rows = list(self.db[TABLE].rows_where("name = ?", [name.strip()], limit=1))
        return _from_row(rows[0]) if rows else None

    def insert(self, definition: SmtpDefinition) -> StoredDefinition:
        """Add a new definition; RecordExists if the name (any case) is taken."""
        if self.get(definition.name) is not None:
            raise RecordExists(f"SMTP definition {definition.name} already exists")
        now = utc_now()
        row = {"name": definition.name, **_columns(definition)}
        row.update(created_at=now, updated_at=now, version=1)
        self.db[TABLE].insert(row)
        return _from_row(row)

    def update(self, definition: SmtpDefinition, expected_version: int) -> StoredDefinition:
        """Replace a definition loaded at `expected_version`.

        RecordChanged if another session saved or deleted it since.
        """
        current = self.get(definition.name)
        if current is None or current.version != expected_version:
            raise RecordChanged(definition.name)
        row = {
            "name": current.name,
            **_columns(definition),
            "created_at": current.created_at,
            "updated_at": utc_now(),
            "version": current.version + 1,
        }
        self.db[TABLE].update(current.name, row)
        return _from_row(row)
