"""The declared field rules (storage/field_rules.py) in PostgreSQL's SQL:
what storage/constraints.py renders for SQLite, condition for condition,
so that both engines take and refuse the same values with the same words.

Each table gets one BEFORE INSERT OR UPDATE trigger whose function checks
every declared field (an update only the values it changes, as SQLite's
update triggers do) and raises 'table.column: what it takes' as a
check_violation, which errors.py turns into the app's message.  SQLite's
GLOB classes become regular expressions over code points; PostgreSQL's
text holds no NUL, so the NUL check has nothing to do here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fincon_tui.storage import field_rules
from fincon_tui.storage.constraints import SPACES, UNSAFE
from fincon_tui.storage.field_rules import OWNER_KINDS, ColumnRule, Columns, Dialect, all_rules

if TYPE_CHECKING:
    from psycopg import Connection

TABLES = ("smtp_settings", "user_email_settings")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _class(chars: str) -> str:
    """`chars` (one character each) as the inside of a regular expression's
    bracket class, in runs of code points written as escapes."""
    points = sorted({ord(char) for char in chars})
    runs: list[tuple[int, int]] = []
    for point in points:
        if runs and point == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], point)
        else:
            runs.append((point, point))

    def escaped(point: int) -> str:
        return f"\\u{point:04x}" if point <= 0xFFFF else f"\\U{point:08x}"

    return "".join(escaped(low) if low == high else f"{escaped(low)}-{escaped(high)}" for low, high in runs)


def _none_of(column: str, chars: str) -> str:
    return f"{column} !~ {_literal('[' + _class(chars) + ']')}"


def printable(column: str) -> str:
    return _none_of(column, UNSAFE)


def trimmed(column: str) -> str:
    return f"{column} = btrim({column}, {_literal(SPACES)})"


def text(column: str, low: int, high: int) -> str:
    return f"length({column}) BETWEEN {low} AND {high} AND {printable(column)} AND {trimmed(column)}"


def _only(column: str, chars: str) -> str:
    """Only characters of `chars`, a class as the declaration writes it ('A-Z0-9._-')."""
    return f"{column} !~ {_literal('[^' + chars + ']')}"


def address(column: str) -> str:
    after = f"substr({column}, strpos({column}, '@') + 1)"
    return (
        f"length({column}) <= 254 AND {printable(column)} AND {column} ~ '^.+@.+[.].+$' "
        f"AND strpos({after}, '@') = 0 "
        f"AND {_none_of(column, '[] <>(),;:' + chr(92) + chr(34) + SPACES + UNSAFE)} "
        f"AND strpos({after}, '..') = 0 AND {after} !~ '^[.]' AND {after} !~ '[.]$'"
    )


def host(column: str) -> str:
    return (
        f"length({column}) BETWEEN 1 AND 253 AND {printable(column)} AND {column} !~ '[A-Z]' "
        f"AND {_none_of(column, '[] /@_' + SPACES + UNSAFE)} "
        f"AND strpos({column}, '..') = 0 AND {column} !~ '^[.]' AND {column} !~ '[.]$' "
        f"AND {column} !~ '^-' AND {column} !~ '-$' "
        f"AND strpos({column}, '.-') = 0 AND strpos({column}, '-.') = 0 "
        f"AND (strpos({column}, ':') = 0 OR ({column} !~ '[^0-9a-f:.]' AND {column} ~ ':.*:'))"
    )


#: PostgreSQL's words for the parts of a rule (field_rules.condition).
POSTGRES = Dialect(
    name="PostgreSQL",
    literal=_literal,
    only=_only,
    no_spaces=lambda column: _none_of(column, SPACES),
    text=text,
    trimmed=trimmed,
    host=host,
    address=address,
    whole_number=lambda column, low, high: f"{column} BETWEEN {low} AND {high}",
)


def condition(rule: ColumnRule) -> str:
    """`rule` as a PostgreSQL condition over NEW.<column> (NULL allowed unless required)."""
    return field_rules.condition(rule, POSTGRES)


def rules_broken(table: str, row: str, columns: Columns | None = None) -> str:
    """The condition that a stored row of `table` (aliased `row`) breaks a
    declared rule (of the `columns` it has, during a migration)."""
    return field_rules.rules_broken(table, POSTGRES, row, "false", columns)


def _check(rule: ColumnRule) -> str:
    said = _literal(f"{rule.table}.{rule.column}: {rule.message}")
    changed = f"TG_OP = 'INSERT' OR NEW.{rule.column} IS DISTINCT FROM OLD.{rule.column}"
    return (f"IF ({changed}) AND NOT coalesce({condition(rule)}, false) THEN\n"
            f"        RAISE EXCEPTION USING MESSAGE = {said}, ERRCODE = 'check_violation';\n"
            f"    END IF;")


def rule_functions(columns: Columns | None = None) -> dict[str, str]:
    """Each table's trigger function, by name, from the declarations as they
    are now; with `columns`, of the fields a schema step finds columns for."""
    made = {}
    for table in TABLES:
        checks = "\n    ".join(_check(rule) for rule in all_rules(columns) if rule.table == table)
        made[f"{table}_rules"] = (
            f"CREATE OR REPLACE FUNCTION {table}_rules() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n    {checks}\n    RETURN NEW;\nEND $$"
        )
    return made


def refresh_rules(conn: Connection) -> None:
    """The rule triggers re-made from the declarations as they are now (a
    schema step that adds or changes a declared field calls this again),
    and (from m019 on) the rows stored that break them noted."""
    for name, statement in rule_functions(_columns(conn)).items():
        conn.execute(statement)
        table = name.removesuffix("_rules")
        conn.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        conn.execute(f"CREATE TRIGGER {name} BEFORE INSERT OR UPDATE ON {table} "
                     f"FOR EACH ROW EXECUTE FUNCTION {name}()")
    found = conn.execute("SELECT to_regclass('rows_before_rules') IS NOT NULL").fetchone()
    if found and found[0]:
        note_rows_before_rules(conn)


def note_rows_before_rules(conn: Connection) -> None:
    """Note each stored row that breaks a declared rule as they are now."""
    columns = _columns(conn)
    for table, kind in OWNER_KINDS.items():
        conn.execute(f"INSERT INTO rows_before_rules (owner_kind, row_id) "
                     f"SELECT '{kind}', r.row_id FROM {table} AS r "
                     f"WHERE r.row_id IS NOT NULL AND {rules_broken(table, 'r', columns)} ON CONFLICT DO NOTHING")


def _columns(conn: Connection) -> dict[str, set[str]]:
    """The record tables' columns as this schema step finds them: a declared
    field whose column a later step adds has no rule before it."""
    rows = conn.execute("SELECT table_name, column_name FROM information_schema.columns "
                        "WHERE table_schema = current_schema() AND table_name = ANY(%s)",
                        [list(OWNER_KINDS)]).fetchall()
    found: dict[str, set[str]] = {table: set() for table in OWNER_KINDS}
    for table, column in rows:
        found[table].add(column)
    return found
