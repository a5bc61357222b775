"""The app's life in its process: quitting, and coming back after a
suspend.  (What the terminal is left with: tests/test_terminal_lifecycle.py.)"""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from keyring_backends import HeldKeyring, held_reads
from support import definition, open_form, until
from textual import events

from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.keystore.vault import PasswordVault
from fincon_tui.services.smtp_settings import SmtpSettings
from fincon_tui.ui.app import FinconApp

SIZE = (80, 24)


async def test_quit_stops_the_database_thread_once_and_leaves_a_stuck_keyring_call(
    store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    SmtpSettings(store, PasswordVault()).save(definition(), PasswordChange.set("pw"), None)
    with held_reads(tmp_path) as held:
        for name, value in held.items():
            monkeypatch.setenv(name, value)
        keyring.set_keyring(HeldKeyring())
        app = FinconApp(store, PasswordVault(timeout=86400), cursor_blink=False)
        stops: list[object] = []
        stop = app.database.close
        monkeypatch.setattr(app.database, "close", lambda *how, **named: (stops.append(how), stop(*how, **named))[1])
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_form(pilot, 1)
            screen.field("name").value = "OFFICE"
            app.post_message(events.Key("enter", "\r"))
            await until((tmp_path / "keyring-hold.asked").exists, "Enter asks the keyring")
            app.post_message(events.Key("ctrl+q", None))
            await until(lambda: not app.is_running, "Ctrl+Q ends the app while the keyring call hangs")
        assert len(stops) == 1
    # The keyring let go, the call left behind ends: only then may the store
    # close (closing a connection another thread uses can crash SQLite).
    thread = app.database._thread  # noqa: SLF001 (the thread the app left behind)
    await until(lambda: not thread.is_alive(), "the database thread ends once the keyring answers")


async def test_suspend_remapped_is_what_help_shows_and_what_suspends(store, vault) -> None:
    from fincon_tui.ui.app import keymap_problems
    from fincon_tui.ui.screens.help import HelpScreen

    assert keymap_problems({"suspend": "ctrl+b"}) == []
    app = FinconApp(store, vault, cursor_blink=False, keymap={"suspend": "ctrl+b"})
    async with app.run_test(size=SIZE) as pilot:
        assert app.screen.active_bindings["ctrl+b"].binding.action == "suspend_process"
        assert "ctrl+z" not in app.screen.active_bindings
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        assert ("^B", "Suspend to the shell (fg brings it back)") in app.screen.keys
        assert not [keys for keys, _ in app.screen.keys if "^Z" in keys]


async def test_the_start_parses_the_css_once_and_a_later_theme_change_refreshes_it(
    db_path: Path, vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The theme chosen in __init__ is the stylesheet's before its first
    parse, so the refresh it asked for is left out (issue 26: the start parsed
    every CSS source twice); the next refresh, a theme changed later, happens."""
    from textual.css.stylesheet import Stylesheet

    from fincon_tui.storage.store import open_store
    from fincon_tui.ui.theme import GREEN_SCREEN_16

    reparses: list[Stylesheet] = []
    reparse = Stylesheet.reparse
    monkeypatch.setattr(Stylesheet, "reparse", lambda self: (reparses.append(self), reparse(self))[1])
    app = FinconApp(open_store(db_path), vault, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.typeahead.ready.wait()
        await pilot.pause()
        assert reparses == []
        colour = app.screen.styles.color
        app.register_theme(GREEN_SCREEN_16)
        app.theme = GREEN_SCREEN_16.name
        await pilot.pause()
        assert reparses and app.screen.styles.color != colour
