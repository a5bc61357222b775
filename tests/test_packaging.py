"""A non-editable install (a real wheel) carries styles/ and uses it."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

CHECK = """
import asyncio, os, sys
from pathlib import Path
import fincon_tui, fincon_tui.paths as paths
site = Path(sys.argv[1])
assert Path(fincon_tui.__file__).is_relative_to(site), fincon_tui.__file__
sheets = paths.stylesheets()
assert sheets and all(s.is_relative_to(site) for s in sheets), sheets
from fincon_tui.keystore.vault import PasswordVault
from fincon_tui.storage.store import open_store
from fincon_tui.ui.app import FinconApp
async def main():
    app = FinconApp(open_store(Path(sys.argv[2])), PasswordVault(), cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        bar = app.screen.query_one("#title-bar")
        print(bar.styles.height, bar.styles.background.hex)
asyncio.run(main())
"""


def test_wheel_install_finds_styles_from_another_directory(tmp_path: Path) -> None:
    site = tmp_path / "site"
    # With the build backend at hand (the test extra has it), pip builds the
    # wheel with it instead of installing one into a build environment first.
    isolation = [] if importlib.util.find_spec("hatchling") is None else ["--no-build-isolation"]
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", *isolation, "--target", str(site), str(REPO)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert (site / "fincon_tui" / "styles" / "app.tcss").is_file()
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", CHECK, str(site), str(tmp_path / "x.db")],
        cwd=workdir,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(site), os.environ["PYTHONPATH"]])},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    # the title bar's height (auto: a long path wraps at 60 columns) and the panel
    # colour come from styles/app.tcss; Textual's default background is not #003300
    assert result.stdout.split()[-2:] == ["auto", "#003300"]
