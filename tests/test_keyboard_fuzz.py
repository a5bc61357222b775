"""Keyboard fuzz: hypothesis drives the real app with random keys through the
menus and forms.  The app never crashes, and every row in the database is one
the forms would accept, with a keyring entry that agrees.

`make test` runs a fixed, short set of examples; `make test-slow` runs a
random, longer one (FINCON_FUZZ_EXAMPLES overrides the count).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import definition

from fincon_tui.domain.password_binding import PasswordChange, smtp_owner, user_owner
from fincon_tui.domain.smtp import parse_definition
from fincon_tui.domain.users import UserEmailSettings, parse_user_settings
from fincon_tui.keystore.vault import PasswordVault
from fincon_tui.storage.store import open_store
from fincon_tui.ui.app import FinconApp

#: Where an example starts: the main menu, or one of the two forms.
STARTS = [(), ("1", "1", "1"), ("1", "1", "2")]
TYPED = [*"OFFICEBRANCHbob@.example.com123 YNyn-_", "ü", "☃"]
CONTROL = [
    "enter", "tab", "shift+tab", "escape", "backspace", "delete", "left", "right", "up", "down",
    "home", "end", "space",
]
#: Every action key except the ones that open real network connections (F6/F7).
ACTIONS = [
    "f1", "f2", "f3", "f4", "f5", "f8", "f9", "f10", "f12",
    "ctrl+s", "ctrl+p", "ctrl+d", "ctrl+r", "ctrl+y", "ctrl+g", "ctrl+l", "ctrl+q",
]
KEY = st.one_of(
    st.sampled_from(TYPED), st.sampled_from(TYPED), st.sampled_from(CONTROL), st.sampled_from(ACTIONS)
)
STEPS = st.lists(KEY, min_size=1, max_size=60)


def fuzz_settings(examples: int, *, fixed: bool):
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=fixed,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


def seed(app: FinconApp) -> None:
    """OFFICE with a shared password, RELAY without login, BOB linked to OFFICE."""
    app.smtp.save(definition(name="OFFICE", username="shared@corp.example"), PasswordChange.set("shared"), None)
    app.smtp.save(definition(name="RELAY", authenticate=False, username="", port=25), PasswordChange.keep(), None)
    app.users.save(
        UserEmailSettings("BOB", "OFFICE", "bob", "Bob", "bob@corp.example"), PasswordChange.set("bob-pw"), None
    )


def assert_every_row_valid(app: FinconApp) -> None:
    """Each stored row parses back to itself, as Accept would have checked it."""
    smtp, users = app.smtp, app.users
    for stored in smtp.search("", limit=10_000):
        had = smtp.passwords.has(smtp_owner(stored.key))
        record = stored.record
        assert parse_definition(record.form_values(), PasswordChange.keep(), had_password=had) == record
    for stored in users.search("", limit=10_000):
        had = users.passwords.has(user_owner(stored.key))
        linked = smtp.get(stored.record.smtp_name)
        assert linked is not None, stored.key
        record = stored.record
        parsed = parse_user_settings(record.form_values(), PasswordChange.keep(), linked.record, had_password=had)
        assert parsed == record


async def drive(start: tuple[str, ...], keys: list[str]) -> None:
    folder = Path(tempfile.mkdtemp(prefix="fincon-fuzz-"))
    db = open_store(folder / "fincon.db")
    app = FinconApp(db, PasswordVault(), cursor_blink=False)
    seed(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*start)
        for key in keys:
            if app.return_code is not None:
                break  # Ctrl+Q answered Yes: a normal end
            await pilot.press(key)
        await pilot.pause()
    assert app._exception is None, app._exception  # noqa: SLF001 (Textual keeps it here)
    assert app.return_code in (None, 0)
    assert_every_row_valid(app)
    db.close()


def check(start: tuple[str, ...], keys: list[str]) -> None:
    asyncio.run(drive(start, keys))


@pytest.mark.slow  # random keys, a sweep
@fuzz_settings(int(os.environ.get("FINCON_FUZZ_EXAMPLES", "12")), fixed=True)
@given(start=st.sampled_from(STARTS), keys=STEPS)
def test_random_keys_never_crash_or_store_a_bad_row(start, keys) -> None:
    check(start, keys)


@pytest.mark.slow
@fuzz_settings(int(os.environ.get("FINCON_FUZZ_EXAMPLES", "300")), fixed=False)
@given(start=st.sampled_from(STARTS), keys=STEPS)
def test_many_random_keys(start, keys) -> None:
    check(start, keys)
