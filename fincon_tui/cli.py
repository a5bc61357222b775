"""The `fincon-tui` command."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fincon_tui import __version__
from fincon_tui.paths import DB_ENV


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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
        help="config file with key remapping (default: config.toml in the user config folder)",
    )
    parser.add_argument(
        "--no-mouse",
        action="store_true",
        help="leave the mouse to the terminal, so text can be selected over SSH",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    from fincon_tui.cli_smtp import add_commands

    add_commands(parser.add_subparsers(dest="command", metavar="COMMAND"))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from fincon_tui.paths import database_path
    from fincon_tui.secrets.vault import PasswordVault
    from fincon_tui.storage.database import open_database
    from fincon_tui.storage.errors import StorageError

    path = database_path(args.db)
    try:
        db = open_database(path)
    except StorageError as error:
        print(f"fincon-tui: {error}", file=sys.stderr)
        return 2

    if args.command == "smtp":
        from fincon_tui.cli_smtp import run

        return run(args, db)

    from fincon_tui.config import ConfigError, load_keys
    from fincon_tui.ui.app import FinconApp, screen_classes
    from fincon_tui.ui.keymap import binding_ids, check_keymap

    try:
        config_path, keymap = load_keys(Path(args.config).expanduser() if args.config else None)
    except ConfigError as error:
        print(f"fincon-tui: {error}", file=sys.stderr)
        return 2
    problems = check_keymap(keymap, binding_ids(screen_classes())) if keymap else []
    if problems:
        for problem in problems:
            print(f"fincon-tui: {config_path}: {problem}", file=sys.stderr)
        return 2

    app = FinconApp(db, PasswordVault(), keymap=keymap)
    app.run(mouse=not args.no_mouse)
    return app.return_code or 0
