"""F2 on an OAuth definition: sign the mailbox in and keep its refresh token.

Microsoft 365: the device-code flow (works over SSH: the admin opens the
address on any device and types the code); the screen waits visibly and
Esc ends the wait.  Google: the installed-app flow with a loopback
redirect; the admin signs in on their own machine and pastes back the
address the browser ends on (Google's device flow refuses the mail scope).
Token calls run in threads of their own; the refresh token is stored in
the database thread, with the definition it was made for.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Label, Static

from fincon_tui.domain.login_methods import MICROSOFT
from fincon_tui.ui.app_services import services_of
from fincon_tui.ui.plain import plain
from fincon_tui.ui.screens.dialog import CANCEL, DialogScreen

if TYPE_CHECKING:
    from fincon_tui.domain.smtp import SmtpDefinition
    from fincon_tui.oauth.google import InstalledApp
    from fincon_tui.oauth.microsoft import DeviceCode


class SignInScreen(DialogScreen[str | None]):
    """Dismisses with what to tell on the message line, or None when cancelled."""

    NAME = "Sign in"
    BINDINGS = [CANCEL]
    HELP_TEXT = (
        "Microsoft 365: open the address shown on any device (a phone will do), type the code and sign in "
        "as the mailbox; this window waits and stores the sign-in when it is accepted.",
        "Google: open the address shown in a browser on your own computer and sign in; the browser then "
        "fails to open a 127.0.0.1 address, which is expected: paste that address here and press Enter.  "
        "(Google's device flow refuses the mail scope, so a code cannot be used.)",
        ("{cancel}", "Stop waiting and close the window; nothing is stored."),
    )

    def __init__(self, name: str, definition: SmtpDefinition, version: int, client_secret: str = "") -> None:
        who = "Microsoft 365" if definition.login_method == MICROSOFT else "Google"
        super().__init__(f"Sign in to {who} as {definition.username}")
        self.record_name = name
        self.definition = definition
        self.version = version
        self.client_secret = client_secret
        self.started = time.monotonic()
        self.device: DeviceCode | None = None
        self.installed: InstalledApp | None = None
        self.expires_in = 0
        self.status = "contacting the sign-in service…"
        self.done = False
        self.failed = False

    @property
    def microsoft(self) -> bool:
        return self.definition.login_method == MICROSOFT

    def compose_body(self) -> ComposeResult:
        yield Static("", id="sign-in-steps", markup=False)
        if not self.microsoft:
            yield Input(id="sign-in-paste", placeholder="paste the address here, then Enter", compact=True)
        yield Label("", id="sign-in-status", markup=False)

    def key_description(self, binding: Binding) -> str:
        """The legend says Cancel while waiting, Close once it failed."""
        if binding.id == "cancel" and self.failed:
            return "Close"
        return binding.description

    def on_mount(self) -> None:
        self.ticker = self.set_interval(1, self._show_status)
        self._show_status()
        if self.microsoft:
            self.run_worker(self._device_code(), exclusive=True)
        else:
            self.run_worker(self._installed_app(), exclusive=True)

    def _show_status(self) -> None:
        elapsed = int(time.monotonic() - self.started)
        left = f", the code expires in {max(0, self.expires_in - elapsed) // 60}:" \
               f"{max(0, self.expires_in - elapsed) % 60:02d}" if self.expires_in else ""
        self.query_one("#sign-in-status", Label).update(f"{self.status} ({elapsed} s{left})")

    def _fail(self, text: str) -> None:
        self.status = text
        self.ticker.stop()
        status = self.query_one("#sign-in-status", Label)
        status.update(text)
        status.set_class(True, "-error")
        self.failed = True
        self.refresh_bindings()

    async def _device_code(self) -> None:
        from fincon_tui.oauth.errors import TokenFailure
        from fincon_tui.oauth.microsoft import DeviceCode
        from fincon_tui.oauth.threads import in_thread

        d = self.definition
        try:
            device = self.device = await in_thread(lambda: DeviceCode(d.tenant, d.client_id, d.timeout_seconds))
        except TokenFailure as error:
            self._fail(f"Cannot sign in: {error.message}. {error.hint}")
            return
        except OSError as error:
            self._fail(f"Cannot reach the sign-in service: {error}")
            return
        self.started, self.expires_in = time.monotonic(), device.expires_in
        self.query_one("#sign-in-steps", Static).update(plain(
            f"On any device, open\n\n    {device.url}\n\nand enter the code\n\n    {device.code}\n\n"
            f"then sign in as {d.username} and accept."))
        self.status = "Waiting for the sign-in…"
        self._show_status()
        await self._finish(device.wait)

    async def _installed_app(self) -> None:
        from fincon_tui.oauth.google import InstalledApp
        from fincon_tui.oauth.threads import in_thread

        d = self.definition
        installed = self.installed = await in_thread(
            lambda: InstalledApp(d.client_id, self.client_secret, d.timeout_seconds))
        self.query_one("#sign-in-steps", Static).update(plain(
            f"On your own computer, open this address in a browser and sign in as {d.username}:\n\n"
            f"{installed.url}\n\nThe browser then fails to open a 127.0.0.1 address: that is expected. "
            "Copy that address from its address bar and paste it below."))
        self.status = "Waiting for the pasted address…"
        self._show_status()
        self.query_one("#sign-in-paste", Input).focus()

    @on(Input.Submitted, "#sign-in-paste")
    def pasted(self, event: Input.Submitted) -> None:
        if self.installed is None or not event.value.strip():
            return
        self.status = "Exchanging the code…"
        installed, text = self.installed, event.value
        self.run_worker(self._finish(lambda: installed.finish(text)), exclusive=True)

    async def _finish(self, get_tokens) -> None:
        from fincon_tui._exceptions import RecordChanged, StorageError
        from fincon_tui.oauth.errors import TokenFailure
        from fincon_tui.oauth.threads import in_thread
        from fincon_tui.services.oauth_logins import save_sign_in

        try:
            tokens = await in_thread(get_tokens)
        except TokenFailure as error:
            if error.kind != "cancelled":
                self._fail(f"Not signed in: {error.message}. {error.hint}")
            return
        except OSError as error:
            self._fail(f"Not signed in: the sign-in service cannot be reached ({error})")
            return
        smtp, database = services_of(self).smtp, services_of(self).database
        try:
            message = await database.run(save_sign_in, smtp, self.record_name, self.version, tokens)
        except RecordChanged:
            reload = services_of(self).key_label("reload")
            self._fail(f"Signed in, but the definition was changed meanwhile: press {reload} and sign in again")
            return
        except StorageError as error:
            self._fail(f"Signed in, but not stored: {error}")
            return
        self.done = True
        self.dismiss(message)

    def action_cancel(self) -> None:
        if self.device is not None and not self.done:
            self.device.stop()
        self.dismiss(None)
