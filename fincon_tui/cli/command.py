"""What a command of the table (table.py) is, what it runs with, the kind
of record the shared commands of `smtp` and `user` work on, and the parser
made from the table.  NamedTuples, not dataclasses: the module dataclasses
loads inspect (9 ms), which --help would load for nothing."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from fincon_tui.config import Config
    from fincon_tui.domain.declaration import Field
    from fincon_tui.keystore.vault import PasswordVault
    from fincon_tui.services.sign_ins import SignIn
    from fincon_tui.storage.store import Store


class Context(NamedTuple):
    """What a command runs with: its arguments and the store opened for it."""

    args: argparse.Namespace
    store: Store
    vault: PasswordVault
    config: Config
    path: Path | str
    #: `import --dry-run` and no database at `path` yet: `store` is an empty one in memory.
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
    #: Read-only, it opens an older schema as it is (to describe it) instead of refusing it.
    any_schema: bool = False
    #: Where its database is, from its arguments, when not --db (db copy's TARGET).
    database: Callable[[argparse.Namespace], str] | None = None
    #: How it says that it could not run (no database, no key) and its status; common.fail unless given.
    cannot_run: Callable[[str], int] | None = None


class Group(NamedTuple):
    """A word that the commands under it follow: `smtp`, `user`, `key`."""

    name: str
    help: str
    commands: tuple[Command, ...]


class Kind(NamedTuple):
    """A kind of record as the commands that `smtp` and `user` share
    (records.py, transfer.py, copy_rename.py) need it declared; `service`
    is its record service (SmtpSettings, UserSettings), which the functions
    below are given."""

    #: The group's word, services.transfer's Kind.command.
    name: str
    #: How help names one record ('a definition'), and the key's metavar ('NAME').
    what: str
    key: str
    #: (option, form field, metavar, help) of set and copy: `options` of the declared fields.
    fields: tuple[tuple[str, str, str, str], ...]
    #: set takes the options of an OAuth client secret.
    client_secret: bool
    service: Callable[[Store, PasswordVault], Any]
    #: The message for a key given that no record has.
    missing: Callable[[str], str]
    #: list's table: its heading, and the rows' key.
    heading: str
    key_column: str
    #: The rows of list and show for some stored records: (stored records, service, brief);
    #: `brief`: for list's table, each its key, its `line` and its flags (common.print_list).
    rows: Callable[[list[Any], Any, bool], list[dict[str, Any]]]
    #: What show adds to a row: (row, stored record, service).
    details: Callable[[dict[str, Any], Any, Any], None]
    #: What sign-in signs in: (service, context).
    sign_in: Callable[[Any, Context], SignIn]


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


def options(declared: Sequence[Field]) -> tuple[tuple[str, str, str, str], ...]:
    """Kind.fields: the CLI option each field declares (domain/declaration.py)."""
    return tuple((f.option.flag, f.name, f.option.metavar, f.option.help) for f in declared if f.option is not None)


def json_option(parser: argparse.ArgumentParser, text: str = "print JSON") -> None:
    parser.add_argument("--json", action="store_true", help=text)
