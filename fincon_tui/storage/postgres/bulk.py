"""storage.store.BulkRows on PostgreSQL (see storage/bulk.py): the tables
read as the storage contract's columns (name_folded left out, the audit
trail's changes as the text written), and written as is, name_folded made
from each name and the audit trail's id sequence moved past the last id
copied (and the login tests'), so that the next entry follows them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fincon_tui._exceptions import StorageError
from fincon_tui.storage.bulk import (
    DERIVED,
    NUMBERED,
    ORDER,
    TABLES,
    WRITING,
    Contents,
    Progress,
    Row,
    chunks,
    record_of,
    refused,
)
from fincon_tui.storage.postgres.errors import database_error, translate_methods
from fincon_tui.storage.records import fold

if TYPE_CHECKING:
    from fincon_tui.storage.postgres.session import Session

#: Columns whose values are cast on writing.
CASTS = {"changes": "::json"}
#: The audit trail as written: `changes` is json, read back as its text.
AUDIT_COLUMNS = "id, at, who, kind, record_key, action, changes::text AS changes, row_id"


class PostgresBulk:
    def __init__(self, session: Session) -> None:
        self.session = session

    def counts(self) -> dict[str, int]:
        return {table: int(self.session.value(f"SELECT count(*) FROM {table}")) for table in TABLES}

    def contents(self) -> Contents:
        tables: dict[str, list[Row]] = {}
        for table in TABLES:
            columns = AUDIT_COLUMNS if table == "audit_log" else "*"
            rows = self.session.rows(f'SELECT {columns} FROM {table} ORDER BY {_ordered(table)}')
            dropped = DERIVED.get(table, ())
            tables[table] = [{name: _value(value) for name, value in row.items() if name not in dropped}
                             for row in rows]
        info = self.session.row("SELECT database_id, key_id FROM database_info WHERE id = 1")
        if info is None:
            raise StorageError("the table database_info has lost its row (removed by another tool?): "
                               "restore it from a backup")
        return Contents(info["database_id"], info["key_id"], tables)

    def put_contents(self, contents: Contents, progress: Progress) -> None:
        import psycopg

        for table in TABLES:
            rows = contents.tables.get(table, [])
            if rows:
                try:
                    self._insert(table, rows, progress)
                except psycopg.Error as error:
                    raise refused(WRITING[table], database_error(error)) from None
        for table in NUMBERED:
            self.session.run(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table} "
                             "HAVING max(id) IS NOT NULL")
        self.session.run("UPDATE database_info SET database_id = %s, key_id = %s WHERE id = 1",
                         [contents.database_id, contents.key_id])
        # The planner's statistics of the rows written now, not at autovacuum's next look: without them a
        # Work with page of 20 definitions counted its users by reading all 20,000 (4 ms, and 0.3 ms with).
        written = [table for table in TABLES if contents.tables.get(table)]
        if written:
            self.session.run(f"ANALYZE {', '.join(written)}")

    def _insert(self, table: str, rows: list[Row], progress: Progress) -> None:
        """A chunk at a time (executemany: one round trip, not one a row);
        a refused chunk is written again row by row, to name its record."""
        import psycopg

        columns = list(rows[0])
        made = table == "smtp_settings"
        names = [*columns, "name_folded"] if made else columns
        marks = [f"%s{CASTS.get(column, '')}" for column in names]
        sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(marks)})"
        def values(row: Row) -> list[Any]:
            return [row[column] for column in columns] + ([fold(row["name"])] if made else [])

        with self.session.conn.cursor() as cursor:
            for chunk in chunks(rows):
                cursor.execute("SAVEPOINT bulk_chunk")
                try:
                    cursor.executemany(sql, [values(row) for row in chunk])
                except psycopg.Error:
                    cursor.execute("ROLLBACK TO SAVEPOINT bulk_chunk")
                    self._name_the_refused(cursor, sql, table, [(row, values(row)) for row in chunk])
                    raise
                progress(len(chunk))

    @staticmethod
    def _name_the_refused(cursor: Any, sql: str, table: str, rows: list[tuple[Row, list[Any]]]) -> None:
        """The chunk again, row by row: the refusal, naming its record (the
        transaction is rolled back by the caller all the same)."""
        import psycopg

        for row, values in rows:
            try:
                cursor.execute(sql, values)
            except psycopg.Error as error:
                raise refused(record_of(table, row), database_error(error)) from None


def _ordered(table: str) -> str:
    """ORDER's columns, text in byte order."""
    return ", ".join(f'{column} COLLATE "C"' if column != "id" else column for column in ORDER[table])


def _value(value: Any) -> Any:
    """bytea comes back as memoryview or bytes: the contract's bytes."""
    return bytes(value) if isinstance(value, memoryview) else value


translate_methods(PostgresBulk)
