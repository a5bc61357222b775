"""Rows of the `user_email_settings` table, mapped to and from
UserEmailSettings as domain/users.py declares its fields."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fincon_tui.domain.users import DECLARED, UserEmailSettings
from fincon_tui.storage.versioned_table import Repository, SqliteValue, Stored, fold


class UserRepository(Repository[UserEmailSettings]):
    table = "user_email_settings"
    key_column = "user_code"
    kind = "User email settings"
    search_columns = ("user_code", "sender_name", "smtp_name")

    def normalize_key(self, key: str) -> str:
        return key.strip().upper()  # user codes are stored upper-case

    def to_columns(self, user: UserEmailSettings) -> dict[str, object]:
        return DECLARED.to_columns(user)

    def record_reader(self, columns: Sequence[str]) -> Callable[[Sequence[Any]], UserEmailSettings] | None:
        return DECLARED.reader(columns)

    def from_columns(self, row: Mapping[str, Any]) -> UserEmailSettings:
        return DECLARED.from_columns(row)

    def linked_to(self, smtp_name: str, limit: int) -> tuple[list[str], int]:
        """User codes linked to a definition (the first `limit`) and how many in all."""
        codes = self.db.execute(f"SELECT user_code FROM {self.table} WHERE smtp_name = ? ORDER BY user_code "
                                "LIMIT ?", [smtp_name, limit])
        return [code for code, in codes], self._count("smtp_name = ?", [smtp_name])

    def linked_records(self, smtp_name: str) -> list[Stored[UserEmailSettings]]:
        """Every user linked to a definition, in user code order."""
        return self._records("smtp_name = ?", [smtp_name], order_by="user_code")

    def counts(self, smtp_names: list[str]) -> dict[object, int]:
        """How many users are linked to each of these definitions (by folded name)."""
        if not smtp_names:
            return {}
        marks = ", ".join("?" for _ in smtp_names)
        rows = self.db.execute(
            f"SELECT smtp_name, count(*) FROM {self.table} WHERE smtp_name IN ({marks}) GROUP BY smtp_name",
            smtp_names,
        )
        counted: dict[object, int] = {}
        for name, count in rows:
            counted[fold(name)] = counted.get(fold(name), 0) + count
        return counted

    def without_login(self, smtp_name: str) -> int:
        """Users linked to a definition who have no SMTP username of their own."""
        return self._count("smtp_name = ? AND smtp_username IS NULL", [smtp_name])

    def own_logins(self, smtp_name: str) -> list[tuple[str, str]]:
        """(user code, own username) of users linked to a definition with a login of their own."""
        rows = self.db.execute(f"SELECT user_code, smtp_username FROM {self.table} "
                               "WHERE smtp_name = ? AND smtp_username IS NOT NULL", [smtp_name])
        return [(code, username) for code, username in rows]

    def _count(self, where: str, args: Sequence[SqliteValue]) -> int:
        return int(self.db.execute(f"SELECT count(*) FROM {self.table} WHERE {where}", args).fetchone()[0])
