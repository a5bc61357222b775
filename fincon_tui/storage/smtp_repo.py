"""Rows of the `smtp_settings` table, mapped to and from SmtpDefinition as
domain/smtp.py declares its fields."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fincon_tui.domain.smtp import DECLARED, SmtpDefinition
from fincon_tui.storage.versioned_table import Repository


class SmtpRepository(Repository[SmtpDefinition]):
    table = "smtp_settings"
    key_column = "name"
    kind = "SMTP definition"
    search_columns = ("name", "mail_server")
    folded_column = "name_folded"

    def to_columns(self, definition: SmtpDefinition) -> dict[str, object]:
        return DECLARED.to_columns(definition)

    def record_reader(self, columns: Sequence[str]) -> Callable[[Sequence[Any]], SmtpDefinition] | None:
        return DECLARED.reader(columns)

    def from_columns(self, row: Mapping[str, Any]) -> SmtpDefinition:
        return DECLARED.from_columns(row)
