"""The declared field rules (storage/field_rules.py) as SQLite SQL, for
tools that write the tables directly.

Each ColumnRule renders as one condition that a row must meet, with the
message SQLite raises when it does not.  The migrations turn them into
BEFORE INSERT / UPDATE triggers (CHECK constraints cannot be added to an
existing table, and a trigger leaves rows already stored untouched: they
are reported as needing attention and mended in the form).
tests/test_declared_rules.py holds the database against the declarations
and tests/test_constraints.py each rule against the domain's checks.

SQLite knows no IDNA, no Unicode case and no email grammar: host names
and addresses are checked for their shape (characters, dots, one @),
which is where a row written by hand goes wrong.
"""

from __future__ import annotations

from fincon_tui.domain import refused_characters
from fincon_tui.storage import field_rules
from fincon_tui.storage.field_rules import ColumnRule, Columns, Dialect, all_rules

#: The characters the rules refuse and trim (domain/refused_characters.py);
#: NUL, which GLOB cannot see past, is checked as bytes (see `printable`).
UNSAFE = refused_characters.UNSAFE.replace("\0", "")
SPACES = refused_characters.SPACES


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def printable(column: str) -> str:
    """No unsafe character; NUL, which GLOB cannot see past, checked as bytes."""
    return f"{column} NOT GLOB {_literal('*[' + UNSAFE + ']*')} AND instr(CAST({column} AS BLOB), x'00') = 0"


def trimmed(column: str) -> str:
    return f"{column} = trim({column}, {_literal(SPACES)})"


def text(column: str, low: int, high: int) -> str:
    return f"length({column}) BETWEEN {low} AND {high} AND {printable(column)} AND {trimmed(column)}"


def address(column: str) -> str:
    """One address: something@domain.tld, nothing around it."""
    after = f"substr({column}, instr({column}, '@') + 1)"
    forbidden = _literal('*[][ <>(),;:\\"' + SPACES + UNSAFE + "]*")
    return (
        f"length({column}) <= 254 AND {printable(column)} AND {column} GLOB '?*@?*.?*' "
        f"AND instr({after}, '@') = 0 "
        f"AND {column} NOT GLOB {forbidden} "
        f"AND {after} NOT GLOB '*..*' AND {after} NOT GLOB '.*' AND {after} NOT GLOB '*.'"
    )


def host(column: str) -> str:
    """A host name (lower case, dots between labels, hyphens inside) or an IP address."""
    forbidden = _literal("*[][ /@_" + SPACES + UNSAFE + "]*")
    return (
        f"length({column}) BETWEEN 1 AND 253 AND {printable(column)} AND {column} NOT GLOB '*[A-Z]*' "
        f"AND {column} NOT GLOB {forbidden} "
        f"AND {column} NOT GLOB '*..*' AND {column} NOT GLOB '.*' AND {column} NOT GLOB '*.' "
        f"AND {column} NOT GLOB '-*' AND {column} NOT GLOB '*-' "
        f"AND {column} NOT GLOB '*.-*' AND {column} NOT GLOB '*-.*' "
        f"AND (instr({column}, ':') = 0 OR ({column} NOT GLOB '*[^0-9a-f:.]*' "
        f"AND {column} GLOB '*:*:*'))"
    )


def _glob_class(chars: str) -> str:
    return _literal(f"*[^{chars}]*")


#: SQLite's words for the parts of a rule (field_rules.condition).
SQLITE = Dialect(
    name="SQLite",
    literal=_literal,
    only=lambda column, chars: f"{column} NOT GLOB {_glob_class(chars)}",
    no_spaces=lambda column: f"{column} NOT GLOB {_literal('*[' + SPACES + ']*')}",
    text=text,
    trimmed=trimmed,
    host=host,
    address=address,
    whole_number=lambda column, low, high: f"typeof({column}) = 'integer' AND {column} BETWEEN {low} AND {high}",
)


