"""Numbered green-screen menus: a digit opens its entry at once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual import events, on
from textual.app import ComposeResult
from textual.containers import VerticalGroup
from textual.screen import Screen
from textual.widgets import Label, OptionList

from fincon_tui.ui.bindings import bind
from fincon_tui.ui.screens.base import FinconScreen


@dataclass(frozen=True)
class MenuEntry:
    label: str
    open: Callable[[], Screen[Any]]


@dataclass(frozen=True)
class Menu:
    path: str
    heading: str
    entries: tuple[MenuEntry, ...]
    root: bool = False


class MenuScreen(FinconScreen):
    """Lists a menu's entries; F3/F12/Esc go back one level (the main menu exits)."""

    NAME = "the menus"

    HELP_TEXT = (
        "Type an option's number to open it at once, or move with the arrow keys and press Enter. "
        "{exit} and {cancel} go back one level; on the main menu they leave fincon-tui. "
        "{quit} quits from any screen.",
    )
    BINDINGS = [bind("exit", "exit", "Exit"), bind("cancel", "cancel", "Cancel")]

    def __init__(self, menu: Menu) -> None:
        self.PATH = menu.path
        super().__init__()
        self.menu = menu

    def compose_body(self) -> ComposeResult:
        with VerticalGroup(id="menu"):
            yield Label(self.menu.heading, id="menu-heading", markup=False)
            yield OptionList(
                *(f"{n}. {e.label}" for n, e in enumerate(self.menu.entries, 1)),
                id="options",
                compact=True,
            )
            yield Label(
                f"Type an option number ({self.choices}), or use the arrow keys and Enter.",
                id="menu-prompt",
            )

    @property
    def choices(self) -> str:
        last = len(self.menu.entries)
        return f"1-{last}" if last > 1 else "1"

    def on_key(self, event: events.Key) -> None:
        character = event.character or ""
        if character.isdigit() and 1 <= int(character) <= len(self.menu.entries):
            event.stop()
            self.open_entry(int(character) - 1)
        elif character.isdigit():
            event.stop()
            self.message.error(f"Option {character} does not exist: choose {self.choices}")

    @on(OptionList.OptionSelected)
    def selected(self, event: OptionList.OptionSelected) -> None:
        self.open_entry(event.option_index)

    def open_entry(self, index: int) -> None:
        self.message.clear()
        self.query_one(OptionList).highlighted = index
        self.app.push_screen(self.menu.entries[index].open())

    def action_exit(self) -> None:
        """F3: back one level; on the main menu, leave fincon-tui."""
        if self.menu.root:
            self.app.exit()
        else:
            self.app.pop_screen()

    def action_cancel(self) -> None:
        """F12/Esc: the same as F3 on a menu, which holds nothing to lose."""
        self.action_exit()
