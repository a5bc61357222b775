"""What a field's value must be, as data: Text, Code, Host, Email, YesNo,
WholeNumber and Choice.  Each checks a typed value (`check`, with the
domain's validators), renders it for the form (`as_text`), maps it to and
from its column, and says in a few words what it takes (`says`); each
database engine renders the same rule in its own SQL (storage/constraints.py,
storage/postgres/rules.py).  Fields declare them (domain/declaration.py)."""

from __future__ import annotations

import re
from typing import Any, NamedTuple, Protocol

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
    """A host name or IP address (fields.host), '' when not `required`."""

    required: bool = True

    def as_text(self, value: str) -> str:
        return value

    def to_column(self, value: str) -> str | None:
        return _kept(self.required, value)

    def from_column(self, stored: str | None) -> str:
        return stored or ""

    def check(self, raw: str) -> str:
        if not self.required and not fields.check_printable(raw).strip():
            return ""
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
