"""Every binding id and its default keys, in one table.

Screens declare their bindings with `bind()`, so the keys a binding has
unless config.toml remaps it, the key names shown in messages and help
(`FinconApp.key_label`), the ids config.toml accepts and the table of
docs/keys-and-terminals.md all
come from here.  Bindings are priority bindings: a key mapped to an action
wins over the same key's text-editing use in a field (Ctrl+D deletes the
record, not the character under the cursor).
"""

from __future__ import annotations

from textual.binding import Binding

#: Binding id -> default keys (comma-separated, as config.toml writes them).
DEFAULT_KEYS: dict[str, str] = {
    # every screen
    "help": "f1,ctrl+g",
    "quit": "ctrl+q",
    "suspend": "ctrl+z",
    "exit": "f3",
    "cancel": "f12,escape",
    # the maintenance forms
    "accept": "f10,ctrl+s",
    "prompt": "f4,ctrl+p",
    "delete": "f8,ctrl+d",
    "reload": "f5,ctrl+r",
    "history": "f9,ctrl+y",
    "test_login": "f6,ctrl+t",
    "send_test": "f7,ctrl+o",
    "sign_in": "f2,ctrl+n",
    "page_down": "pagedown",
    "page_up": "pageup",
    # the Work with lists
    "create": "f11,ctrl+n",
    "list.view": "f2,ctrl+l",
    "list.page_down": "pagedown",
    "list.page_up": "pageup",
    "list.down": "down",
    "list.up": "up",
    # windows
    "save_log": "f2,ctrl+l",
    "yes": "y",
    "no": "n,escape",
    "switch": "left,right",
    "help_close": "f12,escape",
    "history_close": "f9,f12,escape",
    "lookup.up": "up",
    "lookup.down": "down",
    "lookup.page_up": "pageup",
    "lookup.page_down": "pagedown",
}


#: Bindings whose action only moves the cursor on its own screen, at once (the
#: focus set with Screen.set_focus, a list's highlight), from wherever the
#: cursor is when it runs, and is bound so on every field of that screen: no
#: other screen, no database work.  The typeahead releases a run of keys bound
#: to them together and settles once after the run (an arrow key held down),
#: where any other key waits until the one before it has settled (typeahead.py).
CURSOR_MOVES = frozenset({"list.down", "list.up"})


def bind(binding_id: str, action: str, description: str, *, show: bool = True) -> Binding:
    """The binding `binding_id` with its default keys."""
    return Binding(DEFAULT_KEYS[binding_id], action, description, show=show, id=binding_id, priority=True)
