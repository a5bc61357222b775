"""Checks a keymap from the config file against the app's real bindings."""

from __future__ import annotations

from textual.binding import Binding
from textual.keys import Keys

MODIFIERS = {"ctrl", "shift", "alt", "meta", "super", "hyper"}
_NAMED_KEYS = {key.value.split("+")[-1] for key in Keys} | {f"f{n}" for n in range(1, 25)}


def binding_classes() -> list[type]:
    """Every class of the UI that declares BINDINGS, found by importing each
    module of `fincon_tui.ui`, so a new screen cannot be left out."""
    import importlib
    import inspect
    import pkgutil

    import fincon_tui.ui as ui

    found: list[type] = []
    for info in sorted(pkgutil.walk_packages(ui.__path__, f"{ui.__name__}."), key=lambda i: i.name):
        module = importlib.import_module(info.name)
        found += [
            value for _, value in sorted(vars(module).items())
            if inspect.isclass(value) and value.__module__ == info.name and "BINDINGS" in vars(value)
        ]
    return found


def binding_ids(classes: list[type]) -> dict[str, str]:
    """Every binding id declared on `classes` (and their bases) -> description."""
    ids: dict[str, str] = {}
    for cls in classes:
        for base in cls.__mro__:
            for binding in base.__dict__.get("BINDINGS", []):
                if isinstance(binding, Binding) and binding.id:
                    ids.setdefault(binding.id, binding.description or binding.action)
    return ids


def key_problem(key: str) -> str | None:
    """Why `key` is not a key name Textual knows, or None if it is."""
    *modifiers, name = key.lower().split("+")
    bad = [m for m in modifiers if m not in MODIFIERS]
    if bad:
        return f"{bad[0]!r} is not a modifier (use ctrl, shift, alt)"
    if not name:
        return "a key name is missing"
    if len(name) == 1 and name.isprintable():
        return None
    if name not in _NAMED_KEYS:
        return f"{name!r} is not a key name (examples: f10, ctrl+s, escape, enter)"
    return None


def check_keymap(keymap: dict[str, str], known: dict[str, str]) -> list[str]:
    """Problems in `keymap`: unknown binding ids and bad key names."""
    problems = []
    for binding_id, keys in keymap.items():
        if binding_id not in known:
            problems.append(
                f"unknown binding id {binding_id!r} (known: {', '.join(sorted(known))})"
            )
            continue
        for key in keys.split(","):
            problem = key_problem(key)
            if problem:
                problems.append(f"keys.{binding_id}: {problem}")
    return problems
