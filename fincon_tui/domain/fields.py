"""Validators for single field values typed on a form.

Each validator takes the raw text and returns the clean value, or raises
FieldError with a message that a person can act on.  Messages do not name
the field: the form prefixes the field's label.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from typing import Any

from fincon_tui._exceptions import FieldError, FormInvalid
from fincon_tui.domain.refused_characters import has_unsafe
from fincon_tui.domain.visible import characters


class FormChecker:
    """Runs validators over a form's values, collecting every error."""

    def __init__(self, values: Mapping[str, str], labels: Mapping[str, str]) -> None:
        self.values = values
        self.labels = labels
        self.errors: list[FieldError] = []
        self.clean: dict[str, object] = {}

    def check(self, key: str, validator: Callable[..., object], *args: Any, **kwargs: Any) -> None:
        """Validate values[key] (or `value=` when given) into clean[key]
        (only checked, not kept, with `store=False`)."""
        raw = kwargs.pop("value", self.values.get(key, ""))
        store = kwargs.pop("store", True)
        try:
            value = validator(raw, *args, **kwargs)
            if store:
                self.clean[key] = value
        except FieldError as error:
            self.errors.append(error.for_field(key))

    def refuse(self, field: str, message: str) -> None:
        self.errors.append(FieldError(message, field))

    def done(self) -> dict[str, object]:
        """The clean values; raises FormInvalid if anything was wrong."""
        if self.errors:
            raise FormInvalid(self.errors, self.labels)
        return self.clean


#: The longest host name (RFC 1035) and email address (RFC 5321 path) a field takes.
HOST_MAX = 253
EMAIL_MAX = 254

_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def check_printable(text: str) -> str:
    """Refuse control characters (pasted tabs, newlines, escape sequences)."""
    if has_unsafe(text):
        raise FieldError("contains a control character; retype it")
    return text


def text(raw: str, *, max_length: int, required: bool = False) -> str:
    """Trimmed free text; empty string when blank and not required."""
    value = check_printable(raw).strip()
    if required and not value:
        raise FieldError("is required")
    if len(value) > max_length:
        raise FieldError(f"is too long ({characters(len(value))}, at most {max_length})")
    return value


def yes_no(raw: str) -> bool:
    """One character, Y or N (either case)."""
    value = raw.strip().upper()
    if value not in ("Y", "N"):
        raise FieldError("must be Y or N")
    return value == "Y"


#: What a whole-number field takes, as a regular expression over all it
#: holds: digits only.  A form's number field refuses any other key with it,
#: as a 5250 numeric field does; `whole_number` checks the same.
DIGITS = r"[0-9]*"


def whole_number(raw: str, low: int, high: int) -> int:
    """A whole number between low and high inclusive, digits only."""
    value = raw.strip()
    if not value:
        raise FieldError(f"is required ({low}-{high})")
    if not re.fullmatch(DIGITS, value):
        raise FieldError(f"must be a whole number from {low} to {high}")
    if len(value.lstrip("0")) > len(str(high)):  # int() refuses more than 4,300 digits
        raise FieldError(f"must be from {low} to {high} (not a number of {len(value):,} digits)")
    number = int(value)
    if not low <= number <= high:
        raise FieldError(f"must be from {low} to {high} (not {number})")
    return number


def host(raw: str) -> str:
    """A host name, IPv4 or IPv6 address, as a mail client would connect to it.

    Non-ASCII names are checked with IDNA 2008 and kept as typed (lower-cased).
    """
    value = check_printable(raw).strip()
    if not value:
        raise FieldError("is required: the SMTP server's host name or IP address")
    if _SCHEME.match(value):
        raise FieldError("takes the host name only, without a scheme such as smtp://")
    if any(char.isspace() for char in value):
        raise FieldError("must not contain spaces")
    if "/" in value or "@" in value:
        raise FieldError("takes the host name only (no path or user@)")
    bracketed = value.startswith("[") and value.endswith("]")
    try:
        address = ipaddress.ip_address(value[1:-1] if bracketed else value)
    except ValueError:
        pass
    else:
        return str(address)
    if value.count(":") == 1 or (value.startswith("[") and "]:" in value):
        raise FieldError("must not include a port: put the port in the Port field")
    if ":" in value:
        raise FieldError("is not a valid IPv6 address")
    name = value.rstrip(".").lower()
    if len(name) > HOST_MAX:
        raise FieldError(f"is too long for a host name (at most {HOST_MAX} characters)")
    labels = name.split(".")
    if all(label.isdigit() for label in labels):
        raise FieldError("is not a valid IPv4 address")
    for label in labels:
        if label.isascii():
            if not _HOST_LABEL.match(label):
                raise FieldError(
                    "is not a valid host name (letters, digits, hyphens and dots only)"
                )
            continue
        import idna  # imported on first use: keeps start-up fast

        try:
            idna.encode(label, uts46=True)
        except idna.IDNAError:
            raise FieldError("is not a valid international host name") from None
    return name


def email_address(raw: str, *, required: bool = False) -> str:
    """One email address, syntax only (no DNS look-up); '' when blank."""
    value = check_printable(raw).strip()
    if not value:
        if required:
            raise FieldError("is required")
        return ""
    if "," in value or ";" in value:
        raise FieldError("takes a single address")
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise FieldError(f"is not a valid email address: {error}") from None
