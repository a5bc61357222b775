"""The database's own field rules, engine-neutral: one ColumnRule per
stored field, as domain/smtp_fields.py and domain/user_fields.py declare
it.  Each engine renders them in its own SQL (storage/constraints.py for
SQLite's triggers), so that a table refuses what the form refuses, with
the field's own description of what it takes."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any, NamedTuple

from fincon_tui._exceptions import FieldError
from fincon_tui.domain import smtp, users
from fincon_tui.domain.declaration import Declaration, Link
from fincon_tui.domain.value_rules import Choice, Code, Email, Host, Rule, Text, WholeNumber, YesNo

#: How `rows_before_rules` (m019) names each table's rows: as secrets name their owners.
OWNER_KINDS = {"smtp_settings": "smtp", "user_email_settings": "user"}
#: The record kinds whose tables carry field rules, parents first.
DECLARATIONS: tuple[Declaration[Any], ...] = (smtp.DECLARED, users.DECLARED)


class ColumnRule(NamedTuple):
    """What one column of `table` must hold: `rule` (a domain rule), or a
    key of `link`'s table; NULL too unless `required`.  `message` is what
    the database says when a row breaks it."""

    table: str
    column: str
    rule: Rule
    link: Link | None
    required: bool
    message: str


def column_rules(declaration: Declaration[Any]) -> tuple[ColumnRule, ...]:
    """Each stored field's rule, in the declaration's order."""
    rules = []
    for field in declaration.stored:
        assert field.rule is not None  # stored: every field with a rule
        required = field.rule.required
        said = field.link.refusal if field.link else field.rule.says()
        message = said if required or field.link else f"NULL or {said}"
        rules.append(ColumnRule(declaration.table, field.name, field.rule, field.link, required, message))
    return tuple(rules)


def column_definition(table: str, column: str) -> str:
    """The column of a declared field as an ALTER TABLE ... ADD COLUMN
    writes it, in the words both engines take: TEXT, or INTEGER for a whole
    number; NOT NULL with the declared default (for the rows stored) when
    the rule requires a value, else NULL when empty.  The field's rule is
    the rule triggers' (refresh_rules), not a CHECK."""
    declaration = next(d for d in DECLARATIONS if d.table == table)
    field = declaration.field(column)
    if field.rule is None:
        raise ValueError(f"{table}.{column} is a secret: it has no column")
    kind = "INTEGER" if isinstance(field.rule, WholeNumber) else "TEXT"
    if not field.rule.required:
        return f"{column} {kind}"
    try:
        default = field.rule.to_column(field.rule.check(field.default or ""))
    except FieldError:
        raise ValueError(f"{table}.{column} is required: its default must be one its rule takes, "
                         "for the rows stored") from None
    literal = str(default) if isinstance(default, int) else "'" + str(default).replace("'", "''") + "'"
    return f"{column} {kind} NOT NULL DEFAULT {literal}"


#: A database's columns by table, as a migration step finds them: the rules
#: rendered for it are those of the declared fields it has columns for.
Columns = Mapping[str, Collection[str]]


def all_rules(columns: Columns | None = None) -> tuple[ColumnRule, ...]:
    """Every table's rules, parents first; with `columns`, only those of the
    columns a table has: a step before the one that adds a field's column
    renders the rules without it, as that step's own time had them."""
    return tuple(rule for declaration in DECLARATIONS for rule in column_rules(declaration)
                 if columns is None or rule.column in columns.get(rule.table, ()))


class Dialect(NamedTuple):
    """How one engine writes the parts of a rule's condition over `column`
    (each takes the column as written in the condition, NEW.<name>)."""

    name: str
    literal: Callable[[str], str]
    only: Callable[[str, str], str]  # only characters of a class ('A-Z0-9._-')
    no_spaces: Callable[[str], str]
    text: Callable[[str, int, int], str]  # printable, trimmed, length from..to
    trimmed: Callable[[str], str]
    host: Callable[[str], str]
    address: Callable[[str], str]
    whole_number: Callable[[str, int, int], str]


def condition(rule: ColumnRule, dialect: Dialect, row: str = "NEW") -> str:
    """`rule` as `dialect`'s condition over <row>.<column> (NULL allowed
    unless required): the one reading of the rules both engines render, in
    a trigger (NEW) and in a query of the rows stored (`row`, the table's alias)."""
    column, kind = f"{row}.{rule.column}", rule.rule
    if rule.link is not None:
        held = f"EXISTS (SELECT 1 FROM {rule.link.table} WHERE {rule.link.column} = {column})"
    elif isinstance(kind, Text) and kind.chars:
        held = (f"{dialect.only(column, kind.chars)} AND length({column}) BETWEEN {kind.low} AND {kind.high} "
                f"AND {dialect.trimmed(column)}")
    elif isinstance(kind, Text):
        held = dialect.text(column, kind.low, kind.high)
        if not kind.spaces:
            held += f" AND {dialect.no_spaces(column)}"
    elif isinstance(kind, Code):
        held = f"{dialect.only(column, kind.chars)} AND length({column}) BETWEEN 1 AND {kind.high}"
    elif isinstance(kind, Host):
        held = dialect.host(column)
    elif isinstance(kind, Email):
        held = dialect.address(column)
    elif isinstance(kind, YesNo):
        held = f"{column} IN ('Y', 'N')"
    elif isinstance(kind, WholeNumber):
        held = dialect.whole_number(column, kind.low, kind.high)
    elif isinstance(kind, Choice):
        held = f"{column} IN ({', '.join(dialect.literal(choice) for choice in kind.choices)})"
    else:
        raise TypeError(f"no {dialect.name} rendering for {type(kind).__name__}")
    return held if rule.required else f"({column} IS NULL OR ({held}))"


def rules_broken(declaration_table: str, dialect: Dialect, row: str, false: str,
                 columns: Columns | None = None) -> str:
    """The condition that a row of `declaration_table` (aliased `row`)
    breaks one of its declared rules: what a row stored before the rule
    existed does, and no row written since (the triggers refuse them)."""
    held = [f"coalesce({condition(rule, dialect, row)}, {false})" for rule in all_rules(columns)
            if rule.table == declaration_table]
    return "NOT (" + " AND ".join(held) + ")"
