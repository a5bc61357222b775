"""The `fincon-tui` command."""

from __future__ import annotations

import argparse
from pathlib import Path

from fincon_tui import __version__
from fincon_tui.cli.common import BROKEN_PIPE, Parser, fail
from fincon_tui.paths import DB_ENV

#: The COMMANDs; without one in argv the parser skips building them (14 ms at start-up).
COMMANDS = ("smtp", "user", "export", "import", "key", "init")


def build_parser(with_commands: bool = True) -> argparse.ArgumentParser:
    parser = Parser(
        prog="fincon-tui",
        description="Fincon Accounting mail settings (System / Mail Settings) "
        "as a keyboard-driven terminal app. Without a COMMAND it starts the "
        "full-screen app.",
    )
    parser.add_argument(
        "--db",
        metavar="PATH",
        help=f"SQLite database file (default: ${DB_ENV}, else fincon.db "
        "in the user data folder)",
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
    from fincon_tui.cli import key, smtp, transfer, user

    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    smtp.add_commands(commands)
    user.add_commands(commands)
    transfer.add_commands(commands)
    key.add_commands(commands)
    commands.add_parser(
        "init", help="create the database, or add fincon-tui's tables to an existing SQLite file, and upgrade it"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run fincon-tui; output into a pipe closed early (`smtp list | head -1`,
    also `2>&1`) ends it quietly with status BROKEN_PIPE, as the docs of
    Python's signal module advise: the closed stream then points at /dev/null,
    so that the flush at exit does not fail again."""
    import sys

    try:
        try:
            return _main(argv)
        finally:
            sys.stdout.flush()
    except BrokenPipeError:
        import os

        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BrokenPipeError:
                os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
        return BROKEN_PIPE


def _main(argv: list[str] | None) -> int:
    import sys

    words = sys.argv[1:] if argv is None else argv
    full = any(word in COMMANDS or word in ("-h", "--help") for word in words)
    args = build_parser(with_commands=full).parse_args(words)
    from fincon_tui._exceptions import ConfigError, StorageError
    from fincon_tui.config import load_config
    from fincon_tui.keystore.vault import PasswordVault
    from fincon_tui.paths import database_path
    from fincon_tui.storage.checks import check_database_file

    path = database_path(args.db)
    try:
        config = load_config(Path(args.config).expanduser() if args.config else None)
    except ConfigError as error:
        return fail(str(error))
    vault = PasswordVault(config.key_file)
    if args.command is not None:
        return _command(args, path, vault, config)

    try:
        check_database_file(path)
    except StorageError as error:
        return fail(str(error))
    from fincon_tui.ui.app import FinconApp, keymap_problems

    if config.keys:
        problems = keymap_problems(config.keys)
        if problems:
            return fail("\n".join(f"{config.path}: {problem}" for problem in problems))

    def open_db():
        from fincon_tui.storage.database import open_database

        return open_database(path)

    app = FinconApp(open_db, vault, keymap=config.keys)
    app.run(mouse=not args.no_mouse)
    if app.startup_error:
        return fail(app.startup_error)
    return app.return_code or 0


#: Commands that only read: they never create, migrate or change a database
#: (nor does `import --dry-run`).
READ_ONLY = {
    ("smtp", "list"), ("smtp", "show"), ("smtp", "test"), ("smtp", "send-test"), ("key", "status"),
    ("user", "list"), ("user", "show"), ("export", None),
}


def _opening_waits(path: Path):
    """A command waiting for another fincon-tui that is creating or
    upgrading the database says so once, on stderr."""
    import sys

    from fincon_tui.storage.transactions import Waiting

    said: list[float] = []

    def report(seconds: float) -> None:
        if not said:
            said.append(seconds)
            print(f"fincon-tui: another fincon-tui is creating or upgrading {path}: waiting for it...",
                  file=sys.stderr, flush=True)

    return Waiting(report=report)


def _init_command(args: argparse.Namespace, path: Path) -> str:
    """The command that creates or upgrades the database at `path`, to copy
    into a shell: `fincon-tui --db 'new db.db' init` (without --db, as given)."""
    import shlex

    return f"fincon-tui --db {shlex.quote(str(path))} init" if args.db else "fincon-tui init"


def _command(args: argparse.Namespace, path: Path, vault, config) -> int:
    """Run a COMMAND; database damage or refusal is one line and status 2."""
    import sqlite3

    from fincon_tui._exceptions import NoDatabase, SecretStoreError, StorageError
    from fincon_tui.cli import key, smtp, transfer, user
    from fincon_tui.storage.database import empty_database, open_database

    sub = getattr(args, f"{args.command}_command", None)
    dry_run = getattr(args, "dry_run", False)
    writable = (args.command, sub) not in READ_ONLY and not dry_run
    try:
        try:
            db = open_database(path, writable=writable, adopt=args.command == "init", waiting=_opening_waits(path))
        except NoDatabase as error:
            if not (dry_run and error.empty):
                return fail(f"{error}: {'create' if error.empty else 'upgrade'} it with `{_init_command(args, path)}`")
            return transfer.run(args, empty_database(), vault, missing=path)
        if args.command == "init":
            print(f"{path} holds fincon-tui's tables and is up to date")
            return 0
        if args.command == "key":
            return key.run(args, db, vault, config)
        if args.command == "user":
            return user.run(args, db, vault)
        if args.command in ("export", "import"):
            return transfer.run(args, db, vault)
        return smtp.run(args, db, vault)
    except (StorageError, SecretStoreError) as error:  # a key missing: could not run, as everywhere
        return fail(str(error))
    except (sqlite3.DatabaseError, UnicodeDecodeError) as error:
        return fail(f"cannot use {path} as a database (damaged?): {error}")

