"""Users' email settings on PostgreSQL (storage.store.UserSettingsRecords).

A user names its definition as the definition is stored: SQLite's
reference ignores case, PostgreSQL's foreign key compares exactly, so a
name typed in another case (or another Unicode form) is written as the
stored definition spells it, and the look-ups by definition go through
the definition's folded name."""

from __future__ import annotations

from typing import Any

from fincon_tui.domain.users import DECLARED, UserEmailSettings
from fincon_tui.storage.postgres.records import Table
from fincon_tui.storage.records import Stored, fold

#: Users of the definition named so, or as it folds (args: `_named`): a
#: rename points the users at the new name after the definition has it.
NAMED = "(smtp_name = %s OR smtp_name IN (SELECT name FROM smtp_settings WHERE name_folded = %s))"


def _named(smtp_name: str) -> list[Any]:
    return [smtp_name, fold(smtp_name)]


class Users(Table[UserEmailSettings]):
    table = "user_email_settings"
    key_column = "user_code"
    kind = "User email settings"
    order_column = "user_code"
    search_columns = ("user_code", "sender_name", "smtp_name")
    columns_of = staticmethod(DECLARED.to_columns)
    record_of = staticmethod(DECLARED.from_columns)
    reader_of = staticmethod(DECLARED.reader)

    def normalize_key(self, key: str) -> str:
        return key.strip().upper()  # user codes are stored upper-case

    def _written(self, record: UserEmailSettings) -> dict[str, Any]:
        columns = self.to_columns(record)
        stored = self.session.value("SELECT name FROM smtp_settings WHERE name_folded = %s",
                                    [fold(record.smtp_name)])
        return {**columns, "smtp_name": stored or columns["smtp_name"]}

    def linked_to(self, smtp_name: str, limit: int) -> tuple[list[str], int]:
        codes = self.session.rows(f"SELECT user_code FROM {self.table} WHERE {NAMED} "
                                  f'ORDER BY user_code COLLATE "C" LIMIT %s', [*_named(smtp_name), limit])
        count = self.session.value(f"SELECT count(*) FROM {self.table} WHERE {NAMED}", _named(smtp_name))
        return [row["user_code"] for row in codes], int(count or 0)

    def linked_records(self, smtp_name: str) -> list[Stored[UserEmailSettings]]:
        return self._select(NAMED, _named(smtp_name), 'user_code COLLATE "C"')

    def counts(self, smtp_names: list[str]) -> dict[object, int]:
        if not smtp_names:
            return {}
        rows = self.session.rows(
            f"SELECT s.name_folded AS folded, count(*) AS users FROM {self.table} u "
            "JOIN smtp_settings s ON s.name = u.smtp_name WHERE s.name_folded = ANY(%s) GROUP BY s.name_folded",
            [[fold(name) for name in smtp_names]],
        )
        return {row["folded"]: int(row["users"]) for row in rows}

    def without_login(self, smtp_name: str) -> int:
        return int(self.session.value(
            f"SELECT count(*) FROM {self.table} WHERE {NAMED} AND smtp_username IS NULL", _named(smtp_name)) or 0)

    def own_logins(self, smtp_name: str) -> list[tuple[str, str]]:
        rows = self.session.rows(
            f"SELECT user_code, smtp_username FROM {self.table} WHERE {NAMED} AND smtp_username IS NOT NULL "
            'ORDER BY user_code COLLATE "C"', _named(smtp_name))
        return [(row["user_code"], row["smtp_username"]) for row in rows]
