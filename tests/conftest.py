"""Test isolation: every test gets its own database, data folders and a
file-backed test keyring.  The developer's keyring and data are never touched."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

import hypothesis.internal.conjecture.utils  # noqa: F401  (see below)
import keyring
import pytest
from hypothesis import settings
from keyring_backends import ENV as KEYRING_ENV
from keyring_backends import FileKeyring
from processes import end_all
from support import PATIENCE, definition, until

TESTS = Path(__file__).resolve().parent
pytest_plugins = ["oauth_fixtures", "postgres_server", "suite_speed"]
# hypothesis's pytest plugin imports these lazily, and pytest rewrites them
# with ast.parse.  Done in the middle of a test while the app's database and
# keyring threads run, that failed under CPython 3.11 with "AST constructor
# recursion depth mismatch" (its AST state is shared between threads,
# gh-106905).  Imported here, before any thread starts.

# No time limit on an example (hypothesis's default is 200 ms): a full
# garbage collection of a test process, on a loaded machine, takes longer.
settings.register_profile("fincon", deadline=None)
settings.load_profile("fincon")


def pytest_configure(config: pytest.Config) -> None:
    # Before any test imports code that might ask for the default keyring.
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring_backends.FileKeyring"
    os.environ.setdefault(KEYRING_ENV, str(Path(tempfile.mkdtemp(prefix="fincon-keyring-")) / "keyring.json"))
    # What a module's or the session's fixture opens remembers its checks
    # (storage/intact.py) here, not in the user's cache folder.
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="fincon-cache-")
    keyring.set_keyring(FileKeyring())


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("TZ", "UTC")  # times on screen (History) read the same on every machine
    time.tzset()
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.delenv("FINCON_TUI_DB", raising=False)
    monkeypatch.setenv(KEYRING_ENV, str(tmp_path / "keyring.json"))
    monkeypatch.setenv("PYTHONPATH", str(TESTS))
    # 256 colours unless a test asks for 16: the app picks its theme by these.
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("COLORTERM", raising=False)
    monkeypatch.delenv("TEXTUAL_COLOR_SYSTEM", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    keyring.set_keyring(FileKeyring())


@pytest.fixture(autouse=True)
def no_process_outlives_its_test():
    """Whatever the outcome, what the test started ends (tests/processes.py)."""
    yield
    end_all()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "fincon.db"


#: What `make test` leaves to `make test-slow` besides the tests marked
#: slow where they are written (stress, sweeps): the app's behaviour in depth
#: and what needs real terminals or processes.  `make test` keeps the
#: domain, storage on both engines, services and the CLI whole, and of the
#: full-screen app: the seed workflow's form, every screen opened, the
#: menus, typeahead, waits, the key legend, hostile text and the main
#: snapshots at 80x24.  CI runs both tiers.  (Module, or module::test.)
FULL_TIER = {
    # the app's screens in depth (each screen's smoke test stays: test_every_screen, test_snapshots)
    "test_work_with.py": "the Work-with lists' options, paging and windows",
    "test_user_form.py": "the User Email Settings form in depth",
    "test_faults_ui.py": "database and key-store faults under the app",
    "test_layout.py": "layout after events and resizes",
    "test_keys_and_help.py": "every key and F1 text",
    "test_colours.py": "the 16-colour and NO_COLOR themes",
    "test_messages.py": "the message line's wording in each window",
    "test_smtp_tui.py": "login test and test email windows",
    "test_providers.py": "the provider look-up window",
    "test_help_layout.py": "help windows at each size",
    "test_concurrent_admins.py": "two apps on one database",
    "test_lookup_rows.py": "look-up windows over hostile rows",
    "test_postgres_tui.py": "the app on PostgreSQL",
    "test_legacy_keys.py": "legacy keys sent to a real terminal",
    "test_snapshots.py::test_screen_in_16_colours": "the 16-colour snapshots",
    "test_snapshots.py::test_more_screen": "snapshots of more windows and sizes",
    # real terminals and processes
    "test_terminal_e2e.py": "the app in a real pty",
    "test_terminal_lifecycle.py": "the terminal's modes restored in a real pty",
    "test_shared_keys.py": "several OS users' processes sharing a key",
    "test_concurrent_writers.py": "writer processes racing",
    "test_concurrent_starts.py": "processes starting on one new database",
    "test_packaging.py": "a wheel built and installed",
    "test_untrusted_text.py::test_hostile_rows_reach_the_pty_as_text_only": "hostile rows through a real pty",
    "test_key_rotation.py::test_sigkill_at_random_moments_during_rotation": "rotating processes killed",
    "test_key_rotation.py::test_a_rotation_killed_while_it_writes_the_key_file_leaves_no_copy_of_the_key":
        "a rotating process killed",
    "test_key_rotation.py::test_two_databases_rotating_at_once_through_one_key_file": "rotating processes racing",
    "test_hosts.py::test_two_servers_rotate_one_key_through_copies_of_the_key_file": "two servers' processes",
    "test_folded_names.py::test_two_admins_creating_office_and_OFFICE_at_once_make_one": "two processes racing",
    "test_db_copy.py::test_progress_on_a_terminal_and_none_when_piped": "a real terminal and a pipe",
    "test_db_copy.py::test_import_shows_the_same_progress_between_its_lines_and_none_when_piped": "a real terminal",
    "test_cli_refusals.py::test_head_of_a_list_in_a_shell_pipeline": "a real shell pipeline",
}


#: Tests of modules `make test` keeps that go with the app in depth.
FULL_TIER_TESTS = {
    "test_smtp_form.py": ("the SMTP form beyond the seed workflow and its main refusals", (
        "test_a_new_mail_server_takes_the_stored_password_along_and_says_so",
        "test_clearing_the_masked_password_removes_it", "test_typing_over_the_mask_replaces_the_whole_password",
        "test_a_number_field_refuses_a_letter_as_it_is_typed_or_pasted", "test_host_with_port", "test_port_zero",
        "test_time_out_out_of_range", "test_empty_time_out", "test_username_with_authenticate_n",
        "test_password_without_username", "test_authenticate_y_without_username_says_users_bring_their_own",
        "test_empty_name_is_refused_on_enter", "test_accept_before_lookup_explains",
        "test_keyring_failure_keeps_everything_typed", "test_no_keyring_backend_keeps_the_key_in_a_key_file",
        "test_ctrl_q_with_unsaved_changes_asks", "test_saving_twice_in_a_row_without_leaving",
        "test_enter_accept_and_yes_buttons_work_with_the_mouse", "test_numbers_out_of_range_are_refused_by_name",
    )),
    "test_snapshots.py": ("the lists' and the user form's snapshots (the lists in depth are there too)", (
        "test_seeded_screen", "test_list_screen", "test_last_test_screen",
    )),
    "test_user_oauth.py": ("a user's sign-in on the user form", (
        "test_a_users_mailbox_signs_in_on_the_user_form_then_the_login_test_runs_as_the_user",
        "test_the_login_method_field_takes_p_m_g_or_nothing_and_keys_come_from_the_keymap",
        "test_accept_says_when_a_mailbox_still_has_to_sign_in",
    )),
    "test_copy_secrets.py": ("the Work with lists' 3=Copy", (
        "test_list_option_3_asks_once_for_every_secret",
        "test_list_copy_of_a_signed_in_user_says_the_copy_signs_in_again",
    )),
    "test_sign_in_failures.py": ("the sign-in windows", (
        "test_the_device_code_window_shows_the_address_and_the_code_each_on_a_line_of_its_own",
        "test_the_google_window_shows_the_whole_address_apart_and_the_pasted_address_signs_in",
        "test_a_sign_in_that_cannot_connect_says_so_whole_and_the_form_says_it_failed",
    )),
    "test_lookup_filter.py": ("the F4 list's filter beyond typed-ahead keys", (
        "test_rows_read_before_another_admins_change_never_show_over_those_read_after",
        "test_the_first_page_shows_while_the_rest_is_read_and_keys_typed_meanwhile_wait",
        "test_another_admins_change_shows_in_the_open_list_and_keys_read_nothing",
        "test_esc_closes_the_list_at_once_while_its_rows_are_still_read",
        "test_the_list_reads_a_page_at_a_time_as_the_highlight_moves_on",
    )),
    "test_login_complete.py": ("the lists and the user form", (
        "test_the_lists_say_missing_for_a_login_without_its_password",
        "test_login_used_on_the_user_form_says_missing_until_a_password_is_typed",
    )),
}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        module, name = item.path.name, getattr(item, "originalname", item.name)
        named = FULL_TIER_TESTS.get(module, ("", ()))[1]
        if module in FULL_TIER or f"{module}::{name}" in FULL_TIER or name in named:
            item.add_marker(pytest.mark.slow)


#: What ties a test to SQLite (its file, its rows) or to the TUI, which
#: stays on SQLite but for a few tests of its own (issue 24).
SQLITE_ONLY = frozenset({"db", "db_path", "app"})
ENGINES = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test of a module marked `engines` that asks for the store (and
    for nothing of SQLite's own) runs on both engines."""
    asked = set(metafunc.fixturenames)  # with the fixtures' own, all the way down
    if "engine" in asked and metafunc.definition.get_closest_marker("engines") and not asked & SQLITE_ONLY:
        metafunc.parametrize("engine", ENGINES, indirect=True)


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    """The engine under `store`: SQLite, or for a test of a module marked
    `engines` each in turn (pytest_generate_tests)."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def db_location(engine: str, request: pytest.FixtureRequest) -> Path | str:
    """Where `store` is: a file in tmp_path, or a PostgreSQL database of
    this test's own (tests/postgres_server.py)."""
    return request.getfixturevalue("db_path" if engine == "sqlite" else "pg_url")


