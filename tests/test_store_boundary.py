"""SQL lives in storage/ alone: services, the front ends and every other
module reach the database through the Store (storage/store.py), so a second
engine needs nothing of them.  The import contract in pyproject.toml keeps
the drivers and the engine modules in storage; this keeps the SQL text
there, and the Store's secret rows to the secrets service."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import fincon_tui

#: Statements as the code base writes SQL: upper-case keywords, the shape of a statement.
SQL = re.compile(
    r"\b(SELECT\s+[\w*,. ()]+?\s+FROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|PRAGMA\s+\w+"
    r"|(CREATE|DROP|ALTER)\s+(TABLE|INDEX|TRIGGER|VIEW)|BEGIN\s+(IMMEDIATE|EXCLUSIVE)|ROLLBACK\s+TO|SAVEPOINT\s+\w+"
    r"|WHERE\s+\w+\s*(=|<|>|LIKE|IS|IN)\s*[?%:(\w])",
)


def sql_outside_storage(root: Path) -> list[str]:
    """'path:line: text' for each string literal under `root`, outside
    storage/, that holds an SQL statement or fragment."""
    found = []
    for path in sorted(root.rglob("*.py")):
        where = path.relative_to(root).as_posix()
        if where.startswith("storage/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (text := _text(node)) is not None and (statement := SQL.search(text)):
                found.append(f"{where}:{node.lineno}: {statement.group(0)!r}")
    return found


def _text(node: ast.AST) -> str | None:
    """A string literal's text; an f-string's with each value as a name."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value if isinstance(part, ast.Constant) else "x" for part in node.values)
    return None


def test_no_sql_text_outside_storage() -> None:
    assert sql_outside_storage(Path(fincon_tui.__file__).parent) == []


def test_the_scan_finds_sql_where_it_is_planted(tmp_path: Path) -> None:
    """Each way SQL was passed up before the Store: a query, a WHERE
    fragment (Repository.where), a PRAGMA (key_changes), a write."""
    planted = {
        "services/a.py": 'ROWS = "SELECT name FROM smtp_settings"\n',
        "ui/b.py": 'def f(key):\n    return f"{key} > ?", f"WHERE {key} = ?"\n',
        "cli/c.py": 'X = "PRAGMA defer_foreign_keys = ON"\n',
        "services/d.py": 'Y = """\n    UPDATE secrets SET expires_at = ?\n"""\n',
        "storage/e.py": 'Z = "SELECT 1 FROM t"\n',  # storage's own: allowed
        "services/f.py": 'W = "Select from the list, then delete from it: the update sets the port"\n',
    }
    for name, text in planted.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    found = [line.split(":")[0] for line in sql_outside_storage(tmp_path)]
    assert found == ["cli/c.py", "services/a.py", "services/d.py", "ui/b.py"]


#: The one module outside storage that reaches a store's secret rows: the secrets service.
SECRETS_SERVICE = "services/sealed_passwords.py"


def secret_rows_reached(root: Path) -> list[str]:
    """'path:line' for each `store.secrets` (or `x.store.secrets`) under
    `root` outside storage/ and the secrets service."""
    found = []
    for path in sorted(root.rglob("*.py")):
        where = path.relative_to(root).as_posix()
        if where.startswith("storage/") or where == SECRETS_SERVICE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "secrets" and (
                (isinstance(node.value, ast.Name) and node.value.id == "store")
                or (isinstance(node.value, ast.Attribute) and node.value.attr == "store")
            ):
                found.append(f"{where}:{node.lineno}")
    return found


def test_only_the_secrets_service_reaches_the_secret_rows(tmp_path: Path) -> None:
    """The other services ask the secrets service (Passwords); they never
    read or write a sealed secret themselves."""
    assert secret_rows_reached(Path(fincon_tui.__file__).parent) == []
    (tmp_path / "services").mkdir()
    (tmp_path / "services/a.py").write_text("def f(service):\n    service.store.secrets.remove(None)\n")
    (tmp_path / "services/b.py").write_text("def f(store, loaded):\n    return store.secrets, loaded.secrets\n")
    (tmp_path / SECRETS_SERVICE).write_text("def f(store):\n    return store.secrets\n")
    assert secret_rows_reached(tmp_path) == ["services/a.py:2", "services/b.py:2"]
