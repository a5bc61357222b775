"""Every command of `fincon-tui`, in the order --help lists them: its words,
its help, what it runs, whether it writes, and its arguments.  The parser,
the read-only opening of a database and the synopsis of --help are made
from this table."""

from __future__ import annotations

from functools import partial

from fincon_tui.cli import check, copy_rename, db, key, records, sign_in, smtp, transfer, user
from fincon_tui.cli.command import Command, Context, Group, json_option

SMTP, USER = smtp.KIND, user.KIND


def init(ctx: Context) -> int:
    """`init`: opening the database created or upgraded it."""
    print(f"{ctx.path} holds fincon-tui's tables and is up to date")
    return 0


TABLE: tuple[Command | Group, ...] = (
    Group("smtp", "list, show, test, set, delete, copy and rename SMTP definitions", (
        Command("list", "list the definitions", partial(records.list_records, SMTP), writes=False,
                arguments=json_option),
        Command("show", "show one definition", partial(records.show, SMTP), writes=False,
                arguments=partial(records.show_arguments, SMTP)),
        Command("test", "connect, secure and log in, then QUIT (sends nothing)", smtp.login_test, writes=False,
                arguments=smtp.test_arguments),
        Command("send-test", "send a short test email through a definition", smtp.send_test, writes=False,
                arguments=smtp.send_arguments),
        Command("sign-in", sign_in.sign_in_help("an OAuth definition"), partial(records.sign_in, SMTP), writes=True,
                arguments=partial(sign_in.arguments, SMTP)),
        Command("set", transfer.set_help(SMTP), partial(transfer.set_record, SMTP), writes=True,
                arguments=partial(transfer.set_arguments, SMTP)),
        Command("delete", transfer.delete_help("a definition that no user is linked to"),
                partial(transfer.delete, SMTP), writes=True, arguments=partial(transfer.delete_arguments, SMTP)),
        Command("copy", copy_rename.copy_help(SMTP), partial(copy_rename.copy, SMTP), writes=True,
                arguments=partial(copy_rename.copy_arguments, SMTP)),
        Command("rename", copy_rename.rename_help(SMTP), partial(copy_rename.rename, SMTP), writes=True,
                arguments=partial(copy_rename.rename_arguments, SMTP)),
    )),
    Group("user", "list, show, set, delete, copy and rename user email settings", (
        Command("list", "list the users", partial(records.list_records, USER), writes=False, arguments=json_option),
        Command("show", "show one user's settings and the login they send with", partial(records.show, USER),
                writes=False, arguments=partial(records.show_arguments, USER)),
        Command("set", transfer.set_help(USER), partial(transfer.set_record, USER), writes=True,
                arguments=partial(transfer.set_arguments, USER)),
        Command("delete", transfer.delete_help(USER.what), partial(transfer.delete, USER), writes=True,
                arguments=partial(transfer.delete_arguments, USER)),
        Command("copy", copy_rename.copy_help(USER), partial(copy_rename.copy, USER), writes=True,
                arguments=partial(copy_rename.copy_arguments, USER)),
        Command("rename", copy_rename.rename_help(USER), partial(copy_rename.rename, USER), writes=True,
                arguments=partial(copy_rename.rename_arguments, USER)),
        Command("sign-in", sign_in.sign_in_help("a user's own login (Login Method M or G)"),
                partial(records.sign_in, USER), writes=True, arguments=partial(sign_in.arguments, USER)),
    )),
    # Read-only in the table's sense: it never creates, upgrades or changes a
    # record; the results of its login tests are kept, as smtp test's are.
    Command("check", "check every definition and user for cron and monitoring (Nagios exit statuses)", check.run,
            writes=False, arguments=check.arguments, cannot_run=check.cannot_run),
    Command("export", "print every definition and user, without passwords", transfer.export, writes=False,
            arguments=transfer.export_arguments),
    # --dry-run opens the database read-only (entry.py).
    Command("import", "create or change the definitions and users of an export file", transfer.import_,
            writes=True, arguments=transfer.import_arguments),
    Group("key", "the key that encrypts the stored passwords", (
        Command("status", "where the key is, its id, and how many passwords it opens", key.run, writes=False,
                arguments=json_option),
        Command("rotate", "make a new key and re-encrypt every stored password with it, once every host has it",
                key.run, writes=True, arguments=key.rotate_arguments),
        Command("create-file", "write this database's key into a key file that several admins can share", key.run,
                writes=True, arguments=key.file_arguments),
        Command("move-to-file", "the same, then remove the key from your keyring and default key file", key.run,
                writes=True, arguments=key.file_arguments),
    )),
    Group("db", "the database itself, on either engine", (
        Command("status", "the engine, where the database is, the server's and the schema's versions", db.status,
                writes=False, arguments=json_option, any_schema=True),
        Command("copy", "copy everything into an empty database, on either engine, as it is", db.copy, writes=True,
                arguments=db.copy_arguments, database=db.copy_target),
    )),
    Command("init", "create the database, or add fincon-tui's tables to an existing SQLite file, and upgrade it",
            init, writes=True),
)
#: The first words of the commands.
NAMES = frozenset(command.name for command in TABLE)