@pytest.fixture
def store(db_location: Path | str):
    """An open store: what services, the CLI and the UI are given.  Tests
    of behaviour go through it alone, so that the other engine runs them
    by this fixture's `engine`."""
    from fincon_tui.storage.store import open_store

    opened = open_store(db_location)
    yield opened
    opened.close()


@pytest.fixture
def db(store):
    """sqlite-utils' Database over the SQLite connection under `store`, for
    the tests that must see the engine's own rows (rules, migrations,
    hostile rows)."""
    return store.db.utils


@pytest.fixture
def vault():
    from fincon_tui.keystore.vault import PasswordVault

    return PasswordVault()


@pytest.fixture
def colours() -> int | None:
    """The terminal's colours for the app fixture: None as TERM says (256
    here); a test parametrizes `colours` with 16 for the ANSI theme."""
    return None


@pytest.fixture
def app(store, vault, colours):
    from fincon_tui.ui.app import FinconApp

    return FinconApp(store, vault, cursor_blink=False, colours=colours)


@pytest.fixture
def seeded(app):
    """OFFICE with a shared login, OWN where users bring their own, RELAY without login."""
    from fincon_tui.domain.password_binding import PasswordChange

    app.smtp.save(definition(name="OFFICE", username="shared@corp.example"), PasswordChange.set("shared"), None)
    app.smtp.save(definition(name="OWN", username=""), PasswordChange.keep(), None)
    app.smtp.save(definition(name="RELAY", authenticate=False, username="", port=25), PasswordChange.keep(), None)
    return app


