"""Every screen at 80x24, as an SSH terminal shows it.

Update with `make test PYTEST_ARGS="--snapshot-update"` only after looking
at each changed SVG (snapshot_report.html shows the differences).
"""

from __future__ import annotations

import pytest

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
        *"office", "enter", *"alice@corp.example", "enter", *"pw", "enter",
        *"Alice Smith", "enter", *"alice@corp.example", "enter", *"Accountant",
    ],
    "lookup_list": ["1", "1", "2", *"alice", "enter", "y", "f4", "down"],
    "delete_confirmation": ["1", "1", "1", *"office", "enter", "f8"],
}


@pytest.mark.parametrize("keys", SCREENS.values(), ids=SCREENS.keys())
def test_screen(snap_compare, app, keys: list[str]) -> None:
    assert snap_compare(app, press=keys, terminal_size=(80, 24))


@pytest.mark.parametrize("keys", SEEDED_SCREENS.values(), ids=SEEDED_SCREENS.keys())
def test_seeded_screen(snap_compare, seeded, keys: list[str]) -> None:
    assert snap_compare(seeded, press=keys, terminal_size=(80, 24))


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
    assert snap_compare(people, press=keys, terminal_size=(80, 24))
