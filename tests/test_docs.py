"""The documentation (issue 23): README.md is a guide of at most 250 lines,
every relative link in it and in docs/ leads to a file and a heading that
exist, and the CLI reference names every command of the command table, each
marked read-only or writes as the table declares it, every option of the
parser and every environment variable the code reads; every example command
line is one the parser takes."""

from __future__ import annotations

import argparse
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest

from fincon_tui._exceptions import HOW_TO
from fincon_tui.cli.entry import build_parser
from fincon_tui.cli.table import TABLE
from fincon_tui.storage.field_rules import DECLARATIONS

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
CLI_REFERENCE = ROOT / "docs" / "cli.md"
README_LINES = 250

FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(`+).+?\1", re.DOTALL)
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def prose(text: str) -> str:
    """`text` without code blocks and code spans, where a [..](..) is no link."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: its text (a link's text, not its
    address) lower-cased, punctuation but - and _ dropped, spaces as -."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every heading's anchor; a repeated one also as -1, -2 ... as GitHub numbers them."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    for heading in HEADING.findall(FENCE.sub("", page.read_text())):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(f"{base}-{count}" if count else base)
    return found


def broken_links(page: Path) -> list[str]:
    problems = []
    for target in LINK.findall(prose(page.read_text())):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto: ...
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists():
            problems.append(f"{page.name}: {target}: no file {path}")
        elif anchor and (linked.suffix != ".md" or anchor not in anchors(linked)):
            problems.append(f"{page.name}: {target}: no heading #{anchor} in {linked.name}")
    return problems


def test_the_readme_is_a_guide_of_at_most_250_lines() -> None:
    lines = len((ROOT / "README.md").read_text().splitlines())
    assert lines <= README_LINES, f"README.md has {lines} lines: the reference goes to docs/"


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_every_relative_link_resolves(page: Path) -> None:
    assert broken_links(page) == []


def test_the_readme_has_the_section_that_messages_name() -> None:
    """A missing key's message says where to read on: "see README, 'Password storage'"."""
    for section in re.findall(r"README, '([^']+)'", HOW_TO):
        assert slug(section) in anchors(ROOT / "README.md"), section


def test_the_link_check_can_fail(tmp_path: Path) -> None:
    (tmp_path / "there.md").write_text("# Title\n\n## Keys and `config.toml`\n\n## Keys and `config.toml`\n")
    page = tmp_path / "page.md"
    page.write_text("[a](there.md#keys-and-configtoml) [b](there.md#keys-and-configtoml-1) [c](#own)\n"
                    "## Own\n`[not a link](nowhere.md)` [web](https://example.com/x)\n"
                    "[d](missing.md) [e](there.md#nowhere) [f](#keys)\n")
    assert broken_links(page) == [
        "page.md: missing.md: no file missing.md",
        "page.md: there.md#nowhere: no heading #nowhere in there.md",
        "page.md: #keys: no heading #keys in page.md",
    ]


def commands() -> dict[str, bool]:
    """Every command of the command table, as typed ('smtp list', 'init'),
    and whether it writes; the order --help lists them in."""
    found: dict[str, bool] = {}
    for entry in TABLE:
        for command in getattr(entry, "commands", None) or [entry]:
            words = f"{entry.name} {command.name}" if command is not entry else entry.name
            found[words] = command.writes
    return found


def test_help_lists_the_commands_of_the_table() -> None:
    listed = [re.match(r"fincon-tui ((?:[a-z][a-z-]*(?: |$))+)", line) for line in build_parser().synopsis()]
    assert [match.group(1).strip() for match in listed if match] == list(commands())


def test_the_cli_reference_has_every_command_once_marked_as_the_table_says() -> None:
    text = CLI_REFERENCE.read_text()
    rows = re.findall(r"^\| `([a-z][a-z -]*)` \| .+ \| (read-only|writes)\b", text, re.MULTILINE)
    declared = commands()
    assert [name for name, _ in rows] == list(declared), "the table of commands in docs/cli.md"
    assert {name: access == "writes" for name, access in rows} == declared
    synopses = "\n".join(block for block in re.findall(r"^```sh\n(.*?)^```", text, re.MULTILINE | re.DOTALL))
    for name in declared:
        assert re.search(rf"^fincon-tui {name}( |$)", synopses, re.MULTILINE), f"no synopsis of {name}"


def parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """`parser` and every command's parser below it."""
    yield parser
    for action in parser._actions:  # noqa: SLF001 (argparse has no public list)
        if isinstance(action.choices, dict):  # the commands of add_subparsers
            for below in action.choices.values():
                yield from parsers(below)


#: The commands whose options include the FIELD OPTIONS.
FIELD_COMMANDS = [["smtp", "set"], ["smtp", "copy"], ["user", "set"], ["user", "copy"]]


def undocumented_options(reference: str) -> list[str]:
    """The options of the parser (each of their spellings; not --help, nor
    one hidden from --help, nor a field's: the FIELD OPTIONS, which --help
    lists from the declarations) that `reference` does not name; a numbered
    series (--user-defined-1 ... -6) counts as named by any of its numbers."""
    numbered = re.sub(r"(?<=[a-z])-\d+\b", "-N", reference)
    fields = {field.option.flag for declared in DECLARATIONS for field in declared.options if field.option}
    missing = []
    for parser in parsers(build_parser()):
        for action in parser._actions:  # noqa: SLF001
            field = parser.prog.split()[1:] in FIELD_COMMANDS and set(action.option_strings) & fields
            if action.help == argparse.SUPPRESS or action.dest == "help" or field:
                continue
            for option in action.option_strings:
                named = re.sub(r"(?<=[a-z])-\d+$", "-N", option)
                if not re.search(rf"(?<![\w-]){re.escape(named)}(?![\w-])", numbered):
                    missing.append(f"{parser.prog} {option}")
    return sorted(set(missing))


def test_the_cli_reference_names_every_option() -> None:
    assert undocumented_options(CLI_REFERENCE.read_text()) == []


def test_the_option_check_can_fail() -> None:
    text = CLI_REFERENCE.read_text().replace("--with-password", "--with-passwords").replace("--verbose", "")
    assert undocumented_options(text) == ["fincon-tui smtp copy --with-password", "fincon-tui smtp send-test --verbose",
                                          "fincon-tui smtp test --verbose", "fincon-tui user copy --with-password"]


def test_the_field_options_are_the_declared_fields() -> None:
    """The options this page need not name: those `set` and `copy` make from
    the fields' declarations, each listed by --help with its help."""
    for parser in parsers(build_parser()):
        if parser.prog.split()[1:] not in FIELD_COMMANDS:
            continue
        declared = next(d for d in DECLARATIONS if d.table.startswith(parser.prog.split()[1]))
        flags = {action.option_strings[0]: action.help for action in parser._actions  # noqa: SLF001
                 if action.option_strings}
        for field in declared.options:
            assert field.option and flags[field.option.flag] and field.option.help in flags[field.option.flag]


def test_the_cli_reference_names_every_environment_variable_the_code_reads() -> None:
    code = "".join(path.read_text() for path in (ROOT / "fincon_tui").rglob("*.py"))
    environment = CLI_REFERENCE.read_text().split("\n## Environment\n", 1)[1].split("\n## ", 1)[0]
    read = set(re.findall(r"\bFINCON_TUI_[A-Z_]+\b", code))
    assert read and {name for name in read if f"`{name}`" not in environment} == set(), "docs/cli.md, Environment"


def examples(text: str) -> list[list[str]]:
    """The words after `fincon-tui` of each example command line in `text`
    (in a code block or a code span; up to a pipe, redirection or comment),
    not a synopsis (`[--json]`, `...`)."""
    found = []
    code = [line for block in re.findall(r"^```\w*\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
            for line in block.splitlines()]
    code += re.findall(r"(?<!`)`([^`\n]+)`(?!`)", FENCE.sub("", text))
    for line in code:
        words = shlex.split(line, comments=True) if "fincon-tui" in line else []
        if "fincon-tui" not in words or any("[" in word or "..." in word for word in words):
            continue
        words = words[words.index("fincon-tui") + 1:]
        if words:  # not the name alone: "the installed `fincon-tui`"
            found.append(list(next((words[:at] for at, word in enumerate(words)
                                    if word in ("|", "||", "&&", ";", ">", "<", "2>")), words)))
    return found


def refused(words: list[str]) -> str | None:
    """How the parser refuses `fincon-tui WORDS` (its message goes to stderr),
    or None when it takes them."""
    try:
        build_parser().parse_args(words)
    except SystemExit as stop:  # --help and --version exit 0
        return f"fincon-tui {shlex.join(words)}: exit {stop.code}" if stop.code else None
    return None


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_every_example_command_line_is_one_the_parser_takes(page: Path) -> None:
    lines = examples(page.read_text())
    assert [problem for words in lines if (problem := refused(words))] == []


def test_the_examples_are_found_and_can_fail() -> None:
    text = ("```sh\nfincon-tui smtp list --json | head  # all\nfincon-tui smtp show NAME [--json]\n```\n"
            "Run `printf '%s\\n' \"$PW\" | fincon-tui smtp set OFFICE --pasword-stdin`, or `fincon-tui --db x init`.")
    found = examples(text)
    assert found == [["smtp", "list", "--json"], ["smtp", "set", "OFFICE", "--pasword-stdin"], ["--db", "x", "init"]]
    assert [refused(words) for words in found] == [None, "fincon-tui smtp set OFFICE --pasword-stdin: exit 2", None]
    assert len(examples((ROOT / "README.md").read_text())) >= 8
