"""JSON and TOML from outside (an export file, config.toml, a service-account
key), read strictly: a member named twice is refused rather than the last one
silently winning, so what a reviewer read is what is used; a document nested
too deeply to read is refused, never a RecursionError.

Each ValueError's message says what is wrong with the document, as the end of
a sentence that starts with its name: "b.json" + " is not valid JSON: ...".
"""

from __future__ import annotations

from typing import Any

from fincon_tui._exceptions import InputError
from fincon_tui.domain.visible import shown


def parse_json(text: str) -> object:
    """A JSON document whose objects each name a member once."""
    import json

    try:
        return json.loads(text, object_pairs_hook=_once_each)
    except RecursionError:
        raise ValueError("is nested too deeply to read") from None
    except InputError as twice:  # _once_each's
        raise ValueError(str(twice)) from None
    except ValueError as error:  # json.JSONDecodeError, or a number of more than 4,300 digits
        raise ValueError(f"is not valid JSON: {error}") from None


def parse_toml(text: str) -> dict[str, Any]:
    """A TOML document (tomllib refuses a key defined twice itself)."""
    import tomllib

    try:
        return tomllib.loads(text)
    except RecursionError:
        raise ValueError("is nested too deeply to read") from None
    except ValueError as error:  # tomllib.TOMLDecodeError
        raise ValueError(f"is not valid TOML: {error}") from None


def _once_each(pairs: list[tuple[str, object]]) -> dict[str, object]:
    members: dict[str, object] = {}
    for name, value in pairs:
        if name in members:
            raise InputError(f'has member "{shown(name)}" twice in one object')
        members[name] = value
    return members
