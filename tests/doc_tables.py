"""The tables of docs/storage.md that the fields' declarations write: each
record table's declared columns (domain/smtp_fields.py,
domain/user_fields.py), between the lines

    <!-- the declared columns of TABLE: written by `make docs` -->
    <!-- end of the declared columns -->

`make docs` (this file run as a script) writes them again;
test_storage.test_the_declared_columns_are_documented_as_make_docs_writes_them
fails while they are stale, so a new field's column is documented by the
command, not by hand."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from a checkout

from fincon_tui.domain.declaration import Declaration, Field  # noqa: E402
from fincon_tui.domain.value_rules import Choice, WholeNumber, YesNo  # noqa: E402
from fincon_tui.storage.field_rules import DECLARATIONS  # noqa: E402

STORAGE_DOC = ROOT / "docs" / "storage.md"
BEGIN = "<!-- the declared columns of {table}: written by `make docs` -->"
END = "<!-- end of the declared columns -->"


def column_type(declared: Declaration[Any], field: Field) -> str:
    """TEXT or INTEGER, what it holds when the rule says it in SQL's words,
    NULL when it may be empty, and its key or reference."""
    rule = field.rule
    assert rule is not None
    if isinstance(rule, WholeNumber):
        kind = f"INTEGER {rule.low}-{rule.high}"
    elif isinstance(rule, (YesNo, Choice)):
        values = ("Y", "N") if isinstance(rule, YesNo) else rule.choices
        kind = "TEXT " + "/".join(f"`'{value}'`" for value in values)
    else:
        kind = "TEXT"
    if not rule.required:
        kind += " or NULL"
    if field.name == declared.key:
        kind += ", primary key"
    if field.link is not None:
        kind += f", references `{field.link.table}({field.link.column})`"
    return kind


def meaning(field: Field) -> str:
    """Its label, what its rule takes (a reference: the rows it names), and its note."""
    assert field.rule is not None
    said = "" if field.link is not None else f": {field.rule.says()}"
    return f"{field.label}{said}" + (f"; {field.column}" if field.column else "")


def rows(declared: Declaration[Any]) -> list[str]:
    return ["| column | type | meaning |", "| --- | --- | --- |",
            *(f"| `{field.name}` | {column_type(declared, field)} | {meaning(field)} |" for field in declared.stored)]


def written(text: str) -> str:
    """`text` with each table's declared columns as the declarations write them."""
    for declared in DECLARATIONS:
        begin = BEGIN.format(table=declared.table)
        found = re.search(re.escape(begin) + r"\n.*?" + re.escape(END), text, re.DOTALL)
        if found is None:
            raise ValueError(f"docs/storage.md has no {begin}")
        text = text[:found.start()] + "\n".join([begin, "", *rows(declared), "", END]) + text[found.end():]
    return text


if __name__ == "__main__":
    STORAGE_DOC.write_text(written(STORAGE_DOC.read_text()))
