"""Every screen at 80x24, as an SSH terminal shows it, in 256 colours and
(for the screens whose look depends on it) in 16 colours.

Update with `make test PYTEST_ARGS="--snapshot-update"` only after looking
at each changed SVG (snapshot_report.html shows the differences).
"""

from __future__ import annotations

import pytest
from rich.terminal_theme import TerminalTheme
from support import definition, open_form

from fincon_tui.domain.password_binding import PasswordChange

SEED_DETAILS = [
    *"smtp.office365.com", "enter",
    "y", "enter",
    *"accounts@corp.example", "enter",
    *"secret", "enter",
    *"587", "enter",
    "y", "enter",
    *"45", "enter",
    *"audit@corp.example",
]


def snapped(snap_compare, app, keys: list[str], size: tuple[int, int] = (80, 24)) -> bool:
    """`snap_compare` after `keys`; a Mail Settings screen that the keys open
    by the menu digits ("1", "1", N) is opened as the menu opens it, without
    the two menus in between (the menu snapshots show those)."""
    if keys[:2] == ["1", "1"] and len(keys) > 2 and keys[2] in "1234":
        entry, keys = int(keys[2]), keys[3:]

        async def before(pilot) -> None:
            await open_form(pilot, entry)

        return snap_compare(app, press=keys, run_before=before, terminal_size=size)
    return snap_compare(app, press=keys, terminal_size=size)


SCREENS = {
    "main_menu": [],
    "system_menu": ["1"],
    "mail_settings_menu": ["1", "1"],
    "smtp_form_empty": ["1", "1", "1"],
    "smtp_create_modal": ["1", "1", "1", *"OFFICE", "enter"],
    "smtp_form_filled": ["1", "1", "1", *"OFFICE", "enter", "y", *SEED_DETAILS],
    "smtp_validation_error": ["1", "1", "1", *"OFFICE", "enter", "y", *"mail.example.com:25", "f10"],
    "smtp_existing_loaded": [
        "1", "1", "1", *"OFFICE", "enter", "y", *SEED_DETAILS, "f10", *"office", "enter",
    ],
    "smtp_unsaved_changes": ["1", "1", "1", *"OFFICE", "enter", "y", "x", "escape"],
}


#: Screens shown over the seeded definitions OFFICE, OWN and RELAY.
SEEDED_SCREENS = {
    "user_form_filled": [
        "1", "1", "2", *"alice", "enter", "y",
        *"office", "enter", *"alice@corp.example", "enter", *"pw", "enter", "enter",
        *"Alice Smith", "enter", *"alice@corp.example", "enter", *"Accountant",
    ],
    "lookup_list": ["1", "1", "2", *"alice", "enter", "y", "f4", "down"],
    "delete_confirmation": ["1", "1", "1", *"office", "enter", "f8"],
}


@pytest.mark.parametrize("keys", SCREENS.values(), ids=SCREENS.keys())
def test_screen(snap_compare, app, keys: list[str]) -> None:
    assert snapped(snap_compare, app, keys)


@pytest.mark.parametrize("keys", SEEDED_SCREENS.values(), ids=SEEDED_SCREENS.keys())
def test_seeded_screen(snap_compare, seeded, keys: list[str]) -> None:
    assert snapped(snap_compare, seeded, keys)


#: The "Work with" lists over the seeded definitions and the users ALICE, BOB, CAROL.
LIST_SCREENS = {
    "work_with_definitions": ["1", "1", "3", "2", "down", "down", "5"],
    "work_with_users": ["1", "1", "4"],
    "copy_dialog": ["1", "1", "3", "3", "enter"],
    "rename_dialog": ["1", "1", "4", "down", "down", "7", "enter"],
    "display_from_list": ["1", "1", "3", "down", "5", "enter"],
    "list_help": ["1", "1", "3", "f1"],
}


@pytest.mark.parametrize("keys", LIST_SCREENS.values(), ids=LIST_SCREENS.keys())
def test_list_screen(snap_compare, people, keys: list[str]) -> None:
    assert snapped(snap_compare, people, keys)


#: The Linux console's palette (TERM=linux): 16-colour snapshots are drawn in it.
VGA = TerminalTheme(
    (0, 0, 0), (170, 170, 170),
    [(0, 0, 0), (170, 0, 0), (0, 170, 0), (170, 85, 0), (0, 0, 170), (170, 0, 170), (0, 170, 170), (170, 170, 170)],
    [(85, 85, 85), (255, 85, 85), (85, 255, 85), (255, 255, 85), (85, 85, 255), (255, 85, 255), (85, 255, 255),
     (255, 255, 255)],
)

#: In the 16 ANSI colours, over the seeded definitions and users.
SCREENS_16 = {
    "smtp_form_empty": ["1", "1", "1"],
    "smtp_create_modal": ["1", "1", "1", *"NEW", "enter"],
    "smtp_existing_loaded": ["1", "1", "1", *"office", "enter"],
    "authenticate_n_errors": ["1", "1", "1", *"office", "enter", "tab", "n", "f10"],
    "user_form": ["1", "1", "2", *"alice", "enter"],
    "lookup_list": ["1", "1", "2", *"alice", "enter", "f4", "down"],
    "work_with_definitions": ["1", "1", "3", "2", "down", "down", "5"],
    "help": ["1", "1", "1", "f1"],
}


