"""What every command shares: the argument parser, how a failure is
printed, how a secret is read from stdin, and the exit statuses.

    0  success; for a command that writes (`set`, `delete`, `import`):
       done, whether or not anything had to change
    1  the check or test failed (a login test; `key status` finding the key
       missing), or an import refused some of its records (the others
       were applied)
    2  the command could not run, nothing was written (bad arguments, a
       field the form would refuse, unusable database, config or file, a
       missing login, or the key missing for a command that needs it)
    3  with --detailed-exitcode only: done, and something was changed
       (an import --dry-run: would be changed)
    4  in doubt: the database server stopped answering while a write was
       being committed, and could not be asked whether it was; it may or
       may not have been written (4 wins over 1 and 3 in an import)
  141  stdout was closed before the output was all written (`... | head -1`):
       the command stops quietly, with the status a shell gives a tool that
       SIGPIPE ended (128 + 13), as `seq 1 100000 | head -1` does

Changed and unchanged are both 0 by default, so `&&` chains and `set -e`
scripts work; a configuration-management tool asks for 3 and reports
"changed" from it (Ansible: `changed_when: result.rc == 3`,
`failed_when: result.rc not in [0, 3]`), as Terraform's and Puppet's own
--detailed-exitcode(s) do.
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
from collections.abc import Iterable, Iterator
from typing import Any, NoReturn

from fincon_tui._exceptions import ArgumentsRefused, FieldError
from fincon_tui.domain.visible import visible, visible_lines

FAILED = 1
CANNOT_RUN = 2
CHANGED = 3
IN_DOUBT_STATUS = 4
BROKEN_PIPE = 141
#: The most bytes a line read from stdin may hold: more than any secret a
#: field takes (16,384 characters of at most 4 bytes each).
LINE_MAX = 65_536


def init_command(path: object, named: bool) -> str:
    """The command that creates or upgrades the database at `path`, to copy
    into a shell: `fincon-tui --db 'new db.db' init` (`named` on the command
    line; else the default, as it was found)."""
    import shlex

    return f"fincon-tui --db {shlex.quote(str(path))} init" if named else "fincon-tui init"


def say(text: str = "", *, err: bool = False) -> None:
    """Print text for a person; control characters that came from data or a
    server are shown visibly, never sent to the terminal."""
    print(visible_lines(text), file=sys.stderr if err else sys.stdout)


def fail(message: str) -> int:
    """Print `message` (each line prefixed) on stderr; the status for 'could not run'."""
    for line in message.splitlines():
        say(f"fincon-tui: {line}", err=True)
    return CANNOT_RUN


def print_list(chunks: Iterable[list[dict[str, Any]]], as_json: bool, heading: str, key: str) -> None:
    """A `list` command's output, printed a chunk of rows at a time: JSON,
    or a table of the rows' `line`s (brief rows), those that need attention
    flagged `!` and explained below it."""
    if as_json:
        for text in json_list(chunks):
            sys.stdout.write(text)
        sys.stdout.write("\n")
        return
    say(f"  {heading}")
    notes: list[str] = []
    for rows in chunks:
        lines = []
        for row in rows:
            attention, warning = row["needs_attention"], row.get("warning")
            lines.append(f"{'!' if attention or warning else ' '} {row['line']}")
            if attention:
                notes.append(f"! {row[key]} needs attention: {attention}")
            if warning:
                notes.append(f"! {row[key]}: {warning}")
        if lines:
            say("\n".join(lines))
    if notes:
        say("\n".join(notes))


def json_list(chunks: Iterable[list[Any]], level: int = 0) -> Iterator[str]:
    """The text of a JSON list whose items come a chunk at a time, as
    json.dumps(items, indent=2, ensure_ascii=True) writes it at nesting
    `level`: each chunk is json.dumps's (a string in it never holds a raw
    line break, so its lines can be indented), never the whole list at once."""
    newline = "\n" + "  " * level
    opened = False
    for chunk in chunks:
        if not chunk:
            continue
        body = _json_body(chunk)
        yield ("," if opened else "[") + (body.replace("\n", newline) if level else body)
        opened = True
    yield newline + "]" if opened else "[]"


def _json_body(items: list[Any]) -> str:
    """json.dumps(items, indent=2, ensure_ascii=True) without its '[' and
    '\\n]'.  Rows (dicts of text, numbers, true, false and null: an export's)
    in one call of the C encoder, with that indent as its separator (a
    string it writes holds no line break, so every one it writes is a
    separator): json.dumps with an indent is pure Python, 7 µs a row."""
    import json

    if not all(type(item) is dict and item and _SCALARS.issuperset(map(type, item.values())) for item in items):
        return json.dumps(items, indent=2, ensure_ascii=True)[1:-2]
    rows: str = _row_encoder().encode(items)[2:-2]  # without '[{' and '}]'
    return "\n  {\n    " + rows.replace("},\n    {", "\n  },\n  {\n    ") + "\n  }"


#: The types of a row's values that _json_body writes in one call.
_SCALARS = frozenset({str, int, float, bool, type(None)})


@functools.cache
def _row_encoder() -> Any:
    """_json_body's encoder (json loads when a command prints JSON)."""
    import json

    return json.JSONEncoder(ensure_ascii=True, separators=(",\n    ", ": "))


def cell(value: object, width: int) -> str:
    """A value in a table's column: as shown (visible), padded to `width`,
    so a control character's escape counts in the width."""
    return visible(str(value)).ljust(width)


def print_record(row: dict[str, Any], as_json: bool) -> None:
    """A `show` command's output: JSON, or a line for each field with its
    value as the form shows it (as_text)."""
    import json

    if as_json:
        print(json.dumps(row, indent=2))
        return
    for key, value in row.items():
        say(f"{key:<16} {as_text(value)}".rstrip())


def as_text(value: object) -> str:
    """A value of a command's JSON as its text says it: Y or N as the forms
    show yes and no, an empty field blank, none (null, no entries) as —,
    entries as `name: value; name: value` on one line."""
    if value is None or value == {} or value == []:
        return "—"
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, dict):
        return "; ".join(f"{name}: {as_text(item)}" for name, item in value.items())
    if isinstance(value, list):
        return ", ".join(as_text(item) for item in value)
    return str(value)


