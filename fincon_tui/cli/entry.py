"""main(): the full-screen app, or a COMMAND of the table (table.py) on
the database, opened read-only for a command that does not write."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from fincon_tui import __version__
from fincon_tui._exceptions import ArgumentsRefused, ConfigError, NoDatabase, SecretStoreError, StorageError
from fincon_tui.cli.common import BROKEN_PIPE, Parser, fail, init_command
from fincon_tui.paths import DB_ENV, database_path

if TYPE_CHECKING:
    from fincon_tui.cli.command import Command
    from fincon_tui.config import Config
    from fincon_tui.keystore.vault import PasswordVault
    from fincon_tui.storage.store import Store
    from fincon_tui.storage.waiting import Waiting

HELP = ("-h", "--help")


def build_parser(with_commands: bool = True) -> argparse.ArgumentParser:
    parser = Parser(
        prog="fincon-tui",
        description="Fincon Accounting mail settings (System / Mail Settings) "
        "as a keyboard-driven terminal app. Without a COMMAND it starts the "
        "full-screen app.",
    )
    parser.add_argument(
        "--db",
        metavar="PATH|URL",
        help=f"SQLite database file, or a PostgreSQL URL without a password "
        f"(postgresql://host/db; default: ${DB_ENV}, else fincon.db in the user data folder)",
    )
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="config file with key remapping and the key file (default: config.toml in the user config folder)",
    )
    parser.add_argument(
        "--no-mouse",
        action="store_true",
        help="leave the mouse to the terminal, so text can be selected over SSH",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    if not with_commands:
        parser.set_defaults(command=None)
        return parser
    # The commands' modules: for a COMMAND or --help only.
    from fincon_tui.cli.command import add_commands
    from fincon_tui.cli.table import TABLE

    add_commands(parser, TABLE)
    return parser


def _names_a_command(words: list[str]) -> bool:
    """Whether the parser needs its commands (14 ms to build): a COMMAND or
    --help is among `words`.  The parser without them says what it leaves
    over (`--db PATH` leaves nothing), and only a word left over can be a
    command: starting the full-screen app, or `--version`, loads neither the
    command table nor its modules (20 ms and 1 MiB more)."""
    if any(word in HELP for word in words):
        return True
    if all(word.startswith("-") for word in words):
        return False
    try:
        _, left = build_parser(with_commands=False).parse_known_args(words)
    except ArgumentsRefused:
        left = words  # a word may be a command whose parser words the refusal
    if not left:
        return False
    from fincon_tui.cli.table import NAMES

    return any(word in NAMES for word in left)


def main(argv: list[str] | None = None) -> int:
    """Run fincon-tui; output into a pipe closed early (`smtp list | head -1`,
    also `2>&1`) ends it quietly with status BROKEN_PIPE, as the docs of
    Python's signal module advise: the closed stream then points at /dev/null,
    so that the flush at exit does not fail again."""
    try:
        try:
            return _main(argv)
        finally:
            sys.stdout.flush()
    except BrokenPipeError:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BrokenPipeError:
                os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
        return BROKEN_PIPE


def _main(argv: list[str] | None) -> int:
    words = sys.argv[1:] if argv is None else argv
    args = build_parser(with_commands=_names_a_command(words)).parse_args(words)
    # Loaded after parsing, which --version and --help end in: the config file, the key store, the database, the app.
    from fincon_tui.config import load_config
    from fincon_tui.keystore.vault import PasswordVault
    from fincon_tui.storage.store import check_location

    path = database_path(args.db)
    try:
        config = load_config(Path(args.config).expanduser() if args.config else None)
    except ConfigError as error:
        return (getattr(getattr(args, "chosen", None), "cannot_run", None) or fail)(str(error))
    vault = PasswordVault(config.key_file)
    if args.command is not None:
        return _command(args, path, vault, config)

    try:
        check_location(path)
    except StorageError as error:
        return fail(str(error))
    from fincon_tui.ui.app import FinconApp, keymap_problems

    if config.keys:
        problems = keymap_problems(config.keys)
        if problems:
            return fail("\n".join(f"{config.path}: {problem}" for problem in problems))

    from fincon_tui.storage.store import Opener

    app = FinconApp(Opener(path), vault, keymap=config.keys)
    app.run(mouse=not args.no_mouse)
    if app.startup_error:
        return fail(app.startup_error)
    return app.return_code or 0


def _opening_waits(path: Path | str) -> Waiting:
    """A command waiting for another fincon-tui that is creating or
    upgrading the database says so once, on stderr."""
    from fincon_tui.storage.waiting import Waiting

    said: list[float] = []

    def report(seconds: float) -> None:
        if not said:
            said.append(seconds)
            print(f"fincon-tui: another fincon-tui is creating or upgrading {path}: waiting for it...",
                  file=sys.stderr, flush=True)

    return Waiting(report=report)


def _note_host(store: Store, vault: PasswordVault) -> None:
    """A command that writes records this host and the key it holds
    (services/hosts.py); a reading one never writes."""
    from fincon_tui.services import hosts
    from fincon_tui.services.sealed_passwords import Passwords

    hosts.note(Passwords(store, vault))


def _command(args: argparse.Namespace, path: Path | str, vault: PasswordVault, config: Config) -> int:
    """Run the COMMAND chosen; database damage or refusal is one line and status 2."""
    from fincon_tui.cli.command import Context
    from fincon_tui.storage.store import open_store, scratch_store

    command: Command = args.chosen
    failed = command.cannot_run or fail
    dry_run = getattr(args, "dry_run", False)
    named = bool(args.db)
    if command.database is not None:
        path, named = command.database(args), True
    try:
        try:
            store = open_store(path, writable=command.writes and not dry_run, adopt=args.command == "init",
                               waiting=_opening_waits(path), any_schema=command.any_schema)
        except NoDatabase as error:
            if not (dry_run and error.empty):
                return failed(f"{error}: {'create' if error.empty else 'upgrade'} it with "
                              f"`{init_command(path, named)}`")
            return command.run(Context(args, scratch_store(), vault, config, path, missing=True))
        # After the command, so that the key it made or staged is the one
        # named; also when this host lacks the key, but not after a database
        # error (a lost server is not asked again).  Never a db copy's target.
        noting = command.writes and not dry_run and command.database is None
        try:
            try:
                code = command.run(Context(args, store, vault, config, path))
            except SecretStoreError:
                if noting:
                    _note_host(store, vault)
                raise
            if noting:
                _note_host(store, vault)
            return code
        finally:  # closed here, not at the process's exit: SQLite folds its -wal file back in
            store.close()
    except (StorageError, SecretStoreError) as error:  # a key missing: could not run, as everywhere
        return failed(str(error))
    except UnicodeDecodeError as error:
        return failed(f"cannot use {path} as a database (damaged?): {error}")
