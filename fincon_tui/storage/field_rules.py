"""The database's own field rules, engine-neutral: one ColumnRule per
stored field, as domain/smtp_fields.py and domain/user_fields.py declare
it.  Each engine renders them in its own SQL (storage/constraints.py for
SQLite's triggers), so that a table refuses what the form refuses, with
the field's own description of what it takes."""

from __future__ import annotations

from typing import Any, NamedTuple

from fincon_tui.domain import smtp, users
from fincon_tui.domain.declaration import Declaration, Link
from fincon_tui.domain.value_rules import Rule

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


def all_rules() -> tuple[ColumnRule, ...]:
    """Every table's rules, parents first."""
    return tuple(rule for declaration in DECLARATIONS for rule in column_rules(declaration))
