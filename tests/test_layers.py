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


def textual_loaded_by(*modules: str) -> str:
    """The Textual modules a clean interpreter holds once it has imported `modules`."""
    code = (
        f"import sys, {', '.join(modules)}\n"
        "print(','.join(sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))))\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_no_headless_module_imports_textual() -> None:
    """Every module of the headless layers, and the CLI's table, imported
    together in one interpreter: what each imports is part of what they all
    do (one interpreter a module took 60 of them, 7 s of CPU).  Where
    Textual comes, each alone names the ones that bring it."""
    modules = [m for p in HEADLESS for m in modules_of(p)] + ["fincon_tui.cli.table"]
    if textual_loaded_by(*modules):
        culprits = [module for module in modules if textual_loaded_by(module)]
        raise AssertionError(f"these pull in Textual: {culprits or modules}")


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
