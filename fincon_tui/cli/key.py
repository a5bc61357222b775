"""`fincon-tui key ...`: the key that encrypts this database's passwords."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from fincon_tui._exceptions import SecretStoreError
from fincon_tui.cli.command import Context
from fincon_tui.cli.common import FAILED, fail, say

if TYPE_CHECKING:
    from fincon_tui.config import Config
    from fincon_tui.keystore.vault import PasswordVault
    from fincon_tui.services.data_keys import KeyStatus
    from fincon_tui.services.sealed_passwords import Passwords


def file_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("path", metavar="PATH", help="the key file")
    command.add_argument("--group", metavar="GROUP", help="make a new file 0640 for this group")


def rotate_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--force", action="store_true",
                         help="re-encrypt now, even if hosts seen in the last 30 days do not have the new key yet")


def run(ctx: Context) -> int:
    from fincon_tui.services import data_keys as keys
    from fincon_tui.services.sealed_passwords import Passwords

    args = ctx.args
    passwords = Passwords(ctx.store, ctx.vault)
    try:
        if args.key_command == "status":
            return _status(keys.status(passwords), args.json)
        if args.key_command == "rotate":
            return _rotate(passwords, args.force)
        return _to_file(args, passwords, ctx.vault, ctx.config)
    except SecretStoreError as error:
        return fail(str(error))


def _rotate(passwords: Passwords, force: bool) -> int:
    from fincon_tui.cli.progress import Progress
    from fincon_tui.services import data_keys as keys
    from fincon_tui.services import hosts

    shown: list[Progress] = []

    def resealed(done: int, total: int) -> None:  # on a terminal, over many secrets
        if not shown:
            shown.append(Progress(total, "re-encrypted", "secrets"))
        shown[0](1)

    try:
        done = keys.rotate(passwords, force=force, progress=resealed)
    finally:
        for line in shown:
            line.wipe()
    if isinstance(done, keys.Staged):
        say(
            f"New key {done.new} staged in {done.source.describe()}, beside the old key {done.old}, which still "
            f"opens every password. Not yet loaded by {hosts.describe(list(done.waiting_for))}: copy the key "
            "file to each of them and start fincon-tui there (or run a command that writes), then run "
            "`fincon-tui key rotate` again; `--force` re-encrypts now, and those hosts cannot open the "
            "passwords until they have the new key."
        )
        return FAILED
    say(
        f"New key {done.new} in {done.source.describe()}; {keys.counted(done.secrets) or 'nothing'} "
        f"re-encrypted. The old key {done.old} stays there for backups made before now."
    )
    if done.forced_past:
        say(f"Forced: {hosts.describe(list(done.forced_past))} cannot open the passwords until they have key "
            f"{done.new}: copy the key file to them.", err=True)
    return 0


def _status(report: KeyStatus, as_json: bool) -> int:
    from fincon_tui.services.data_keys import counted

    if as_json:
        print(json.dumps(report.as_json(), indent=2))
    else:
        lines = [
            ("Database id", report.database_id),
            ("Key id", report.key_id or "none yet (made when the first password is saved)"),
            ("Key found in", report.found_in.describe() if report.found_in else "nowhere (see below)" if report.problem
             else "-"),
            ("New keys go to", report.new_keys_go_to.describe()),
            ("Stored", f"{counted(report.stored) or 'nothing'}; {report.opened} opened with this account's key"),
        ]
        if report.staged_key_id:
            lines.append(("Staged key", f"{report.staged_key_id} (`key rotate` re-encrypts with it once every host "
                                        "has it)"))
        lines += [("Unusable", text) for text in report.unusable]
        if report.legacy_left:
            where = ", ".join(f"{who}: {n}" for who, n in sorted(report.legacy_left.items()))
            lines.append(("Older keyrings", f"{sum(report.legacy_left.values())} ({where})"))
        for label, value in lines:
            say(f"{label:<15} {value}")
        _hosts(report)
        if report.problem and not report.found_in:  # a sentence of its own, not a value
            say(f"\n{report.problem[0].upper()}{report.problem[1:]}")
    return FAILED if report.problem or report.unusable else 0


def _hosts(report: KeyStatus) -> None:
    """The hosts that used the database, as a table (names from the database shown visibly)."""
    from fincon_tui.cli.common import cell

    if not report.hosts:
        return
    say(f"\n{cell('Host', 24)} {cell('Key id', 22)}  {cell('Last seen (UTC)', 16)}  By")
    for line in report.hosts:
        key = line.key_id or "none"
        if line.key_id and line.key_id not in (report.key_id, report.staged_key_id):
            key += " (old)"
        seen = line.seen_at[:16].replace("T", " ")
        say(f"{cell(line.host, 24)} {cell(key, 22)}  {cell(seen, 16)}  {line.seen_by}"
            f"{' (this host)' if line.this else ''}")


def _to_file(args: argparse.Namespace, passwords: Passwords, vault: PasswordVault, config: Config) -> int:
    from fincon_tui.config import remember_key_file
    from fincon_tui.services import data_keys as keys

    path = Path(args.path).expanduser().absolute()
    moving = args.key_command == "move-to-file"
    if moving and config.key_file not in (None, path):
        return fail(f"your config names key file {config.key_file}: point it at {path} first, or use 'key create-file'")
    if not moving and path.exists():
        return fail(f"{path} exists already: use 'key move-to-file' to add this database's key to it")
    found = keys.to_key_file(passwords, path, args.group, move=moving)
    say(f"Key {found.id} is in key file {path}.")
    if config.key_file == path:
        return 0
    if moving and remember_key_file(config.path, path):
        say(f"{config.path} now names it ([passwords] key_file).")
        return 0
    say(
        "Point every admin at it: in ~/.config/fincon-tui/config.toml\n"
        f'  [passwords]\n  key_file = "{path}"\n'
        f"or in the environment: export FINCON_TUI_KEY_FILE={path}"
    )
    return 0
