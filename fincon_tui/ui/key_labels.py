"""Key names as a green-screen legend writes them: F10, ^S, Esc."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.binding import Binding

#: Columns between two legend entries.
LEGEND_GAP = 2

_NAMED = {"escape": "Esc", "enter": "Enter", "delete": "Del", "tab": "Tab", "up": "Up", "down": "Down",
          "pageup": "PgUp", "pagedown": "PgDn"}


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


def group_of(binding: Binding) -> str:
    """Bindings with one id (or, without ids, one action) share a legend entry."""
    return binding.id or binding.action


def legend_groups(bindings: list[Binding]) -> dict[str, list[str]]:
    """Keys per legend entry, in binding order."""
    groups: dict[str, list[str]] = {}
    for binding in bindings:
        groups.setdefault(group_of(binding), []).append(binding.key)
    return groups


def legend_width(groups: dict[str, list[str]], bindings: list[Binding]) -> int:
    """Columns the full legend ('F10/^S=Accept  F3=Exit ...') needs."""
    shown = {group_of(b): b.description for b in bindings if b.show}
    return sum(
        len(keys_label(groups[group])) + 1 + len(description) + LEGEND_GAP
        for group, description in shown.items()
    )