@pytest.fixture
def people(seeded):
    """The seeded definitions with users: ALICE (own login, on OWN), BOB (on
    OWN without one: cannot send), CAROL (on OFFICE's shared login)."""
    from support import user

    from fincon_tui.domain.password_binding import PasswordChange

    seeded.users.save(user("ALICE", "OWN", "alice"), PasswordChange.set("alice-pw"), None)
    seeded.users.save(user("BOB", "OWN"), PasswordChange.keep(), None)
    seeded.users.save(user("CAROL", "OFFICE"), PasswordChange.keep(), None)
    return seeded


@pytest.fixture(autouse=True)
def pilot_waits_for_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pilot.press and Pilot.click return once the keys are applied and the
    database work they started is done (the app runs it in a thread), unless
    a save waits for another admin's, or work waits for the keyring: then the
    test goes on, to press Esc or F1.

    Pilot.press waits after every key until the app is idle, judged in 20 ms
    sleeps (textual._wait), twice a key: about 40 ms a key of pure sleep,
    most of a form test's time.  Within a press call it is judged in 2 ms
    steps with the same idle ratio (test_smtp_form: 47 s instead of 75 s
    with 5 ms steps; test_snapshots and test_smtp_form, one process: 42 s
    with 5 ms, 34 s with 2 ms, 33 s with 1 ms).
    A press call ends once the screen has been laid out and painted
    (`wait_for_refresh`, Textual's own "after refresh"): what follows may be
    a click, which needs the window it aims at laid out, or a look at what
    the screen shows.  It ended with Textual's 20 ms idle steps before,
    about 0.1 s a test of pure sleep (test_smtp_form, test_work_with and
    test_user_form: 8.8 s).  Clicks and Pilot.pause keep Textual's steps
    (a resize, for one, reaches the screen through several messages).
    test_textual_internals fails if Textual drops the names these rely on."""
    import asyncio
    import contextlib

    import textual._wait as wait
    from textual.pilot import Pilot

    def idle(app) -> bool:
        database = getattr(app, "database", None)
        task = getattr(getattr(app, "typeahead", None), "task", None)
        typing = task is not None and not task.done()
        return not typing and (database is None or not database.busy or database.waiting is not None
                               or database.keyring_wait is not None)

    async def settled(pilot: Pilot) -> None:
        await until(lambda: idle(pilot.app), "the keys pressed, and the database work they started, to end")

    @contextlib.contextmanager
    def short_steps():
        steps = wait.SLEEP_GRANULARITY, wait.SLEEP_IDLE
        wait.SLEEP_GRANULARITY, wait.SLEEP_IDLE = 0.002, 0.002 / 20
        try:
            yield
        finally:
            wait.SLEEP_GRANULARITY, wait.SLEEP_IDLE = steps

    async def refreshed(pilot: Pilot) -> None:
        """Once the app is idle, its database work done and its screen laid
        out and painted (a screen that went away meanwhile: Textual's steps)."""
        with short_steps():
            await wait.wait_for_idle(0)
            await settled(pilot)
        app, screen = pilot.app, pilot.app.screen
        refresh = asyncio.ensure_future(screen.wait_for_refresh())
        loop = asyncio.get_running_loop()
        deadline = loop.time() + PATIENCE
        try:  # a screen that goes meanwhile is never refreshed
            while not refresh.done() and app.is_running and app.screen is screen and screen.is_running:
                assert loop.time() < deadline, f"still waiting after {PATIENCE:g} s for the screen's repaint"
                await asyncio.wait([refresh], timeout=0.01)  # returns as soon as it is done
        finally:
            refresh.cancel()
        if not refresh.done() or refresh.cancelled():
            await wait.wait_for_idle(0)

    original_press, original_click = Pilot.press, Pilot.click

    async def press(self: Pilot, *keys: str) -> None:
        with short_steps():
            await original_press(self, *keys)
        await refreshed(self)

    async def click(self: Pilot, *args, **kwargs):
        result = await original_click(self, *args, **kwargs)
        await settled(self)
        return result

    monkeypatch.setattr(Pilot, "press", press)
    monkeypatch.setattr(Pilot, "click", click)


@pytest.fixture
def fincon(db_location: Path | str):
    """Runs `fincon-tui --db <the test database> ARGS...` in this process
    (tests/cli_runner.py); `stdin` is its input (none: an empty stream;
    bytes: the output is bytes too)."""
    from cli_runner import run_cli

    def run(*args: str, stdin: str | bytes | None = None) -> subprocess.CompletedProcess:
        return run_cli(["--db", str(db_location), *args], stdin)

    return run


@pytest.fixture
def fincon_process(db_location: Path | str):
    """As `fincon`, but the installed command in a process of its own: for
    what only a process shows (its entry point, its streams, its end)."""
    import sys

    command = Path(sys.executable).parent / "fincon-tui"

    def run(*args: str, stdin: str | bytes | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(command), "--db", str(db_location), *args], capture_output=True, text=not isinstance(stdin, bytes),
            timeout=60,
            env=os.environ.copy(), input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL,
        )

    return run