@pytest.mark.parametrize("colours", [16])
@pytest.mark.parametrize("keys", SCREENS_16.values(), ids=SCREENS_16.keys())
def test_screen_in_16_colours(snap_compare, people, keys: list[str], monkeypatch) -> None:
    import rich.console

    monkeypatch.setattr(rich.console, "SVG_EXPORT_THEME", VGA)
    assert snapped(snap_compare, people, keys)


#: A copy, a refused delete and a rename, typed on a list in one go.
LIST_OPTIONS = ["1", "1", "3", "3", "down", "4", "down", "7", "enter", *"branch", "enter", "y", "enter", "f10",
                "ctrl+u", *"MAIN", "enter"]

#: Screens whose look the 5250 conventions set: message subfile, pages, windows.
MORE_SCREENS = {
    "authenticate_n_errors": (["1", "1", "1", *"office", "enter", "tab", "n", "f10"], (80, 24)),
    "user_form_second_page": (["1", "1", "2", *"alice", "enter", "pagedown"], (80, 24)),
    "form_at_120x40": (["1", "1", "1", *"office", "enter"], (120, 40)),
    "history_wrapped": (["1", "1", "1", *"office", "enter", "f9"], (80, 24)),
    "test_email_window": (["1", "1", "1", *"office", "enter", "f7"], (80, 24)),
    "user_form_at_60x20": (["1", "1", "2", *"alice", "enter"], (60, 20)),
    # 3, 4 and 7 on the three definitions: the worst outcome, counted; F1 lists all three
    "list_outcomes": (LIST_OPTIONS, (80, 24)),
    "list_outcomes_in_help": ([*LIST_OPTIONS, "f1"], (80, 24)),
    # the smallest terminal shown whole: fields narrow, hints wrap, a list's columns in two views
    "smtp_form_at_60x20": (["1", "1", "1", *"office", "enter"], (60, 20)),
    "providers_at_60x20": (["1", "1", "1", *"office", "enter", "f4"], (60, 20)),
    "work_with_at_60x20": (["1", "1", "3"], (60, 20)),
    "work_with_second_view_at_60x20": (["1", "1", "3", "f2"], (60, 20)),
    "too_small_at_40x12": (["1", "1", "3"], (40, 12)),
}


@pytest.fixture
def utc():
    """Times shown in UTC (History shows the local time of each change)."""
    import os
    import time

    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.mark.parametrize(("keys", "size"), MORE_SCREENS.values(), ids=MORE_SCREENS.keys())
def test_more_screen(snap_compare, people, keys: list[str], size: tuple[int, int], utc) -> None:
    long = "relay-with-a-long-name.eu-west-1.mail.example.com"
    people.smtp.save(definition(name="OFFICE", mail_server=long, username="shared@corp.example", port=2525),
                     PasswordChange.keep(), 1)
    # as shown in History
    people.smtp.store.db.execute("UPDATE audit_log SET at = '2026-11-24T14:02:00+00:00', who = 'anna'")
    assert snapped(snap_compare, people, keys, size)


@pytest.mark.parametrize("colours", [256, 16])
def test_plaintext_warning(snap_compare, app, colours, monkeypatch) -> None:
    import rich.console

    monkeypatch.setattr(rich.console, "SVG_EXPORT_THEME", VGA)
    app.smtp.save(definition(name="PLAIN", use_tls=False), PasswordChange.set("pw"), None)
    assert snapped(snap_compare, app, ["1", "1", "1", *"plain", "enter", "f6", "enter"])


def test_no_color(snap_compare, store, vault, monkeypatch) -> None:
    """NO_COLOR: Textual draws the theme in grey; fields and buttons keep their shape."""
    from fincon_tui.ui.app import FinconApp

    monkeypatch.setenv("NO_COLOR", "1")
    app = FinconApp(store, vault, cursor_blink=False)
    monkeypatch.delenv("NO_COLOR")  # the app has read it; the SVG export must not strip colours too
    app.smtp.save(definition(name="OFFICE"), PasswordChange.keep(), None)
    assert snapped(snap_compare, app, ["1", "1", "1", *"office", "enter"])


#: The last login tests: the list's column (a failed test in the warning colour, OWN's
#: sender domain marked SPF!) and the form's line (OFFICE's, with the domain that would fail SPF).
#: OFFICE's mark stays off the list: 'FAILED AUTH 12-05 SPF!' would move the column to view 2 at 80x24.
LAST_TEST_SCREENS = {
    "last_tests_in_the_list": ["1", "1", "3"],
    "last_test_on_the_form": ["1", "1", "1", *"office", "enter"],
}


@pytest.mark.parametrize("keys", LAST_TEST_SCREENS.values(), ids=LAST_TEST_SCREENS.keys())
def test_last_test_screen(snap_compare, people, keys: list[str], utc) -> None:
    from fincon_tui.storage.records import LoginTest, SpfVerdict

    store = people.smtp.store
    with store.transaction() as work:
        for key, ok, step in (("OFFICE", False, "AUTH"), ("OWN", True, "")):
            work.login_tests.record(LoginTest("smtp", work.smtp.get(key).row_id, key, "2026-12-05T14:03:00+00:00",
                                              "anna", ok, step, "a test", "2099-03-01"))
        for key in ("OWN",) if keys == LAST_TEST_SCREENS["last_tests_in_the_list"] else ("OFFICE",):
            work.spf_verdicts.put(SpfVerdict("smtp", work.smtp.get(key).row_id, key, "2026-12-06T14:03:00+00:00",
                                             "corp.example", True, "corp.example has no SPF record"))
    assert snapped(snap_compare, people, keys)
