"""What a command of the table (table.py) is, what it runs with, and the
parser made from the table.  NamedTuples, not dataclasses: the module
dataclasses loads inspect (9 ms), which --help would load for nothing."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from sqlite_utils import Database

    from fincon_tui.config import Config
    from fincon_tui.keystore.vault import PasswordVault


class Context(NamedTuple):
    """What a command runs with: its arguments and the database opened for it."""

    args: argparse.Namespace
    db: Database
    vault: PasswordVault
    config: Config
    path: Path
    #: `import --dry-run` and no database at `path` yet: `db` is an empty one in memory.
    missing: bool = False


def no_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of a command that takes none."""


class Command(NamedTuple):
    """A command: `writes` unless it must never create, upgrade or change a
    database (it then opens one read-only, and only one that exists)."""

    name: str
    help: str
    run: Callable[[Context], int]
    writes: bool
    arguments: Callable[[argparse.ArgumentParser], None] = no_arguments


class Group(NamedTuple):
    """A word that the commands under it follow: `smtp`, `user`, `key`."""

    name: str
    help: str
    commands: tuple[Command, ...]


def add_commands(
    parser: argparse.ArgumentParser, table: Sequence[Command | Group], dest: str = "command", required: bool = False
) -> None:
    """The commands of `table` on `parser`; the one given is `chosen`."""
    words = parser.add_subparsers(dest=dest, required=required, metavar="COMMAND")
    for command in table:
        below = words.add_parser(command.name, help=command.help)
        if isinstance(command, Group):
            add_commands(below, command.commands, f"{command.name}_command", required=True)
        else:
            command.arguments(below)
            below.set_defaults(chosen=command)


def json_option(parser: argparse.ArgumentParser, text: str = "print JSON") -> None:
    parser.add_argument("--json", action="store_true", help=text)
