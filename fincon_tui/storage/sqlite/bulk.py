"""storage.store.BulkRows on a SQLite file (see storage/bulk.py): the
whole database read with its text as bytes, so that what is not UTF-8 or
holds a NUL is named rather than changed, and written as is."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from fincon_tui.storage import secret_rows
from fincon_tui.storage.bulk import DERIVED, ORDER, TABLES, Contents, Progress, Row, as_read, chunks, record_of, refused
from fincon_tui.storage.records import fold
from fincon_tui.storage.translate import database_error, translate_methods

if TYPE_CHECKING:
    from fincon_tui.storage.connection import Connection


class SqliteBulk:
    def __init__(self, db: Connection) -> None:
        self.db = db

    def counts(self) -> dict[str, int]:
        return {table: int(self.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]) for table in TABLES}

    def contents(self) -> Contents:
        conn = self.db.conn
        factory = conn.text_factory
        conn.text_factory = bytes
        bad: list[str] = []
        try:
            tables = {}
            for table in TABLES:
                order = ", ".join(f"{column} COLLATE BINARY" for column in ORDER[table])
                cursor = conn.execute(f"SELECT * FROM {table} ORDER BY {order}")
                columns = [described[0] for described in cursor.description]
                dropped = DERIVED.get(table, ())
                tables[table] = [as_read(table, ((name, value) for name, value in zip(columns, values, strict=True)
                                                 if name not in dropped), bad) for values in cursor]
        finally:
            conn.text_factory = factory
        return Contents(secret_rows.database_id(self.db), secret_rows.key_id(self.db), tables, tuple(bad))

    def put_contents(self, contents: Contents, progress: Progress) -> None:
        for table in TABLES:
            rows = contents.tables.get(table, [])
            if rows:
                self._insert(table, rows, progress)
        self.db.execute("UPDATE database_info SET database_id = ?, key_id = ? WHERE id = 1",
                        [contents.database_id, contents.key_id])

    def _insert(self, table: str, rows: list[Row], progress: Progress) -> None:
        """Row by row (SQLite runs them in-process: 10,000 rows in tens of
        ms), so that a refusal names its record."""
        columns = list(rows[0])
        made = table == "smtp_settings"  # its name_folded (DERIVED), made from each name
        names = [*columns, "name_folded"] if made else columns
        sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
        conn = self.db.conn
        for chunk in chunks(rows):
            for row in chunk:
                try:
                    conn.execute(sql, [row[column] for column in columns] + ([fold(row["name"])] if made else []))
                except sqlite3.Error as error:
                    raise refused(record_of(table, row), database_error(error, self.db.file)) from None
            progress(len(chunk))


translate_methods(SqliteBulk)
