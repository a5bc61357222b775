"""Remappable keys from config.toml, clashes, the legend, F1 help everywhere."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from oauth_fixtures import microsoft
from smtp_servers import silent_server
from support import definition, legend, open_form, sizes, until
from test_user_oauth import ann, login_line
from textual.widgets import Input

import fincon_tui
from fincon_tui._exceptions import ConfigError
from fincon_tui.config import load_keys
from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.ui.app import FinconApp, keymap_problems
from fincon_tui.ui.bindings import DEFAULT_KEYS
from fincon_tui.ui.help_text import EDITING
from fincon_tui.ui.keymap_config import binding_classes, check_keymap
from fincon_tui.ui.screens.confirm import ConfirmScreen
from fincon_tui.ui.screens.help import HelpScreen
from fincon_tui.ui.screens.history import HistoryScreen
from fincon_tui.ui.screens.lookup import LookupScreen
from fincon_tui.ui.screens.smtp_session import SmtpSessionScreen
from fincon_tui.ui.widgets.key_legend import KeyLegend

ROOT = Path(__file__).resolve().parent.parent
KEYS_PAGE = ROOT / "docs" / "keys-and-terminals.md"
BIN = Path(sys.executable).parent / "fincon-tui"
SIZE = (80, 24)


def test_every_binding_has_an_id_and_its_keys_from_the_one_table() -> None:
    for cls in [FinconApp, *binding_classes()]:
        for binding in cls.__dict__.get("BINDINGS", []):
            assert binding.id in DEFAULT_KEYS, f"{cls.__name__} binding {binding.key} has no known id"
            assert binding.key == DEFAULT_KEYS[binding.id], binding


def test_the_docs_list_every_binding_id_with_its_keys() -> None:
    page = KEYS_PAGE.read_text()
    rows = re.findall(r"^\| `([a-z_.]+)` \| `([a-z0-9+,]+)` \|", page, re.MULTILINE)
    assert dict(rows) == DEFAULT_KEYS and len(rows) == len(DEFAULT_KEYS)


def test_keymap_problems_are_reported() -> None:
    assert check_keymap({"accept": "f11,ctrl+s"}) == []
    problems = check_keymap({"acept": "f9", "delete": "ctrl+banana,hyperr+x", "exit": "f3,"})
    assert problems[0].startswith("unknown binding id 'acept' (known: accept,")
    assert "keys.delete: 'banana' is not a key name" in problems[1]
    assert "keys.delete: 'hyperr' is not a modifier" in problems[2]
    assert "keys.exit: a key name is missing" in problems[3]
    assert check_keymap({"accept": "f10,ctrl+j"}) == ["keys.accept: ctrl+j is Enter (a newline) on a terminal"]


def test_a_key_that_would_do_two_things_is_a_clash() -> None:
    assert keymap_problems({}) == []  # the defaults are clean
    assert keymap_problems({"accept": "f9,ctrl+s"}) == [
        "keys: F9 is both accept (Accept) and history (History) on SMTP Settings and User Email Settings"
    ]
    assert keymap_problems({"create": "f5"}) == [
        "keys: F5 is both reload (Refresh) and create (Create) on Work with SMTP Definitions and "
        "Work with User Email Settings"
    ]
    assert keymap_problems({"test_login": "f1"}) == [
        "keys: F1 is both test_login (Test) and help (Help) on SMTP Settings"
    ]
    assert keymap_problems({"history_close": "ctrl+q"}) == [
        "keys: ^Q is both history_close (Close) and quit (Quit) on History"
    ]
    assert keymap_problems({"accept": "tab"})[0].startswith("keys: Tab is both")
    assert keymap_problems({"accept": "x"})[0].startswith("keys.accept: 'x' would be typed into the fields of ")
    assert keymap_problems({"accept": "x"})[0].endswith(
        "SMTP Settings and User Email Settings; use an F-key or a Ctrl key")
    assert keymap_problems({"yes": "j", "no": "k,escape"}) == []  # a question has no fields
    assert keymap_problems({"accept": "f9,ctrl+s", "history": "f11,ctrl+y"}) == []  # moved out of the way


def test_config_file_is_read_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[keys]\naccept = "f11, ctrl+s"\n')
    assert load_keys(path) == (path, {"accept": "f11,ctrl+s"})
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


def start(tmp_path: Path, config_text: str) -> subprocess.CompletedProcess:
    config = tmp_path / "config.toml"
    config.write_text(config_text)
    return subprocess.run(
        [str(BIN), "--db", str(tmp_path / "x.db"), "--config", str(config)],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, env=os.environ.copy(),
    )


def test_bad_config_stops_start_up_with_a_clear_message(tmp_path: Path) -> None:
    result = start(tmp_path, '[keys]\nacept = "f9"\n')
    assert result.returncode == 2
    assert result.stderr.startswith(f"fincon-tui: {tmp_path / 'config.toml'}: unknown binding id 'acept'")
    assert "Traceback" not in result.stderr


def test_a_clash_stops_start_up_naming_both(tmp_path: Path) -> None:
    result = start(tmp_path, '[keys]\naccept = "f9,ctrl+s"\n')  # the docs' example until now
    assert result.returncode == 2
    assert f"{tmp_path / 'config.toml'}: keys: F9 is both accept (Accept) and history (History)" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "x.db").exists()


def test_the_docs_key_example_is_valid(tmp_path: Path) -> None:
    import tomllib

    page = KEYS_PAGE.read_text()
    example = page[page.index("```toml\n[keys]") + 8:].split("```")[0]
    keys = {key: value.replace(" ", "") for key, value in tomllib.loads(example)["keys"].items()}
    assert keymap_problems(keys) == []


async def test_remapped_accept_key_works_and_shows(store, db, vault) -> None:
    app = FinconApp(store, vault, cursor_blink=False, keymap={"accept": "f11,ctrl+s"})
    async with app.run_test(size=(160, 30)) as pilot:
        await open_form(pilot, 1, key="NEW")
        await pilot.press("y", *"mail.example.com", "f10")
        assert list(db["smtp_settings"].rows) == []  # F10 no longer accepts
        await pilot.press("f11")
        assert app.screen.message.text.startswith("SMTP definition NEW saved")
        assert "F11/^S=Accept" in legend(app)


@pytest.mark.parametrize("keys", ["f8,ctrl+d", "f8,ctrl+k"])
async def test_remapping_delete_keeps_it_in_the_legend_and_working_in_fields(store, vault, keys: str) -> None:
    app = FinconApp(store, vault, cursor_blink=False, keymap={"delete": keys})
    app.smtp.save(definition(), PasswordChange.keep(), None)
    async with app.run_test(size=(160, 30)) as pilot:
        await open_form(pilot, 1, key="office")
        assert isinstance(app.focused, Input)
        assert f"F8/^{keys[-1].upper()}=Delete" in legend(app)
        await pilot.press(keys.split(",")[1])  # in a field: the record's Delete, not the editing key
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        if keys.endswith("k"):
            await pilot.press("end", "left", "ctrl+d")  # Ctrl+D is the field's again: delete right
            assert app.focused.value == "smtp.example.co"


async def test_the_legend_shows_reload_and_history(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1)
        shown = legend(app)
        assert "F5/^R=Reload" in shown and "F9/^Y=History" in shown


@pytest.mark.parametrize("size", sizes((160, 24), (80, 24), (60, 20)))  # smaller: too small (test_every_screen)
async def test_the_legend_is_never_cut(app, size: tuple[int, int]) -> None:
    async with app.run_test(size=size) as pilot:
        await open_form(pilot, 1)
        await pilot.pause()
        shown = legend(app)
        assert len(shown) == 11
        widget = app.screen.query_one(KeyLegend)
        rows = [widget.render_line(y).text for y in range(widget.region.height)]
        assert widget.region.bottom == size[1]
        assert len(rows) == (1 if size[0] == 160 else 2)
        for label in shown:  # each key whole, on one line
            assert sum(label in row for row in rows) == 1, (label, rows)
        assert all(len(row.rstrip()) <= size[0] for row in rows)
        ctrl_aliases = "F10/^S=Accept" in shown
        assert ctrl_aliases == (size[0] >= 80)  # where they fit without another line


async def test_sign_in_is_in_the_legend_of_both_forms_whose_messages_name_it(app) -> None:
    app.smtp.save(microsoft(587, username=""), PasswordChange.keep(), None)
    app.users.save(ann(), PasswordChange.keep(), None)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, 2, key="ann")
        await until(lambda: "signed in" in login_line(form), "the login line says whether ANN is signed in")
        assert login_line(form).endswith("not signed in yet (F2/^N=Sign in)")
        assert "F2/^N=Sign in" in legend(app)
        await pilot.press("escape", "escape")
        await open_form(pilot, 1, key="m365")
        assert "F2/^N=Sign in" in legend(app)
        assert app.screen.query_one(KeyLegend).region.height == 2  # still two lines at 80x24


async def test_the_legend_follows_the_terminal_width(app) -> None:
    async with app.run_test(size=(160, 24)) as pilot:
        await open_form(pilot, 1)
        await pilot.pause()
        assert "F10/^S=Accept" in legend(app)
        await pilot.resize_terminal(60, 24)
        await pilot.pause()
        await pilot.pause()
        assert "F10=Accept" in legend(app) and "F10/^S=Accept" not in legend(app)
        await pilot.resize_terminal(160, 24)
        await pilot.pause()
        await pilot.pause()
        assert "F10/^S=Accept" in legend(app)


async def test_a_window_shows_its_own_keys_in_the_legend(seeded) -> None:
    async with seeded.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="NEW")
        assert legend(seeded) == ["Y=Yes", "N/Esc=No", "Enter=Selected button"]
        await pilot.press("n", "f4")
        assert legend(seeded) == ["F12/Esc=Cancel", "Enter=Select"]
        await pilot.press("escape", "ctrl+u", *"office", "enter", "f9")
        assert legend(seeded) == ["F9/F12/Esc=Close", "Up/Down/PgUp/PgDn=Scroll"]
        await pilot.press("f9", "f7")
        assert legend(seeded) == ["F10/^S=Send", "F12/Esc=Cancel", "Enter=Next field/Send"]


async def test_yes_remapped_to_j_is_what_the_question_says_and_takes(store, vault) -> None:
    app = FinconApp(store, vault, cursor_blink=False, keymap={"yes": "j"})
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="NEW")
        assert legend(app)[0] == "J=Yes"
        await pilot.press("y")
        assert isinstance(app.screen, ConfirmScreen)  # y is no longer Yes
        await pilot.press("j")
        assert app.screen.message.text.startswith("New SMTP definition NEW")


async def open_help(pilot) -> HelpScreen:
    await pilot.press("f1")
    help_screen = pilot.app.screen
    assert isinstance(help_screen, HelpScreen)
    return help_screen


@pytest.mark.slow  # a sweep of every window; F1 on the forms and lists is tested above
async def test_f1_works_in_every_window(seeded) -> None:
    seeded.smtp.save(definition(name="QUIET", mail_server="127.0.0.1", authenticate=False, username="",
                                use_tls=False), PasswordChange.keep(), None)
    with silent_server() as port:
        seeded.smtp.save(definition(name="QUIET", mail_server="127.0.0.1", authenticate=False, username="",
                                    use_tls=False, port=port, timeout_seconds=60), PasswordChange.keep(), 1)
        async with seeded.run_test(size=SIZE) as pilot:
            await open_form(pilot, 1)
            await pilot.press("f4")
            assert "List: SMTP definitions" in (await open_help(pilot)).dialog_title
            await pilot.press("f1")  # F1 closes help again
            assert isinstance(seeded.screen, LookupScreen)
            await pilot.press("escape", *"NEW", "enter")
            assert "Question: SMTP Settings" in (await open_help(pilot)).dialog_title
            await pilot.press("escape", "n", "ctrl+u", *"quiet", "enter", "f9")
            assert isinstance(seeded.screen, HistoryScreen)
            assert "History: History of SMTP definition QUIET" in (await open_help(pilot)).dialog_title
            await pilot.press("escape", "f9", "f7")
            assert "Test email" in (await open_help(pilot)).dialog_title
            await pilot.press("escape", "escape", "f6")
            assert "Entry: Login test: QUIET" in (await open_help(pilot)).dialog_title
            await pilot.press("escape", "enter")  # as the definition's own login
            await until(lambda: isinstance(seeded.screen, SmtpSessionScreen), "the login test's window")
            assert seeded.screen.running  # the server never answers
            help_screen = await open_help(pilot)
            assert "SMTP session" in help_screen.dialog_title
            assert ("F2/^L", "Save log") in help_screen.keys  # dimmed in the legend until it ends
            await pilot.press("escape")
            assert isinstance(seeded.screen, SmtpSessionScreen)
            await pilot.press("escape", "escape")


async def test_help_lists_the_screens_own_keys_first_then_a_short_editing_group(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1)
        shown = [entry.split("=")[0] for entry in legend(app)]
        help_screen = await open_help(pilot)
        keys = [keys for keys, _ in help_screen.keys]
        assert keys[: len(shown) - 1] == shown[:-1]  # the legend's order (^Q=Quit is the app's, last)
        assert keys[-3:] == ["^Q", "F1/^G", "^Z"]
        assert ("PgDn", "Next page of the form") in help_screen.keys
        assert len(help_screen.editing) <= 10
        assert ("^W", "Erase the word before the cursor") in help_screen.editing
        text = " ".join(str(widget.content) for widget in help_screen.query(".help-paragraph"))
        assert "once it has ended F2/^L saves it" in text  # the session's F2 is named on the form's help
        body = [str(w.content) for w in help_screen.query(".help-paragraph, .help-text")]
        assert not any("\n" in part for part in body)  # reflowed by the window, never by hand


async def test_help_keys_follow_the_keymap_and_skip_taken_editing_keys(store, vault) -> None:
    app = FinconApp(store, vault, cursor_blink=False, keymap={"delete": "f8,ctrl+k", "send_test": "f7,ctrl+e"})
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1)
        help_screen = await open_help(pilot)
        assert ("F8/^K", "Delete") in help_screen.keys
        assert all("^K" not in keys for keys, _ in help_screen.editing)
        assert ("Home/End", "Move in the field") not in help_screen.editing  # ^E took nothing shown
        assert ("Left/Right/Home/End", "Move in the field") in help_screen.editing


def test_the_editing_keys_are_textuals_own() -> None:
    bound = {key for binding in Input.BINDINGS for key in binding.key.split(",")}
    for keys, _ in EDITING:
        for key in keys:
            assert key in bound or key in ("tab", "shift+tab"), key


def test_help_fits_80x24(snap_compare, app) -> None:
    assert snap_compare(app, press=["1", "1", "1", "f1"], terminal_size=(80, 24))


def test_help_reflows_at_60x20(snap_compare, app) -> None:
    assert snap_compare(app, press=["1", "1", "1", "f1"], terminal_size=(60, 20))


def string_literals(path: Path) -> list[str]:
    """The strings of a module that can reach a user: not its docstrings."""
    tree = ast.parse(path.read_text())
    documented = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, documented) and node.body and isinstance(node.body[0], ast.Expr)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def test_no_key_names_outside_the_ui() -> None:
    """The domain, services, storage, mail and keystore never name a key:
    only the UI knows how keys are mapped."""
    package = Path(fincon_tui.__file__).parent
    pattern = re.compile(r"\b(F\d{1,2}|Ctrl\+\w|Esc)\b")
    for layer in ("domain", "services", "storage", "mail", "keystore"):
        for path in (package / layer).glob("*.py"):
            named = [text for text in string_literals(path) if pattern.search(text)]
            assert not named, (path, named)