def condition(rule: ColumnRule) -> str:
    """`rule` as an SQLite condition over NEW.<column> (NULL allowed unless required)."""
    return field_rules.condition(rule, SQLITE)


def rules_broken(table: str, row: str, columns: Columns | None = None) -> str:
    """The condition that a stored row of `table` (aliased `row`) breaks a
    declared rule (of the `columns` it has, during a migration)."""
    return field_rules.rules_broken(table, SQLITE, row, "0", columns)


def raise_when_broken(rule: ColumnRule, changed_only: bool = False) -> str:
    """`changed_only` (an update): a value the update keeps as stored is not
    checked again, so a rename carries a row's other legacy values over."""
    said = _literal(f"{rule.table}.{rule.column}: {rule.message}")
    broken = f"NOT coalesce({condition(rule)}, 0)"
    if changed_only:
        broken += f" AND NEW.{rule.column} IS NOT OLD.{rule.column} COLLATE BINARY"
    return f"WHEN {broken} THEN RAISE(ABORT, {said})"


SMTP = "smtp_settings"
USERS = "user_email_settings"

#: The fields m006 gave rules (m012 re-made their update triggers): each
#: step renders the rules of its own time, m013 those of every field.
M006_FIELDS = ("name", "mail_server", "username", "bcc", "smtp_name", "smtp_username", "sender_name",
               "sender_email", "job_title", "telephone", *(f"user_defined_{n}" for n in range(1, 7)))


def _rules(fields: tuple[str, ...] | None, columns: Columns | None = None) -> tuple[ColumnRule, ...]:
    return tuple(rule for rule in all_rules(columns) if fields is None or rule.column in fields)


def _rules_trigger(table: str, name: str, rules: tuple[ColumnRule, ...], changed_only: bool = False) -> str:
    rules = tuple(rule for rule in rules if rule.table == table)
    whens = "\n            ".join(raise_when_broken(rule, changed_only) for rule in rules)
    event = "INSERT" if name == "insert" else f"UPDATE OF {', '.join(rule.column for rule in rules)}"
    return (f"CREATE TRIGGER {table}_rules_{name} BEFORE {event} ON {table} BEGIN\n"
            f"        SELECT CASE\n            {whens}\n        END;\n    END")


def update_triggers(fields: tuple[str, ...] | None = M006_FIELDS, columns: Columns | None = None) -> dict[str, str]:
    """Each table's update trigger as m012 makes it (every field's, None):
    only the values an update changes are checked."""
    rules = _rules(fields, columns)
    return {f"{table}_rules_update": _rules_trigger(table, "update", rules, changed_only=True)
            for table in (SMTP, USERS)}


def insert_triggers(fields: tuple[str, ...] | None = None, columns: Columns | None = None) -> dict[str, str]:
    """Each table's insert trigger: every value of the row is checked."""
    rules = _rules(fields, columns)
    return {f"{table}_rules_insert": _rules_trigger(table, "insert", rules) for table in (SMTP, USERS)}


def rule_triggers(columns: Columns | None = None) -> dict[str, str]:
    """The rule triggers of every declared field, by name, as the database
    has them once m013 (or a later step that calls it) has run; with
    `columns`, of the fields a migration step finds columns for."""
    return {**insert_triggers(None, columns), **update_triggers(None, columns)}


def triggers() -> list[str]:
    """CREATE TRIGGER statements enforcing m006's rules on inserts and
    updates (m012 replaces the update ones, m013 both), and refusing to
    delete a definition that users are linked to."""
    rules = _rules(M006_FIELDS)
    statements = [_rules_trigger(table, name, rules) for table in (SMTP, USERS) for name in ("insert", "update")]
    statements.append(
        "CREATE TRIGGER smtp_settings_in_use BEFORE DELETE ON smtp_settings "
        "WHEN EXISTS (SELECT 1 FROM user_email_settings WHERE smtp_name = OLD.name) BEGIN "
        "SELECT RAISE(ABORT, 'smtp_settings: users are linked to this definition'); END"
    )
    return statements
