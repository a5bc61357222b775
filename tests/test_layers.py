"""The headless layers never import Textual (checked in a clean interpreter),
and no modules import each other in a circle."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import fincon_tui

HEADLESS = ("domain", "storage", "keystore", "services", "mail")


def modules_of(package: str) -> list[str]:
    path = [f"{fincon_tui.__path__[0]}/{package}"]
    return [f"fincon_tui.{package}"] + [
        f"fincon_tui.{package}.{info.name}" for info in pkgutil.iter_modules(path)
    ]


@pytest.mark.parametrize(
    "module", [m for p in HEADLESS for m in modules_of(p)] + ["fincon_tui.cli.table"]
)
def test_module_does_not_import_textual(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"{module} pulls in {result.stdout.strip()}"


def test_domain_does_no_io() -> None:
    code = (
        "import sys, fincon_tui.domain.smtp, fincon_tui.domain.fields, fincon_tui.domain.password_binding\n"
        "print(','.join(m for m in ('sqlite3', 'sqlite_utils', 'keyring', 'smtplib') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_no_modules_import_each_other_in_a_circle_even_for_annotations() -> None:
    """import-linter leaves out the imports under TYPE_CHECKING; a circle
    through one of them still ties a layer to one above it (_exceptions
    named storage's Stored and mail's Outcome)."""
    grimp = pytest.importorskip("grimp")
    graph = grimp.build_graph("fincon_tui", exclude_type_checking_imports=False)
    packages = sorted(module for module in graph.modules if graph.find_children(module))
    circles = {package: breakers for package in packages if (breakers := graph.nominate_cycle_breakers(package))}
    assert circles == {}
