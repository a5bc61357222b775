"""Text from outside (the database, a mail server, a keyring) made safe to
show on a terminal.

`visible(text)` is pure and does no I/O; every layer uses it before putting
untrusted text on screen, in a log or in a message; `shown(text)` is the
same for a value a message quotes, shortened when long.  Markup is the display
layer's concern: it shows these strings as plain text, never parsed.
"""

from __future__ import annotations

import unicodedata

#: Bidirectional formatting characters that can reorder what a line appears to say.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

_HIDDEN_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def is_hidden(char: str) -> bool:
    """Whether `char` could steer a terminal or hide what a line says: C0 and
    C1 controls (ESC, BEL, CR, LF, TAB ...), DEL, bidi overrides and isolates,
    line and paragraph separators, and lone surrogates (undecodable bytes)."""
    return unicodedata.category(char) in _HIDDEN_CATEGORIES or char in BIDI_CONTROLS


def visible(text: str) -> str:
    """`text` with every hidden character (see `is_hidden`) written as a
    Python-style escape: ESC becomes the four characters `\\x1b`, U+202E
    becomes `\\u202e`.  Everything else, non-ASCII letters included, stays.
    The result holds no hidden character, so visible(visible(t)) == visible(t)."""
    if text.isprintable():  # fast path: printable excludes every hidden character
        return text
    return "".join(_escape(char) if is_hidden(char) else char for char in text)


def visible_lines(text: str) -> str:
    """Like visible(), but line breaks stay line breaks (for multi-line text)."""
    return "\n".join(visible(line) for line in text.split("\n"))


#: How much of a refused value a message quotes.
SHOWN_MAX = 80


def characters(count: int) -> str:
    """A length as every message writes it: '1 character', '100,000 characters'."""
    return f"{count:,} character{'' if count == 1 else 's'}"


def shown(text: str, limit: int = SHOWN_MAX) -> str:
    """User text quoted in a message (a refused name, an unknown field):
    visible(), and cut to `limit` characters with its length when longer,
    so a 50 MB value cannot flood a terminal or a log."""
    if len(text) <= limit:
        return visible(text)
    return f"{visible(text[:limit])}… ({characters(len(text))})"


def shell_word(text: str) -> str:
    """`text` as one word a shell reads back as it is, for a command a
    message suggests: shlex.quote(), or for text with hidden characters
    bash's $'…' with them escaped (`$'E\\x1b]0;X'`), so the command shows as
    visible text and, pasted, still names the stored key."""
    import shlex

    if not any(is_hidden(char) for char in text):
        return shlex.quote(text)
    return "$'" + "".join(_escape(char) if is_hidden(char) else "\\" + char if char in "\\'" else char
                          for char in text) + "'"


def shown_key(key: str) -> str:
    """A record's key (an SMTP Name, a user code) in a message: shown(), or
    in quotes when it is blank, so that `SMTP definition "" refused` never
    reads as `SMTP definition  refused`."""
    return shown(key) if key.strip() else f'"{visible(key)}"'
