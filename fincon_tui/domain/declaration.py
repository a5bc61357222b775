"""One declaration per field, and what is derived from it.

A Field says once what a form, the CLI, an export and a database table
need to know about one value: its name (the form key, the export name and
the column), label, rule (domain/value_rules.py), width, default, hint,
help and CLI option.  A Declaration gathers a record kind's fields and derives, once at
import, its labels, a new record's defaults, the form's text of a record,
the per-field checks, and the mapping to and from a table's columns.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any, Generic, NamedTuple, TypeVar

from fincon_tui._exceptions import FieldError
from fincon_tui.domain import fields
from fincon_tui.domain.value_rules import Rule, WholeNumber


class Link(NamedTuple):
    """A value that names another record: its table's key column; `refusal`
    is what the database says of a name that no row has."""

    table: str
    column: str
    refusal: str


class Option(NamedTuple):
    """A field's option of the CLI's `set` and `copy`."""

    flag: str
    metavar: str
    help: str


class Field(NamedTuple):
    """One field, declared once.  `rule` None: a secret, checked with its
    record and kept sealed, never in the row.  `member` (attribute, index):
    the record holds it in a tuple.  `link`: the declaration whose key the
    value names.  `help_term`: the help's term when one row explains
    several fields; `help` empty: explained under an earlier field's term."""

    name: str
    label: str
    rule: Rule | None = None
    width: int = 0
    default: str | None = None
    hint: str = ""
    help: str = ""
    help_term: str = ""
    option: Option | None = None
    member: tuple[str, int] | None = None
    link: Link | None = None
    #: The hint of a one-letter field when a key it does not take is typed.
    typing_hint: str = ""
    #: Shown as wide as the form allows (long identifiers).
    wide: bool = False

    @property
    def size(self) -> int:
        """The most characters the form's field takes."""
        return self.width or (self.rule.width if self.rule else 0)


R = TypeVar("R")


class Declaration(Generic[R]):
    """A record kind's fields in screen (and Tab) order, with what derives
    from them; `record` is built from the checked values by field name."""

    def __init__(self, record: Callable[..., R], kind: str, table: str, declared: tuple[Field, ...]) -> None:
        self.record, self.kind, self.table, self.fields = record, kind, table, declared
        self.key = declared[0].name
        self.labels: dict[str, str] = {f.name: f.label for f in declared}
        self.defaults: dict[str, str] = {f.name: f.default for f in declared if f.default is not None}
        #: The fields kept in the record's row, each its own column.
        self.stored: tuple[Field, ...] = tuple(f for f in declared if f.rule is not None)
        self.options: tuple[Field, ...] = tuple(f for f in declared if f.option is not None)
        self._plain = tuple(f.name for f in self.stored if f.member is None)
        members = sorted((f.member, f.name) for f in self.stored if f.member is not None)
        #: Each tuple attribute's fields, in index order.
        self._members: dict[str, tuple[str, ...]] = {}
        for (attribute, _), name in members:
            self._members[attribute] = (*self._members.get(attribute, ()), name)
        self._getters = tuple((f.name, f.rule, _getter(f)) for f in self.stored if f.rule is not None)
        self._readers = tuple((f.name, f.rule.from_column) for f in self.stored if f.rule is not None)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def form_values(self, record: R) -> dict[str, str]:
        """The record as the text a form shows (secrets excluded)."""
        return {name: rule.as_text(get(record)) for name, rule, get in self._getters}

    def shown(self, record: R) -> dict[str, object]:
        """The record's values for a report (the CLI's show and --json): as
        the form shows them, numbers as numbers."""
        return {name: get(record) if isinstance(rule, WholeNumber) else rule.as_text(get(record))
                for name, rule, get in self._getters}

    def build(self, clean: Mapping[str, object]) -> R:
        """The record of checked values by field name."""
        plain = {name: clean[name] for name in self._plain if name in clean}
        for attribute, names in self._members.items():
            plain[attribute] = tuple(clean[name] for name in names)
        return self.record(**plain)

    def check(self, form: fields.FormChecker) -> None:
        """Each stored field's own rule over the form's values."""
        for f in self.stored:
            if f.rule is not None:
                form.check(f.name, f.rule.check)

    def trusted(self, record: R) -> fields.FormChecker:
        """A checker holding `record`'s values as checked: for the rules
        between fields over a stored record whose values the database's
        rules already hold (no field's own rule is run again)."""
        form = fields.FormChecker({}, self.labels)
        form.clean = {name: get(record) for name, _, get in self._getters}
        return form

    def check_one(self, name: str, raw: str) -> Any:
        """One field's rule, its error naming the field."""
        rule = self.field(name).rule
        assert rule is not None
        try:
            return rule.check(raw)
        except FieldError as error:
            raise error.for_field(name) from None

    def to_columns(self, record: R) -> dict[str, object]:
        """The record as its row's columns."""
        return {name: rule.to_column(get(record)) for name, rule, get in self._getters}

    def from_columns(self, row: Mapping[str, Any]) -> R:
        """The record of a stored row."""
        return self.build({name: read(row.get(name)) for name, read in self._readers})

    def help(self) -> tuple[tuple[str, str], ...]:
        """The form's help rows: (term, explanation), in screen order."""
        return tuple((f.help_term or f.label, f.help) for f in self.fields if f.help)


def _getter(declared: Field) -> Callable[[Any], Any]:
    """Reads a field's clean value from its record."""
    if declared.member is None:
        return operator.attrgetter(declared.name)
    attribute, index = declared.member
    return lambda record: getattr(record, attribute)[index]