#: The longest line of a command in the synopsis that --help ends with.
SYNOPSIS_WIDTH = 76
#: An unrecognized word that looks like an option is named in the error; other words never are.
_OPTION = re.compile(r"--[a-z][a-z0-9-]{0,40}|-[A-Za-z]")


class Parser(argparse.ArgumentParser):
    """The parser of `fincon-tui` and, through add_subparsers, of every
    command.  An option is matched whole, never by a prefix (`--pass` is not
    `--password`), and an error never repeats a value from the command line:
    a secret typed where it does not belong must not be printed back."""

    #: The exit status of a command line this parser refuses (`check`: 3, UNKNOWN).
    refused_status = CANNOT_RUN

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_abbrev=False, **kwargs)

    def error(self, message: str) -> NoReturn:
        """argparse's errors go up to the root parser's parse_args."""
        raise ArgumentsRefused(self, message)

    def parse_args(self, args: Iterable[str] | None = None, namespace: Any = None) -> Any:
        words = sys.argv[1:] if args is None else list(args)
        try:
            parsed, extra = self.parse_known_args(words, namespace)
        except ArgumentsRefused as bad:
            _refuse(bad.parser, _without_values(bad.message, words, self.names()))
        if extra:
            _refuse(self, _unrecognized(extra))
        return parsed

    def format_help(self) -> str:
        """argparse's help, then the synopsis of the commands below this
        parser, made from the parser itself so that none is left out."""
        lines = [f"  {line}" for line in self.synopsis()]
        if len(lines) < 2:
            return super().format_help()
        return f"{super().format_help()}\ncommands (each takes --help):\n" + "\n".join(lines) + "\n"

    def synopsis(self) -> list[str]:
        """A line for each command below this parser (itself if it has none):
        `fincon-tui smtp show NAME [--json]`; `... NAME [options]` when its
        options would not fit on the line."""
        commands = [command for action in self._actions if isinstance(action.choices, dict)
                    for command in action.choices.values()]
        if commands:
            return [line for command in commands for line in command.synopsis()]
        named = [action.metavar if isinstance(action.metavar, str) else action.dest
                 for action in self._actions if not action.option_strings]
        options = [action for action in self._actions if action.option_strings and action.dest != "help"]
        formatter = argparse.HelpFormatter(prog="", width=1_000)
        formatter.add_usage(None, options, self._mutually_exclusive_groups, prefix="")
        line = " ".join([self.prog, *named, formatter.format_help().strip()]).strip()
        return [line if len(line) <= SYNOPSIS_WIDTH else " ".join([self.prog, *named, "[options]"])]

    def names(self) -> set[str]:
        """Every option and command name of this parser and its commands."""
        names: set[str] = set()
        for action in self._actions:
            names.update(action.option_strings)
            if isinstance(action.choices, dict):  # the commands of add_subparsers
                for name, command in action.choices.items():
                    names |= {name, *command.names()}
        return names


