"""The Textual application: theme, key legend, quitting safely."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import events
from textual.binding import Binding

from fincon_tui.paths import stylesheets
from fincon_tui.ui.db_thread import DatabaseThread
from fincon_tui.ui.idle_gc import QUIET_FOR, IdleCollector
from fincon_tui.ui.key_labels import (
    group_of,
    is_function_key,
    keys_label,
    legend_groups,
    legend_width,
)
from fincon_tui.ui.menus import MAIN
from fincon_tui.ui.screens.base import FinconScreen
from fincon_tui.ui.screens.confirm import ConfirmScreen
from fincon_tui.ui.screens.menu import MenuScreen
from fincon_tui.ui.textual_internals import SparingApp
from fincon_tui.ui.theme import GREEN_SCREEN
from fincon_tui.ui.typeahead import KeyQueue

if TYPE_CHECKING:
    from sqlite_utils import Database
    from textual.screen import Screen

    from fincon_tui.keystore.vault import PasswordVault


#: Seconds a hang-up waits for a clean exit before the process just ends.
HANG_UP_GRACE = 1.5


class FinconApp(SparingApp):
    """fincon-tui.  Takes an open database and a password vault."""

    TITLE = "Fincon Accounting"
    CSS_PATH = stylesheets()
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("f1,ctrl+g", "help", "Help", id="help", show=False),
    ]

    def __init__(
        self,
        db: Database | Callable[[], Database],
        vault: PasswordVault,
        *,
        cursor_blink: bool = True,
        keymap: dict[str, str] | None = None,
    ):
        """`db` is an open database, or a function that opens it: then the
        main menu paints first and keys wait until the database is open."""
        super().__init__()
        self.keymap = keymap or {}
        self.set_keymap(self.keymap)
        self.vault = vault
        self.cursor_blink = cursor_blink
        self.typeahead = KeyQueue(self)
        self.collector = IdleCollector()
        self.startup_error = ""
        self.database = DatabaseThread()
        self._open_db = db if callable(db) else None
        self._early_note = ("", "") if self._open_db else self._use_database(db)  # type: ignore[arg-type]
        self.register_theme(GREEN_SCREEN)
        self.theme = GREEN_SCREEN.name

    def _use_database(self, db: Database) -> tuple[str, str]:
        """Services over `db`; returns what to tell the admin about passwords
        an older version left in keyrings, and how (runs in the database thread)."""
        from fincon_tui.services.mail_checks import MailChecks
        from fincon_tui.services.smtp_settings import SmtpSettings
        from fincon_tui.services.user_settings import UserSettings

        self.smtp = SmtpSettings(db, self.vault)
        self.users = UserSettings(db, self.vault)
        self.mail_checks = MailChecks(self.smtp, self.users)
        return self._recover_passwords()

    def _start_collector(self) -> None:
        self.collector.start()
        self.set_interval(QUIET_FOR, lambda: self.collector.collect_if_quiet(bool(self.typeahead.pending)))

    def _recover_passwords(self) -> tuple[str, str]:
        """Move the passwords an older version kept in this admin's keyring
        into the database; say what is left in other admins' keyrings."""

        from fincon_tui._exceptions import SecretStoreError, StorageError
        from fincon_tui.services.data_keys import adopt_legacy, legacy_message

        try:
            adopted = adopt_legacy(self.smtp.passwords)
        except (SecretStoreError, StorageError) as error:
            return f"Passwords of an older version were not moved yet: {error}", "warning"
        return legacy_message(adopted), "warning" if adopted.left else "ok"

    def _databases_ready(self, note: tuple[str, str]) -> None:
        self.typeahead.ready.set()
        text, level = note
        if text:
            self.call_after_refresh(lambda: self.screen.message.show(text, level))  # type: ignore[attr-defined]

    def on_mount(self) -> None:
        self._exit_on_hangup()
        self.call_after_refresh(self._start_collector)
        if self._open_db is not None:
            self.call_after_refresh(lambda: self.database.work(self, self._open_database()))
        else:
            self._databases_ready(self._early_note)

    def _exit_on_hangup(self) -> None:
        """A closed SSH session (SIGHUP) ends the app cleanly instead of killing it."""
        import asyncio
        import signal

        try:
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self._hang_up)
        except (NotImplementedError, AttributeError, RuntimeError, ValueError):
            pass  # no SIGHUP on this platform, or not the main thread

    def _hang_up(self) -> None:
        """The terminal is gone: exit, and if writing to it blocks the exit
        (Textual's writer thread waits on a full queue for a terminal nobody
        reads), end the process after a short grace.  Saves are transactions:
        a cut-off one leaves nothing half-written."""
        import os
        import threading
        import time

        def end_soon() -> None:
            time.sleep(HANG_UP_GRACE)
            os._exit(0)

        threading.Thread(target=end_soon, name="fincon-hangup", daemon=True).start()
        self.exit()

    async def _open_database(self) -> None:
        """After the first paint, in the database thread: open and migrate
        the database, then let keys through."""
        # The libraries load here, in this thread: loading them in the database
        # thread while the first screen is still being written slowed that
        # screen by about 12 ms (they compete for the interpreter lock).
        import fincon_tui.services.data_keys
        import fincon_tui.services.smtp_settings
        import fincon_tui.services.user_settings
        import fincon_tui.storage.database  # noqa: F401
        from fincon_tui._exceptions import StorageError

        try:
            db = await self.database.run(self._open_db)  # type: ignore[arg-type]
            note = await self.database.run(self._use_database, db)
        except StorageError as error:
            self.startup_error = str(error)
            self.exit(return_code=2)
            return
        self._databases_ready(note)

    def get_default_screen(self) -> MenuScreen:
        return MenuScreen(MAIN)

    async def on_event(self, event: events.Event) -> None:
        """Keys and pastes from the terminal wait their turn (see typeahead.py),
        except the keys that help, cancel or quit while the app waits."""
        if (
            isinstance(event, (events.Key, events.Paste))
            and not event.is_forwarded
            and not self.typeahead.take_release(event)
            and not self._answers_during_a_wait(event)
        ):
            self.collector.key_pressed()
            self.typeahead.hold(event)
            return
        await super().on_event(event)

    def _answers_during_a_wait(self, event: events.Key | events.Paste) -> bool:
        """While database work runs, F1, Esc and Ctrl+Q (as mapped) act at once."""
        if not self.database.busy or not isinstance(event, events.Key):
            return False
        return any(
            key == event.key and active.binding.action in ("help", "cancel", "quit", "close")
            for key, active in self.screen.active_bindings.items()
        )

    def on_exit_app(self) -> None:
        self.typeahead.stop()
        self.database.close()

    def on_unmount(self) -> None:
        self.collector.stop()
        self.database.close()

    def get_key_display(self, binding: Binding) -> str:
        """Legend text 'F10/^S=': every key bound to the same action on the
        screen that owns `binding` (a lower screen's footer still shows under
        a modal).  When the full legend is wider than the screen, F-keys only."""
        for screen in reversed(self.screen_stack):
            active = [entry.binding for entry in screen.active_bindings.values()]
            if binding in active:  # equal, not identical: a keymap makes new objects
                groups = legend_groups(active)
                keys = groups.get(group_of(binding), [binding.key])
                if legend_width(groups, active) > self.size.width:
                    keys = [key for key in keys if is_function_key(key)] or keys[:1]
                return keys_label(keys) + "="
        return keys_label([binding.key]) + "="

    def key_label(self, binding_id: str, screen: Screen | None = None) -> str:
        """How the keys of a binding are written ('F12/Esc'), as mapped now,
        on `screen` (by default the one in front)."""
        active_bindings = (screen or self.screen).active_bindings
        keys = [key for key, active in active_bindings.items() if active.binding.id == binding_id]
        return keys_label(keys) if keys else binding_id

    def help_keys(self) -> str:
        """How the help key is written in the title bar, after any remapping."""
        default = next(b.key for b in self.BINDINGS if isinstance(b, Binding) and b.id == "help")
        return keys_label(self.keymap.get("help", default).split(",")) + "=Help"

    def action_help(self) -> None:
        """F1/Ctrl+G: help for the screen in front (not for help itself)."""
        from fincon_tui.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    async def action_quit(self) -> None:
        """Ctrl+Q: quit, asking first if a screen holds unsaved changes."""
        unsaved = any(
            isinstance(screen, FinconScreen) and screen.has_unsaved_changes()
            for screen in self.screen_stack
        )
        if not unsaved:
            self.exit()
            return

        def answered(quit_anyway: bool | None) -> None:
            if quit_anyway:
                self.exit()

        await self.push_screen(
            ConfirmScreen(
                "Unsaved changes will be lost – quit fincon-tui?",
                title="Quit",
                default=False,
            ),
            answered,
        )

