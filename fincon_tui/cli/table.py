"""Every command of `fincon-tui`, in the order --help lists them: its words,
its help, what it runs, whether it writes, and its arguments.  The parser,
the read-only opening of a database and the synopsis of --help are made
from this table."""

from __future__ import annotations

from functools import partial

from fincon_tui.cli import copy_rename, key, sign_in, smtp, transfer, user
from fincon_tui.cli.command import Command, Context, Group, json_option

DEFINITION, USER = "a definition", "a user's email settings"


def init(ctx: Context) -> int:
    """`init`: opening the database created or upgraded it."""
    print(f"{ctx.path} holds fincon-tui's tables and is up to date")
    return 0


TABLE: tuple[Command | Group, ...] = (
    Group("smtp", "list, show, test, set, delete, copy and rename SMTP definitions", (
        Command("list", "list the definitions", smtp.run, writes=False, arguments=json_option),
        Command("show", "show one definition", smtp.run, writes=False, arguments=smtp.show_arguments),
        Command("test", "connect, secure and log in, then QUIT (sends nothing)", smtp.run, writes=False,
                arguments=smtp.test_arguments),
        Command("send-test", "send a short test email through a definition", smtp.run, writes=False,
                arguments=smtp.send_arguments),
        Command("sign-in", sign_in.sign_in_help("an OAuth definition"), smtp.run, writes=True,
                arguments=partial(sign_in.arguments, key="NAME")),
        Command("set", transfer.set_help(DEFINITION), smtp.run, writes=True,
                arguments=partial(transfer.set_arguments, key="NAME", fields=transfer.SMTP_FIELDS)),
        Command("delete", transfer.delete_help("a definition that no user is linked to"), smtp.run, writes=True,
                arguments=partial(transfer.delete_arguments, key="NAME")),
        Command("copy", copy_rename.copy_help(DEFINITION), smtp.run, writes=True,
                arguments=partial(copy_rename.copy_arguments, key="NAME", fields=transfer.SMTP_FIELDS)),
        Command("rename", copy_rename.rename_help(DEFINITION, "NAME"), smtp.run, writes=True,
                arguments=partial(copy_rename.rename_arguments, key="NAME")),
    )),
    Group("user", "list, show, set, delete, copy and rename user email settings", (
        Command("list", "list the users", user.run, writes=False, arguments=json_option),
        Command("show", "show one user's settings and the login they send with", user.run, writes=False,
                arguments=user.show_arguments),
        Command("set", transfer.set_help(USER), user.run, writes=True,
                arguments=partial(transfer.set_arguments, key="CODE", fields=transfer.USER_FIELDS)),
        Command("delete", transfer.delete_help(USER), user.run, writes=True,
                arguments=partial(transfer.delete_arguments, key="CODE")),
        Command("copy", copy_rename.copy_help(USER), user.run, writes=True,
                arguments=partial(copy_rename.copy_arguments, key="CODE", fields=transfer.USER_FIELDS)),
        Command("rename", copy_rename.rename_help(USER, "CODE"), user.run, writes=True,
                arguments=partial(copy_rename.rename_arguments, key="CODE")),
        Command("sign-in", sign_in.sign_in_help("a user's own login (Login Method M or G)"), user.run, writes=True,
                arguments=partial(sign_in.arguments, key="CODE")),
    )),
    Command("export", "print every definition and user, without passwords", transfer.export, writes=False,
            arguments=transfer.export_arguments),
    # --dry-run opens the database read-only (entry.py).
    Command("import", "create or change the definitions and users of an export file", transfer.import_,
            writes=True, arguments=transfer.import_arguments),
    Group("key", "the key that encrypts the stored passwords", (
        Command("status", "where the key is, its id, and how many passwords it opens", key.run, writes=False,
                arguments=json_option),
        Command("rotate", "make a new key and re-encrypt every stored password with it", key.run, writes=True),
        Command("create-file", "write this database's key into a key file that several admins can share", key.run,
                writes=True, arguments=key.file_arguments),
        Command("move-to-file", "the same, then remove the key from your keyring and default key file", key.run,
                writes=True, arguments=key.file_arguments),
    )),
    Command("init", "create the database, or add fincon-tui's tables to an existing SQLite file, and upgrade it",
            init, writes=True),
)
#: The first words of the commands.
NAMES = frozenset(command.name for command in TABLE)
