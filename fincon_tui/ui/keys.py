"""Key names as a green-screen legend writes them: F10, ^S, Esc."""

from __future__ import annotations

_NAMED = {"escape": "Esc", "enter": "Enter", "delete": "Del", "tab": "Tab"}


def key_label(key: str) -> str:
    """'f10' -> 'F10', 'ctrl+s' -> '^S', 'escape' -> 'Esc'."""
    *modifiers, name = key.split("+")
    label = _NAMED.get(name, name.upper() if len(name) <= 3 else name.title())
    if "ctrl" in modifiers:
        modifiers.remove("ctrl")
        label = f"^{label}"
    return "+".join([*(m.title() for m in modifiers), label])


def is_function_key(key: str) -> bool:
    return key[:1] == "f" and key[1:].isdigit()


def keys_label(keys: list[str]) -> str:
    """Several keys for one action, F-keys first: 'F10/^S'."""
    ordered = sorted(keys, key=lambda key: not is_function_key(key))
    return "/".join(dict.fromkeys(key_label(key) for key in ordered))
