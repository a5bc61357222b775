"""One declaration per field, and what is derived from it.

A Field says once what a form, the CLI, an export and a database table
need to know about one value: its name (the form key, the export name and
the column), label, rule, width, default, hint, help and CLI option.  The
rules are data (Text, Code, Host, Email, YesNo, WholeNumber, Choice): the
domain checks a typed value with `check`, and each database engine
translates the same rule into its own SQL (storage/constraints.py for
SQLite).  A Declaration gathers a record kind's fields and derives, once at
import, its labels, a new record's defaults, the form's text of a record,
the per-field checks, and the mapping to and from a table's columns.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

from fincon_tui._exceptions import FieldError
from fincon_tui.domain import fields


def _kept(required: bool, value: str) -> str | None:
    """Text as its column keeps it: '' as NULL unless the field is required."""
    return value if required else (value or None)


class Text(NamedTuple):
    """Trimmed printable text of `low`-`high` characters, '' when not
    `required`.  With `chars` (a character class such as '0-9+') a value
    given holds only those, and `refusal` says so; `spaces=False` refuses
    any space inside.  `said` is the database's short description."""

    high: int
    required: bool = False
    low: int = 1
    chars: str = ""
    spaces: bool = True
    refusal: str = ""
    said: str = ""

    def as_text(self, value: str) -> str:
        return value

    def to_column(self, value: str) -> str | None:
        return _kept(self.required, value)

    def from_column(self, stored: str | None) -> str:
        return stored or ""

    def check(self, raw: str) -> str:
        value = fields.text(raw, max_length=self.high, required=self.required)
        if value and self.chars and not re.fullmatch(f"[{self.chars}]{{{self.low},{self.high}}}", value):
            raise FieldError(self.refusal)
        if not self.spaces and any(char.isspace() for char in value):
            raise FieldError("must not contain spaces")
        return value

    @property
    def width(self) -> int:
        return self.high

    def says(self) -> str:
        return self.said or f"{self.low}-{self.high} printable characters" + ("" if self.spaces else ", no spaces")


class Code(NamedTuple):
    """A key typed in either case and kept upper-case: 1-`high` of `chars`."""

    high: int
    chars: str
    refusal: str
    required: bool = True

    def as_text(self, value: str) -> str:
        return value

    def to_column(self, value: str) -> str | None:
        return _kept(self.required, value)

    def from_column(self, stored: str | None) -> str:
        return stored or ""

    def check(self, raw: str) -> str:
        value = fields.check_printable(raw).strip().upper()
        if not value:
            raise FieldError("is required")
        if not re.fullmatch(f"[{self.chars}]{{1,{self.high}}}", value):
            raise FieldError(self.refusal)
        return value

    @property
    def width(self) -> int:
        return self.high

    def says(self) -> str:
        return f"1-{self.high} of {self.chars}"


class Host(NamedTuple):
    """A host name or IP address (fields.host)."""

    required: bool = True

    def as_text(self, value: str) -> str:
        return value

    def to_column(self, value: str) -> str | None:
        return _kept(self.required, value)

    def from_column(self, stored: str | None) -> str:
        return stored or ""

    def check(self, raw: str) -> str:
        return fields.host(raw)

    @property
    def width(self) -> int:
        return fields.HOST_MAX

    def says(self) -> str:
        return "a host name or IP address, nothing else"


class Email(NamedTuple):
    """One email address (fields.email_address), '' when not `required`."""

    required: bool = False

    def as_text(self, value: str) -> str:
        return value

    def to_column(self, value: str) -> str | None:
        return _kept(self.required, value)

    def from_column(self, stored: str | None) -> str:
        return stored or ""

    def check(self, raw: str) -> str:
        return fields.email_address(raw, required=self.required)

    @property
    def width(self) -> int:
        return fields.EMAIL_MAX

    def says(self) -> str:
        return "one email address"


class YesNo(NamedTuple):
    """Y or N, either case; True or False, kept as 'Y' or 'N'."""

    required: bool = True
    width: int = 1

    def check(self, raw: str) -> bool:
        return fields.yes_no(raw)

    def as_text(self, value: Any) -> str:
        return "Y" if value else "N"

    def to_column(self, value: Any) -> object:
        return self.as_text(value)

    def from_column(self, stored: Any) -> object:
        return stored == "Y"

    def says(self) -> str:
        return "Y or N"


class WholeNumber(NamedTuple):
    """A whole number from `low` to `high`, digits only; kept as an integer."""

    low: int
    high: int
    required: bool = True

    def as_text(self, value: int) -> str:
        return str(value)

    def check(self, raw: str) -> int:
        return fields.whole_number(raw, self.low, self.high)

    @property
    def width(self) -> int:
        return len(str(self.high))

    def to_column(self, value: Any) -> object:
        return value

    def from_column(self, stored: Any) -> object:
        return stored

    def says(self) -> str:
        return f"a whole number from {self.low} to {self.high}"


class Choice(NamedTuple):
    """One letter of `choices` (either case), which `allowed` explains.  An
    empty field takes `default`; without one it stays '' (NULL)."""

    choices: tuple[str, ...]
    allowed: str
    default: str = ""
    width: int = 1

    def as_text(self, value: str) -> str:
        return value

    def to_column(self, value: str) -> str | None:
        return _kept(self.required, value)

    @property
    def required(self) -> bool:
        """A field with a default is never empty."""
        return bool(self.default)

    def check(self, raw: str) -> str:
        if not self.default and not raw.strip():
            return ""
        value = (raw or self.default).strip().upper()
        if value not in self.choices:
            raise FieldError(f"must be {self.allowed}")
        return value

    def from_column(self, stored: Any) -> object:
        return stored or self.default

    def says(self) -> str:
        return f"one of {', '.join(self.choices)}"


class Rule(Protocol):
    """What every rule above answers (the engines read their own data too)."""

    @property
    def required(self) -> bool: ...
    @property
    def width(self) -> int: ...
    def check(self, raw: str) -> Any: ...
    def as_text(self, value: Any) -> str: ...
    def to_column(self, value: Any) -> object: ...
    def from_column(self, stored: Any) -> object: ...
    def says(self) -> str: ...


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
        self._members = tuple((f.name, *f.member) for f in self.stored if f.member is not None)
        self._getters = tuple((f.name, f.rule, _getter(f)) for f in self.stored if f.rule is not None)

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
        grouped: dict[str, list[tuple[int, object]]] = {}
        for name, attribute, index in self._members:
            grouped.setdefault(attribute, []).append((index, clean[name]))
        members = {attribute: tuple(value for _, value in sorted(items)) for attribute, items in grouped.items()}
        return self.record(**plain, **members)

    def check(self, form: fields.FormChecker) -> None:
        """Each stored field's own rule over the form's values."""
        for f in self.stored:
            if f.rule is not None:
                form.check(f.name, f.rule.check)

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
        return self.build({name: rule.from_column(row.get(name)) for name, rule, _ in self._getters})

    def help(self) -> tuple[tuple[str, str], ...]:
        """The form's help rows: (term, explanation), in screen order."""
        return tuple((f.help_term or f.label, f.help) for f in self.fields if f.help)


def _getter(declared: Field) -> Callable[[Any], Any]:
    """Reads a field's clean value from its record."""
    if declared.member is None:
        return operator.attrgetter(declared.name)
    attribute, index = declared.member
    return lambda record: getattr(record, attribute)[index]
