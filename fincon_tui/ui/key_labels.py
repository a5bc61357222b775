"""Key names as a green-screen legend writes them (F10, ^S, Esc), and the
legend laid out on as few lines as the terminal's width allows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fincon_tui.ui.bindings import DEFAULT_KEYS

if TYPE_CHECKING:
    from textual.binding import Binding
    from textual.screen import Screen

#: Columns between two legend entries.
LEGEND_GAP = 2

_NAMED = {
    "escape": "Esc", "enter": "Enter", "delete": "Del", "tab": "Tab", "end": "End", "up": "Up", "down": "Down",
    "pagedown": "PgDn", "pageup": "PgUp",
}


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


def keys_label(keys: list[str] | tuple[str, ...]) -> str:
    """Several keys for one action, F-keys first: 'F10/^S'."""
    ordered = sorted(keys, key=lambda key: not is_function_key(key))
    return "/".join(dict.fromkeys(key_label(key) for key in ordered))


def group_of(binding: Binding) -> str:
    """Bindings with one id (or, without ids, one action) share a legend entry."""
    return binding.id or binding.action


def declared_order(node_class: type) -> dict[str, int]:
    """Binding id (or action) -> its place in the class's BINDINGS, bases
    first: the order a legend and the help list them in, whatever order
    Textual's active bindings come in (a field's own keys come first there)."""
    order: dict[str, int] = {}
    for cls in reversed(node_class.__mro__):
        for binding in cls.__dict__.get("BINDINGS", []):
            if hasattr(binding, "action"):
                order.setdefault(group_of(binding), len(order))
    return order


@dataclass(frozen=True)
class LegendEntry:
    """One 'F10/^S=Accept' of the legend; `press` is the key a click sends."""

    keys: tuple[str, ...]
    description: str
    press: str
    enabled: bool = True

    def label(self, function_keys_only: bool) -> str:
        keys = self.keys
        if function_keys_only:
            keys = tuple(key for key in keys if is_function_key(key)) or keys[:1]
        return keys_label(keys)

    def width(self, function_keys_only: bool) -> int:
        return len(self.label(function_keys_only)) + 1 + len(self.description)


def active_keys(screen: Screen[Any], *, shown_only: bool) -> list[LegendEntry]:
    """The keys `screen` answers to now, as mapped, one entry per binding id
    in the order the classes declare them (those the legend hides after
    those it shows): the screen's own, then the keys it names without binding
    them (FIXED_KEYS: Enter), then the app's.
    A screen may word an entry by the moment (`key_description`)."""
    describe = getattr(screen, "key_description", None)
    groups: dict[str, LegendEntry] = {}
    owners: dict[str, tuple[bool, bool]] = {}  # (the app's, hidden from the legend)
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if (shown_only and not binding.show) or binding.id not in DEFAULT_KEYS:
            continue  # Textual's own keys (Tab, scrolling, editing) are not the app's
        name = group_of(binding)
        entry = groups.get(name)
        if entry is None:
            description = describe(binding) if describe else binding.description
            groups[name] = LegendEntry((key,), description, key, active.enabled)
            owners[name] = (active.node is screen.app, not binding.show)
        else:
            groups[name] = LegendEntry((*entry.keys, key), entry.description, entry.press, entry.enabled)
    order = {**declared_order(type(screen.app)), **declared_order(type(screen))}
    ranked = sorted(groups, key=lambda name: (owners[name], order.get(name, len(order))))
    own = [groups[name] for name in ranked if not owners[name][0]]
    fixed = [LegendEntry(keys, text, keys[0]) for keys, text in getattr(screen, "FIXED_KEYS", ())]
    return [*own, *fixed, *(groups[name] for name in ranked if owners[name][0])]


def wrap_legend(entries: list[LegendEntry], width: int, function_keys_only: bool) -> list[list[LegendEntry]]:
    """Entries on lines of at most `width` columns, in order."""
    lines: list[list[LegendEntry]] = [[]]
    used = 0
    for entry in entries:
        needed = entry.width(function_keys_only)
        if lines[-1] and used + LEGEND_GAP + needed > width:
            lines.append([])
            used = 0
        used += (LEGEND_GAP if lines[-1] else 0) + needed
        lines[-1].append(entry)
    return lines


#: Lines the legend may take to show every key with its Ctrl alias.
LEGEND_LINES = 2


def legend_lines(entries: list[LegendEntry], width: int) -> tuple[list[list[LegendEntry]], bool]:
    """The legend's lines and whether they show F-keys only: every key
    (F10/^S, for terminals that swallow F-keys) on up to LEGEND_LINES lines,
    F-keys alone only where the Ctrl aliases would take more than that and
    more than F-keys alone (a 120-column terminal shows them on two lines
    rather than F-keys on one)."""
    full = wrap_legend(entries, width, function_keys_only=False)
    short = wrap_legend(entries, width, function_keys_only=True)
    return (short, True) if len(full) > max(len(short), LEGEND_LINES) else (full, False)
