"""One declaration per field, and what is derived from it.

A Field says once what a form, the CLI, an export and a database table
need to know about one value: its name (the form key, the export name and
the column), label, rule (domain/value_rules.py), width, default, hint,
help, CLI option and column note.  A Declaration gathers a record kind's fields and derives, once at
import, its labels, a new record's defaults, the form's text of a record,
the per-field checks, and the mapping to and from a table's columns.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping, Sequence
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
    #: What its column means to another tool, beyond its label and rule
    #: (docs/storage.md's tables are written from these: `make docs`).
    column: str = ""

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
        #: from_columns's: the plain attributes' readers, and each tuple's, in index order.
        readers = dict(self._readers)
        self._plain_readers = tuple((name, readers[name]) for name in self._plain)
        self._member_readers = tuple((attribute, tuple((name, readers[name]) for name in names))
                                     for attribute, names in self._members.items())
        #: The stored fields' names, and their values of a record in one call (a list reads 20,000).
        self._names = tuple(name for name, _, _ in self._getters)
        self._values = _values_getter(self.stored, self._members) or (
            lambda record: tuple(get(record) for _, _, get in self._getters))
        self._texts = tuple(rule.as_text for _, rule, _ in self._getters if rule is not None)
        #: For `shown`: None where the value is shown as it is (a number).
        self._shown = tuple(None if isinstance(rule, WholeNumber) else rule.as_text
                            for _, rule, _ in self._getters if rule is not None)
        self._reader_of: dict[tuple[str, ...], Callable[[Sequence[Any]], R] | None] = {}
        self._clean = _clean_getter(record, self._plain, self._members) or (
            lambda record: dict(zip(self._names, self._values(record), strict=True)))

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def form_values(self, record: R) -> dict[str, str]:
        """The record as the text a form shows (secrets excluded)."""
        return {name: text(value)
                for name, text, value in zip(self._names, self._texts, self._values(record), strict=True)}

    def shown(self, record: R) -> dict[str, object]:
        """The record's values for a report (the CLI's show and --json, an
        export): as the form shows them, numbers as numbers."""
        return {name: value if text is None else text(value)
                for name, text, value in zip(self._names, self._shown, self._values(record), strict=True)}

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
        form.clean = self._clean(record)
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
        get = row.get
        values = {name: read(get(name)) for name, read in self._plain_readers}
        for attribute, readers in self._member_readers:
            values[attribute] = tuple([read(get(name)) for name, read in readers])
        return self.record(**values)

    def reader(self, columns: Sequence[str]) -> Callable[[Sequence[Any]], R] | None:
        """What from_columns makes of a row, for rows given as tuples of
        `columns` (a query's): each value read by its index and the record
        built by position, for a list of 20,000.  None when the record's
        attributes are not all the declared fields (or `columns` lacks one).
        Made once for each set of columns: a Work with page asks on every page."""
        key = tuple(columns)
        if key not in self._reader_of:
            self._reader_of[key] = self._reader(key)
        return self._reader_of[key]

    def _reader(self, columns: Sequence[str]) -> Callable[[Sequence[Any]], R] | None:
        import dataclasses

        at = {name: index for index, name in enumerate(columns)}
        readers = dict(self._readers)
        plan: list[tuple[int, Callable[[Any], Any], tuple[tuple[int, Callable[[Any], Any]], ...] | None]] = []
        for attribute in dataclasses.fields(self.record):  # type: ignore[arg-type]  # a dataclass
            names = self._members.get(attribute.name, (attribute.name,))
            if any(name not in readers or name not in at for name in names):
                return None
            if attribute.name in self._members:
                plan.append((0, readers[names[0]], tuple((at[name], readers[name]) for name in names)))
            else:
                plan.append((at[attribute.name], readers[attribute.name], None))
        record = self.record
        steps = tuple(plan)
        made = fields_maker(record)
        if made is not None:  # the record's attributes at once, by name in their order
            names = tuple(attribute.name for attribute in dataclasses.fields(self.record))  # type: ignore[arg-type]  # a dataclass
            if not self._members:
                named = tuple((name, index, read) for name, (index, read, _) in zip(names, steps, strict=True))
                return lambda row: made({name: read(row[index]) for name, index, read in named})
            spread = tuple(zip(names, steps, strict=True))
            return lambda row: made({name: read(row[index]) if each is None else tuple([r(row[i]) for i, r in each])
                                     for name, (index, read, each) in spread})
        if not self._members:
            simple = tuple((index, read) for index, read, _ in steps)
            return lambda row: record(*[read(row[index]) for index, read in simple])
        return lambda row: record(*[read(row[index]) if each is None else tuple([r(row[i]) for i, r in each])
                                    for index, read, each in steps])

    def help(self) -> tuple[tuple[str, str], ...]:
        """The form's help rows: (term, explanation), in screen order."""
        return tuple((f.help_term or f.label, f.help) for f in self.fields if f.help)


@functools.cache
def fields_maker(cls: Any) -> Callable[[dict[str, Any]], Any] | None:
    """For a frozen dataclass: its instance from a dict holding every one of
    its fields' values by name, in their order, given to the instance as its
    attributes at once instead of through its generated __init__, which sets
    each through object.__setattr__ (a definition's 11: 3.4 µs, at once 1.8;
    a list of 20,000 users makes 40,000 records).  The same instance, equal
    and alike (tests/test_declared_rules.py); None where it would not be:
    not a frozen dataclass, slots, or an __init__ that does more (a
    __post_init__, an InitVar, a field it does not take).  Found once a class
    (a Work with page asks on every page)."""
    import dataclasses

    if (not isinstance(cls, type) or not dataclasses.is_dataclass(cls)
            or not cls.__dataclass_params__.frozen  # type: ignore[attr-defined]  # every dataclass has its params
            or "__slots__" in vars(cls) or hasattr(cls, "__post_init__")
            or any(not attribute.init for attribute in dataclasses.fields(cls))
            or len(cls.__dataclass_fields__) != len(dataclasses.fields(cls))):  # an InitVar (or a ClassVar)
        return None
    new, attributes = object.__new__, object.__setattr__

    def made(values: dict[str, Any]) -> Any:
        instance = new(cls)
        attributes(instance, "__dict__", values)
        return instance

    return made


def _values_getter(stored: tuple[Field, ...], members: Mapping[str, tuple[str, ...]],
                   ) -> Callable[[Any], tuple[Any, ...]] | None:
    """The stored fields' values of a record, in their order, in one or two
    C calls: when the fields held in tuples come last, each tuple whole and
    in order (as they are declared today); else None."""
    plain = [f.name for f in stored if f.member is None]
    tuples = list(members)
    expected = plain + [name for attribute in tuples for name in members[attribute]]
    in_order = [f.name for f in stored] == expected and all(
        [f.member for f in stored if f.member and f.member[0] == attribute] ==
        [(attribute, index) for index in range(len(members[attribute]))] for attribute in tuples)
    if not in_order or len(plain) < 2:
        return None
    of_plain = operator.attrgetter(*plain)
    if not tuples:
        return of_plain
    of_tuples = operator.attrgetter(*tuples) if len(tuples) > 1 else None
    if of_tuples is None:
        [attribute] = tuples
        return lambda record: of_plain(record) + getattr(record, attribute)
    return lambda record: of_plain(record) + sum(of_tuples(record), ())


def _clean_getter(record: Callable[..., Any], plain: tuple[str, ...], members: Mapping[str, tuple[str, ...]],
                  ) -> Callable[[Any], dict[str, Any]] | None:
    """The stored fields' values of a record by name, as a copy of its
    attributes (each tuple's spread out) when the record's attributes are
    exactly the stored fields (a list's row: 0.3 µs, and 1.4 µs by zip);
    else None."""
    import dataclasses

    if not isinstance(record, type) or not dataclasses.is_dataclass(record) or "__slots__" in vars(record):
        return None
    if sorted(field.name for field in dataclasses.fields(record)) != sorted((*plain, *members)):
        return None
    spread = tuple(members.items())

    def clean(made: Any) -> dict[str, Any]:
        values: dict[str, Any] = vars(made).copy()
        for attribute, names in spread:
            values.update(zip(names, values.pop(attribute), strict=True))
        return values

    return clean


def _getter(declared: Field) -> Callable[[Any], Any]:
    """Reads a field's clean value from its record."""
    if declared.member is None:
        return operator.attrgetter(declared.name)
    attribute, index = declared.member
    return lambda record: getattr(record, attribute)[index]
