"""Text from outside (the database, a server, a keyring) made safe to show.

Nothing such a string holds may act on a terminal: C0 and C1 control
characters, DEL and the Unicode bidi controls (which can make a name read
differently from what it is) are shown as visible escapes such as `\\x1b`
or `\\u202e`.  Markup is the display layer's concern: it shows these
strings as plain text, never parsed.
"""

from __future__ import annotations

#: Bidi embeddings, overrides, isolates and marks.
BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def is_unsafe(char: str) -> bool:
    code = ord(char)
    return code < 0x20 or 0x7F <= code <= 0x9F or char in BIDI


def visible(text: str) -> str:
    """`text` with every unsafe character replaced by a visible escape."""
    if not any(is_unsafe(char) for char in text):
        return text
    return "".join(_escape(char) if is_unsafe(char) else char for char in text)


def visible_lines(text: str) -> str:
    """Like visible(), but line breaks stay line breaks (for multi-line text)."""
    return "\n".join(visible(line) for line in text.split("\n"))
