"""Checks a keymap from the config file against the app's real bindings:
known binding ids, key names Textual knows, and no key doing two things."""

from __future__ import annotations

from textual.binding import Binding
from textual.keys import Keys
from textual.screen import Screen

from fincon_tui.ui.bindings import DEFAULT_KEYS
from fincon_tui.ui.key_labels import key_label
from fincon_tui.ui.textual_internals import merged_bindings

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


def key_problem(key: str) -> str | None:
    """Why `key` is not a key name Textual knows, or None if it is."""
    if key.lower() == "ctrl+j":  # the typeahead takes it as Enter
        return "ctrl+j is Enter (a newline) on a terminal"
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


def check_keymap(keymap: dict[str, str], known: dict[str, str] | None = None) -> list[str]:
    """Problems in `keymap`: unknown binding ids and bad key names."""
    known = DEFAULT_KEYS if known is None else known
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


def _mapped(cls: type, keymap: dict[str, str]) -> list[tuple[str, Binding]]:
    """(key, binding) for every binding `cls` has, merged from its bases the
    way Textual merges them, with the keymap applied."""
    pairs: list[tuple[str, Binding]] = []
    for key, bindings in merged_bindings(cls).items():
        for binding in bindings:
            keys = keymap[binding.id].split(",") if binding.id in keymap else [key]
            pairs.extend((mapped, binding) for mapped in keys)
    return list(dict.fromkeys(pairs))


def screen_classes() -> list[type]:
    """Every screen and window class of the UI (each of its modules imported),
    bases first."""
    binding_classes()
    found: list[type] = []
    todo: list[type] = [Screen]
    while todo:
        sub: type
        for sub in todo.pop(0).__subclasses__():
            if sub not in found:
                todo.append(sub)
                if sub.__module__.startswith("fincon_tui."):
                    found.append(sub)
    return found


def context_name(cls: type) -> str:
    """What a screen or window is called in a clash message ('' for a base
    class that only others are built on)."""
    return getattr(cls, "NAME", "") or getattr(cls, "PATH", "").split(" / ")[-1]


def clashes(keymap: dict[str, str], app: type, screens: list[type]) -> list[str]:
    """Keys that would do two things once `keymap` is applied: two bindings
    of one screen or window, or one of them and one of the app's (which work
    on every screen); and characters that a screen with entry fields would
    type instead of acting on.  Each problem once, with every screen it is on."""
    everywhere = _mapped(app, keymap)
    found: dict[str, list[str]] = {}
    for cls in screens:
        where = context_name(cls)
        if not where:
            continue  # a base: its keys are checked with each screen built on it
        seen: dict[str, Binding] = {}
        for key, binding in [*_mapped(cls, keymap), *everywhere]:
            other = seen.setdefault(key, binding)
            ours = other.id in DEFAULT_KEYS or binding.id in DEFAULT_KEYS
            if ours and _name(other) != _name(binding):
                found.setdefault(f"keys: {key_label(key)} is both {_name(other)} ({other.description}) and "
                                 f"{_name(binding)} ({binding.description}) on", []).append(where)
            typed = len(key) == 1 or key == "space"
            if typed and binding.id in keymap and getattr(cls, "TEXT_FIELDS", False):
                found.setdefault(f"keys.{binding.id}: {key!r} would be typed into the fields of", []).append(where)
    problems = []
    for problem, places in found.items():
        places = list(dict.fromkeys(places))
        named = ", ".join(places[:-1]) + " and " + places[-1] if len(places) > 1 else places[0]
        tail = "; use an F-key or a Ctrl key" if problem.startswith("keys.") else ""
        problems.append(f"{problem} {named}{tail}")
    return problems


def _name(binding: Binding) -> str:
    return binding.id or binding.action
