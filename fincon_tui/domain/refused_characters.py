"""The characters a field refuses and the spaces it trims, pinned to one
Unicode version so that every check of a value agrees on every Python.

Python's `unicodedata` is the interpreter's own (3.11: Unicode 14.0, 3.12:
15.0, 3.13: 15.1).  Computed from it at run time, the database's rules
(storage/constraints.py renders these sets into triggers) depended on the
Python that created the database, and a form on one Python could accept
what the database made by another refused.  These are Unicode 15.1's sets,
written out; tests/test_constraints.py holds them against the running
interpreter's data.  A newer Unicode that adds a format character is
pinned here with a migration step that re-renders the rules.
"""

from __future__ import annotations

#: The Unicode version the sets below were taken from.
UNICODE_VERSION = "15.1.0"

#: Control (Cc), format (Cf, bidi controls among them), line (Zl) and
#: paragraph (Zp) separators: pasted tabs, newlines, escape sequences,
#: zero-width and direction-changing characters.  Inclusive ranges.
_UNSAFE_RANGES = (
    (0x0000, 0x001F), (0x007F, 0x009F), (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD),
    (0x070F, 0x070F), (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E), (0x200B, 0x200F), (0x2028, 0x202E),
    (0x2060, 0x2064), (0x2066, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD),
    (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001), (0xE0020, 0xE007F),
)

#: What str.strip() removes that is not already unsafe: the space separators (Zs).
_SPACE_RANGES = (
    (0x0020, 0x0020), (0x00A0, 0x00A0), (0x1680, 0x1680), (0x2000, 0x200A), (0x202F, 0x202F), (0x205F, 0x205F),
    (0x3000, 0x3000),
)


def _characters(ranges: tuple[tuple[int, int], ...]) -> str:
    return "".join(chr(code) for start, end in ranges for code in range(start, end + 1))


#: Every unsafe character, in order, NUL first.
UNSAFE = _characters(_UNSAFE_RANGES)
#: Every space character that is not unsafe, in order.
SPACES = _characters(_SPACE_RANGES)

_UNSAFE = frozenset(UNSAFE)


def is_unsafe(char: str) -> bool:
    """Whether a field refuses `char` (see UNSAFE)."""
    return char in _UNSAFE


def has_unsafe(text: str) -> bool:
    """Whether `text` holds a character a field refuses."""
    return not _UNSAFE.isdisjoint(text)