def _refuse(parser: argparse.ArgumentParser, message: str) -> NoReturn:
    parser.print_usage(sys.stderr)
    say(f"{parser.prog}: error: {message}", err=True)
    raise SystemExit(parser.refused_status if isinstance(parser, Parser) else CANNOT_RUN)


def _unrecognized(extra: list[str]) -> str:
    """Names the options given (without what follows an `=`); a word after
    one of them, or any other word, is only counted."""
    named: list[str] = []
    for index, word in enumerate(extra):
        option = word.split("=", 1)[0]
        after_option = index > 0 and "=" not in extra[index - 1] and extra[index - 1] in named
        if _OPTION.fullmatch(option) and not after_option:
            named.append(option)
    others = len(extra) - len(named)
    words = f"{others} {'word' if others == 1 else 'words'} not repeated here (a value could be a secret)"
    if not named:
        return f"unrecognized arguments: {words}"
    return f"unrecognized arguments: {' '.join(named)}" + (f", and {words}" if others else "")


def _without_values(message: str, words: list[str], names: set[str]) -> str:
    """argparse's `message` with every word from the command line that is
    not an option or command name (and every value after an `=`) left out."""
    values = set()
    for word in words:
        if word not in names:  # itself, after an `=`, after a one-letter option (`-vVALUE`)
            values |= {word, word.partition("=")[2], word[2:] if word[:1] == "-" != word[1:2] else ""}
    for value in sorted(filter(None, values), key=len, reverse=True):
        message = message.replace(repr(value), "(a value, not repeated)")
        message = re.sub(rf"(?<![\w-]){re.escape(value)}(?![\w-])", "(a value, not repeated)", message)
    return message


def read_line(what: str) -> str:
    """The next line of stdin without its line end (LF, CR LF); the rest of
    stdin stays unread.  ValueError, naming `what`, when it is not UTF-8
    text or longer than LINE_MAX bytes."""
    line = sys.stdin.buffer.readline(LINE_MAX + 1) if sys.stdin is not None else b""
    if len(line.removesuffix(b"\n")) > LINE_MAX:
        raise ValueError(f"the {what} on stdin is longer than {LINE_MAX:,} bytes")
    try:
        return line.decode("utf-8").removesuffix("\n").removesuffix("\r")
    except UnicodeDecodeError:
        raise ValueError(f"the {what} on stdin is not UTF-8 text") from None


def read_secret(what: str, prompt: str, clear_option: str) -> str:
    """Every secret a command reads: typed at `prompt` without echo when
    stdin is a terminal, else read_line's.  Refused (ValueError, naming
    `what`), never altered: none, not UTF-8, too long, a control character."""
    from fincon_tui.domain.fields import check_printable

    if sys.stdin is not None and sys.stdin.isatty():
        import getpass

        try:
            value = getpass.getpass(prompt)
        except EOFError:
            value = ""
    else:
        value = read_line(what)
    if not value:
        raise ValueError(f"no {what} given (to remove the stored one, use {clear_option})")
    try:
        check_printable(value)
    except FieldError:
        raise ValueError(f"the {what} contains a control character (a tab, NUL, CR ...)") from None
    return value
