"""The Textual application: theme, key legend, quitting safely."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import events

from fincon_tui.paths import stylesheets
from fincon_tui.ui.bindings import CURSOR_MOVES, DEFAULT_KEYS, bind
from fincon_tui.ui.db_thread import DatabaseThread
from fincon_tui.ui.idle_gc import QUIET_FOR, IdleCollector
from fincon_tui.ui.key_labels import LegendEntry
from fincon_tui.ui.menus import MAIN
from fincon_tui.ui.screens.base import FinconScreen
from fincon_tui.ui.screens.confirm import ConfirmScreen
from fincon_tui.ui.screens.menu import MenuScreen
from fincon_tui.ui.textual_internals import ResumingApp
from fincon_tui.ui.theme import GREEN_SCREEN, GREEN_SCREEN_16, terminal_colours
from fincon_tui.ui.typeahead import KeyQueue

if TYPE_CHECKING:
    from fincon_tui.keystore.vault import PasswordVault
    from fincon_tui.services.sealed_passwords import Passwords
    from fincon_tui.storage.store import Store
    from fincon_tui.storage.waiting import Waiting


#: Seconds a hang-up or SIGTERM waits for a clean exit before the process just ends.
SIGNAL_GRACE = 1.5
#: How the message line starts while work waits for the keyring.
KEYRING_WAITING = "Waiting for the keyring"


class FinconApp(ResumingApp):
    """fincon-tui.  Takes an open store and a password vault."""

    TITLE = "Fincon Accounting"
    CSS_PATH = stylesheets()
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        bind("quit", "quit", "Quit"),
        bind("help", "help", "Help", show=False),
        bind("suspend", "suspend_process", "Suspend to the shell (fg brings it back)", show=False),
    ]

    def __init__(
        self,
        store: Store | Callable[[], Store],
        vault: PasswordVault,
        *,
        cursor_blink: bool = True,
        keymap: dict[str, str] | None = None,
        colours: int | None = None,
    ):
        """`store` is an open store, or a function that opens it: then the
        main menu paints first and keys wait until the store is open.
        `colours` (16 or 256) is what the terminal shows; by default as
        TERM and COLORTERM say."""
        super().__init__()
        self.keymap = keymap or {}
        self.set_keymap(self.keymap)
        #: The keys of every binding but help's, as mapped (_clear_old_message).
        self._action_keys = frozenset(key for binding_id in DEFAULT_KEYS if binding_id != "help"
                                      for key in self.mapped_keys(binding_id))
        #: The keys of the cursor moves, as mapped (_cursor_keys).
        self._cursor_move_keys = frozenset(key for move in CURSOR_MOVES for key in self.mapped_keys(move))
        self.vault = vault
        self.cursor_blink = cursor_blink
        self.typeahead = KeyQueue(self, self._cursor_keys)
        self.collector = IdleCollector()
        self.startup_error = ""
        # Ctrl+Q typed ahead of a key that starts database work acts once the
        # work begins, as one typed during it does: the work may wait on a
        # keyring that never answers.
        self.database = DatabaseThread(
            on_busy=lambda: self.typeahead.let_through(lambda key: self._answers_during_a_wait(key, ("quit",))),
            on_keyring_wait=self._keyring_waits,
        )
        self._open_store = store if callable(store) else None
        self._early_note = ("", "") if callable(store) else self._use_store(store)
        theme = GREEN_SCREEN if (colours or terminal_colours()) > 16 else GREEN_SCREEN_16
        self.register_theme(theme)
        self.theme = theme.name
        # The stylesheet was made with the default theme's variables, and
        # setting the theme asked for a refresh_css, which parses every CSS
        # source again in a new stylesheet: the start parsed all of it twice
        # (57 ms of 137 under a profiler).  Its variables are this theme's
        # now, before anything is parsed, and that first refresh is left out.
        self.stylesheet.set_variables(self.get_css_variables())
        self._css_set_up_with_theme = True

    def _use_store(self, store: Store) -> tuple[str, str]:
        """Services over `store`; returns what to tell the admin about passwords
        an older version left in keyrings, and how (runs in the database thread)."""
        from fincon_tui.services.mail_checks import MailChecks
        from fincon_tui.services.smtp_settings import SmtpSettings
        from fincon_tui.services.user_settings import UserSettings

        self.smtp = SmtpSettings(store, self.vault)
        self.users = UserSettings(store, self.vault)
        self.mail_checks = MailChecks(self.smtp, self.users, in_store_thread=self.database.run)
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
        from fincon_tui.ui.change_watch import watch_changes

        self.typeahead.ready.set()
        self.run_worker(watch_changes(self, self.database, self.smtp.store), group="change-notices")
        text, level = note
        if text:
            self.call_after_refresh(self._tell, text, level)

    def _tell(self, text: str, level: str) -> None:
        if isinstance(self.screen, FinconScreen):  # the main menu, under which keys wait for the database
            self.screen.message.show(text, level)

    def on_load(self) -> None:
        self._exit_on_signals()

    def on_mount(self) -> None:
        self.call_after_refresh(self._start_collector)
        if (open_store := self._open_store) is not None:
            self.call_after_refresh(lambda: self.database.work(self, self._open_database(open_store)))
        else:
            self._databases_ready(self._early_note)

    def _exit_on_signals(self) -> None:
        """A closed SSH session (SIGHUP) and a shutdown or session manager
        (SIGTERM) end the app as Ctrl+Q does, the terminal given back, instead
        of killing it; unsaved changes are not saved (nobody can be asked)."""
        import asyncio
        import signal

        for signum in ("SIGHUP", "SIGTERM"):
            try:
                asyncio.get_running_loop().add_signal_handler(getattr(signal, signum), self._end_on_signal)
            except (NotImplementedError, AttributeError, RuntimeError, ValueError):
                pass  # not on this platform, or not the main thread

    def _end_on_signal(self) -> None:
        """Exit, and if writing to the terminal blocks the exit (after a
        hang-up, Textual's writer thread waits on a full queue for a terminal
        nobody reads), end the process after a short grace.  Saves are
        transactions: a cut-off one leaves nothing half-written."""
        import os
        import threading
        import time

        def end_soon() -> None:
            time.sleep(SIGNAL_GRACE)
            os._exit(0)

        threading.Thread(target=end_soon, name="fincon-signal", daemon=True).start()
        self.exit()

    async def _open_database(self, open_store: Callable[[], Store]) -> None:
        """After the first paint, in the database thread: open and migrate
        the database, then let keys through."""
        # The libraries load here, in this thread: loading them in the database
        # thread while the first screen is still being written slowed that
        # screen by about 12 ms (they compete for the interpreter lock).
        import fincon_tui.services.data_keys
        import fincon_tui.services.hosts
        import fincon_tui.services.smtp_settings
        import fincon_tui.services.user_settings
        from fincon_tui._exceptions import StorageError
        from fincon_tui.storage.store import Opener

        if isinstance(open_store, Opener):
            open_store.load_engine()

        said: list[FinconScreen] = []  # where the message line said that the open waits
        waiting = self._opening_waits(said)
        try:
            store = await self.database.run(open_store, waiting=waiting)
            note = await self.database.run(self._use_store, store)
        except StorageError as error:
            self.startup_error = str(error)
            self.exit(return_code=2)
            return
        finally:
            self.database.waiting = None
        for screen in set(said):
            screen.message.clear()
        self._databases_ready(note)
        self.run_worker(self._note_this_host(fincon_tui.services.hosts.at_start), group="host")

    async def _note_this_host(self, at_start: Callable[[Passwords], str]) -> None:
        """Note this host and say at once when the database's key is not here.
        Keys pass meanwhile (the menus need no database): it asks the keyring,
        which may be slow to answer (the message line then says so, and Esc
        stops the wait; the first record opened asks again)."""
        from fincon_tui._exceptions import FinconError

        try:
            missing = await self.database.run(at_start, self.smtp.passwords)
        except FinconError:
            return  # the keyring wait given up, or the note refused: opening a record says why
        if missing:  # a server without the key: before anything else, whatever the note was
            self._tell(missing, "error")

    def _opening_waits(self, said: list[FinconScreen]) -> Waiting:
        """How the open follows another fincon-tui that is creating or
        upgrading the database: while it waits, the message line says so
        (keys that help and quit still act; quitting gives the wait up)."""
        import asyncio

        from fincon_tui.storage.waiting import Waiting

        loop = asyncio.get_running_loop()

        def say(seconds: float) -> None:
            if self.database.waiting is waiting and isinstance(self.screen, FinconScreen):
                said.append(self.screen)
                self.screen.message.show(
                    f"Opening the database… another fincon-tui is creating or upgrading it: waiting "
                    f"({seconds:.0f} s) – {self.key_label('quit')} to quit", "warning")

        waiting = Waiting(report=lambda seconds: loop.call_soon_threadsafe(say, seconds))
        self.database.waiting = waiting  # keys pass meanwhile, and closing gives the wait up
        return waiting

    def refresh_css(self, animate: bool = True) -> None:
        """Every refresh but the one that setting the theme in __init__ asked
        for: the stylesheet had the theme's variables before its first parse."""
        if self._css_set_up_with_theme:
            self._css_set_up_with_theme = False
            return
        super().refresh_css(animate)

    def get_css_variables(self) -> dict[str, str]:
        """The theme's colours and the layout numbers the forms share with Python."""
        from fincon_tui.ui.widgets.form import css_variables

        return {**super().get_css_variables(), **css_variables()}

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
        if isinstance(event, events.Key):
            if (wait := self.database.keyring_wait) and self._answers_during_a_wait(event, ("cancel",)):
                wait.abandoned.set()  # Esc stops waiting for the keyring, and does nothing else
                return
            self._clear_old_message(event.key)
        await super().on_event(event)

    def _cursor_keys(self, key: str) -> set[str]:
        """The keys that the screen in front binds itself to a cursor move
        (bindings.CURSOR_MOVES), enabled now; none unless `key` is one of the
        keys those bindings have (asked before each run of the typeahead's)."""
        if key not in self._cursor_move_keys:
            return set()
        screen = self.screen
        return {
            bound for bound, active in screen.active_bindings.items()
            if active.node is screen and active.enabled and active.binding.priority
            and active.binding.id in CURSOR_MOVES
        }

    def _keyring_waits(self, seconds: float | None) -> None:
        """Work waits for a keyring slow to answer: the message line says so
        until it ends (the work then says its own)."""
        screen = self.screen
        if not isinstance(screen, FinconScreen):
            return
        if seconds is not None:
            screen.message.show(f"{KEYRING_WAITING} ({seconds:.0f} s) – {self.key_label('cancel')} to stop waiting",
                                "warning")
        elif screen.message.text.startswith(KEYRING_WAITING):
            screen.message.clear()

    def _clear_old_message(self, key: str) -> None:
        """A key that acts on a screen (Enter, Tab, an action key other than
        help) clears what the message line said before it; the action then
        says its own.  Typing and F1 leave it, to be read while mending.

        A key that no such binding has (a character typed into a field)
        leaves it without asking the screen's bindings: working them out
        asked about 75 check_actions for every character typed in a form."""
        screen = self.screen
        if not isinstance(screen, FinconScreen):
            return
        if key in ("enter", "tab", "shift+tab"):
            screen.message.clear()
            return
        if key not in self._action_keys:
            return
        active = screen.active_bindings.get(key)
        if active is not None and active.binding.id in DEFAULT_KEYS and active.binding.id != "help":
            screen.message.clear()

    def _answers_during_a_wait(self, event: events.Key | events.Paste,
                               actions: tuple[str, ...] = ("help", "cancel", "quit", "close",
                                                           "suspend_process")) -> bool:
        """While database work that keys wait for runs, F1, Esc, Ctrl+Q and Ctrl+Z (as mapped) act at once."""
        if not self.database.holding or not isinstance(event, events.Key):
            return False
        return any(
            key == event.key and active.binding.action in actions
            for key, active in self.screen.active_bindings.items()
        )

    def on_exit_app(self) -> None:
        self.typeahead.stop()

    def on_unmount(self) -> None:
        """Once the terminal is given back: the database thread stops after
        the call in progress, unless that call waits on a keyring, which may
        never answer (then the process ends without it)."""
        self.collector.stop()
        self.database.close(stuck=lambda: self.vault.asking)

    def mapped_keys(self, binding_id: str) -> list[str]:
        """The keys of a binding, as mapped."""
        return self.keymap.get(binding_id, DEFAULT_KEYS[binding_id]).split(",")

    def key_label(self, binding_id: str, *, short: bool = False) -> str:
        """How the keys of a binding are written ('F12/Esc'), as mapped;
        `short` keeps the F-keys only, as a narrow legend does ('F12')."""
        keys = self.mapped_keys(binding_id)
        return LegendEntry(tuple(keys), "", keys[0]).label(function_keys_only=short)

    def help_keys(self) -> str:
        """How the help key is written in the title bar, after any remapping."""
        return self.key_label("help") + "=Help"

    def action_help(self) -> None:
        """F1/Ctrl+G: help for the screen or window in front; on the help
        window itself, close it."""
        from fincon_tui.ui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
        else:
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



def keymap_problems(keymap: dict[str, str]) -> list[str]:
    """Why config.toml's [keys] cannot be used: unknown ids, bad key names,
    or a key that would do two things on one screen."""
    from fincon_tui.ui.keymap_config import check_keymap, clashes, screen_classes

    return check_keymap(keymap) or clashes(keymap, FinconApp, screen_classes())
