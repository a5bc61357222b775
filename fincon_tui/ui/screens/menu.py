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
from fincon_tui.ui.widgets.chrome import TitleBar
from fincon_tui.ui.widgets.text_update import update_text


@dataclass(frozen=True)
class MenuEntry:
    label: str
    #: The screen the entry opens, or the menu it leads to (shown in place
    #: of this one: MenuScreen.show).
    open: Callable[[], Screen[Any] | Menu]


@dataclass(frozen=True)
class Menu:
    path: str
    heading: str
    entries: tuple[MenuEntry, ...]


class MenuScreen(FinconScreen):
    """Lists a menu's entries; F3/F12/Esc go back one level (the main menu exits).

    A menu that leads to another shows it in its place, on the same screen,
    and F3 shows the menu above again, its entry highlighted as it was
    left: no screen is made for each menu walked through and kept under the
    screen it leads to (each was about 0.5 MiB of widgets, message queues
    and rendered lines: issue 26, memory with the SMTP form open)."""

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
        #: The menus above the one shown, each with the entry that led on.
        self.above: list[tuple[Menu, int]] = []

    def compose_body(self) -> ComposeResult:
        with VerticalGroup(id="menu"):
            yield Label(self.menu.heading, id="menu-heading", markup=False)
            yield OptionList(*self._options(), id="options", compact=True)
            yield Label(self._prompt(), id="menu-prompt")

    def _options(self) -> list[str]:
        return [f"{n}. {e.label}" for n, e in enumerate(self.menu.entries, 1)]

    def _prompt(self) -> str:
        return f"Type an option number ({self.choices}), or use the arrow keys and Enter."

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
        opened = self.menu.entries[index].open()
        if isinstance(opened, Menu):
            self.above.append((self.menu, index))
            self.show(opened)
        else:
            self.app.push_screen(opened)

    def show(self, menu: Menu, highlighted: int = 0) -> None:
        """Show `menu` here, as a new screen of it would show it (its first
        entry highlighted), or with the entry `highlighted` (going back)."""
        self.menu = menu
        self.PATH = menu.path
        self.query_one(TitleBar).show_path(menu.path)
        update_text(self.query_one("#menu-heading", Label), menu.heading)
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(self._options())
        options.highlighted = highlighted
        update_text(self.query_one("#menu-prompt", Label), self._prompt())

    def action_exit(self) -> None:
        """F3: back one level; on the main menu (the one the screen opened
        with: the others are shown in its place), leave fincon-tui."""
        if self.above:
            self.message.clear()
            self.show(*self.above.pop())
        else:
            self.app.exit()

    def action_cancel(self) -> None:
        """F12/Esc: the same as F3 on a menu, which holds nothing to lose."""
        self.action_exit()
