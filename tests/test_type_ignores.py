"""Every `type: ignore` in the product says why, in a comment after it
(mypy's ignore-without-code, in pyproject.toml, makes each name its error)."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import fincon_tui

PACKAGE = Path(fincon_tui.__path__[0])
_IGNORE = re.compile(r"#\s*type:\s*ignore\b(\[[^\]]*\])?")
#: After the ignore: another comment with words in it; a noqa is not a reason.
_REASON = re.compile(r"^\s*#(?!\s*noqa\b)\s*\w.*\w")


def unexplained(source: str) -> list[int]:
    """The lines of `source` whose `type: ignore` comment has no reason after it."""
    lines = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type != tokenize.COMMENT or not (ignore := _IGNORE.search(token.string)):
            continue
        if not _REASON.match(token.string[ignore.end():]):
            lines.append(token.start[0])
    return lines


def test_the_check_tells_a_reason_from_none() -> None:
    assert unexplained("x = f()  # type: ignore[arg-type]  # f's stub says int; it takes str too\n") == []
    assert unexplained("x = f()  # type: ignore[arg-type]\n") == [1]
    assert unexplained("x = f()  # type: ignore\n") == [1]
    assert unexplained("x = f()  # type: ignore[method-assign]  # noqa: SLF001\n") == [1]
    assert unexplained("s = '# type: ignore'\n") == []


def test_every_type_ignore_in_the_product_says_why() -> None:
    found = {
        f"{path.relative_to(PACKAGE).as_posix()}:{line}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for line in unexplained(path.read_text(encoding="utf-8"))
    }
    assert found == set()
