"""Remappable keys from config.toml, F1 help, --no-mouse."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import legend

from fincon_tui._exceptions import ConfigError
from fincon_tui.config import load_keys
from fincon_tui.ui.app import FinconApp
from fincon_tui.ui.keymap_config import binding_classes, binding_ids, check_keymap
from fincon_tui.ui.screens.help import HelpScreen

BIN = Path(sys.executable).parent / "fincon-tui"


def test_every_binding_has_an_id_and_the_ids_are_known() -> None:
    known = binding_ids(binding_classes())
    for expected in ("accept", "prompt", "delete", "exit", "cancel", "quit", "help", "test_login", "send_test"):
        assert expected in known
    for cls in binding_classes():
        for binding in cls.__dict__.get("BINDINGS", []):
            assert binding.id, f"{cls.__name__} binding {binding.key} has no id"


def test_keymap_problems_are_reported() -> None:
    known = binding_ids(binding_classes())
    assert check_keymap({"accept": "f9,ctrl+s"}, known) == []
    problems = check_keymap({"acept": "f9", "delete": "ctrl+banana,hyperr+x", "exit": "f3,"}, known)
    assert problems[0].startswith("unknown binding id 'acept' (known: accept,")
    assert "keys.delete: 'banana' is not a key name" in problems[1]
    assert "keys.delete: 'hyperr' is not a modifier" in problems[2]
    assert "keys.exit: a key name is missing" in problems[3]


def test_config_file_is_read_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[keys]\naccept = "f9, ctrl+s"\n')
    assert load_keys(path) == (path, {"accept": "f9,ctrl+s"})
    path.write_text("[keys\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_keys(path)
    path.write_text("[colours]\nx = 1\n")
    with pytest.raises(ConfigError, match="unknown section 'colours'"):
        load_keys(path)
    with pytest.raises(ConfigError, match="no such file"):
        load_keys(tmp_path / "missing.toml")


def test_missing_default_config_is_fine() -> None:
    path, keys = load_keys(None)
    assert keys == {} and path.name == "config.toml" and "fincon-tui" in str(path)


def test_bad_config_stops_start_up_with_a_clear_message(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[keys]\nacept = "f9"\n')
    result = subprocess.run(
        [str(BIN), "--db", str(tmp_path / "x.db"), "--config", str(config)],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, env=os.environ.copy(),
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"fincon-tui: {config}: unknown binding id 'acept'")
    assert "Traceback" not in result.stderr


async def test_remapped_accept_key_works_and_shows(db, vault) -> None:
    app = FinconApp(db, vault, cursor_blink=False, keymap={"accept": "f9,ctrl+s"})
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("1", "1", "1", *"NEW", "enter", "y", *"mail.example.com", "f10")
        assert list(db["smtp_settings"].rows) == []  # F10 no longer accepts
        await pilot.press("f9")
        assert app.screen.message.text.startswith("SMTP definition NEW saved")
        assert "F9/^S=Accept" in legend(app)


async def test_f1_shows_help_for_the_screen_and_closes(app) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1", "1", "1", "f1")
        assert isinstance(app.screen, HelpScreen)
        body = str(app.screen.query_one("#help-body Static").content)
        assert "Mail Server . . .   The address of the SMTP mail server" in body
        assert "F10/^S" in body and "Accept" in body and "F6/^T" in body
        await pilot.press("f1")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("ctrl+g")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert app.screen.PATH == "System / Mail Settings / SMTP Settings"


def test_help_fits_80x24(snap_compare, app) -> None:
    assert snap_compare(app, press=["1", "1", "1", "f1"], terminal_size=(80, 24))


async def test_the_legend_follows_the_terminal_width(app) -> None:
    async with app.run_test(size=(160, 24)) as pilot:
        await pilot.press("1", "1", "1")
        await pilot.pause()
        assert "F10/^S=Accept" in legend(app)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        assert "F10=Accept" in legend(app) and "F10/^S=Accept" not in legend(app)
        await pilot.resize_terminal(160, 24)
        await pilot.pause()
        await pilot.pause()
        assert "F10/^S=Accept" in legend(app)
