"""Sign in: sign the mailbox of a definition's shared login, or of a
user's own login, in and keep its refresh token.

Microsoft 365: the device-code flow (works over SSH: the admin opens the
address on any device and types the code); the screen waits visibly and
Esc ends the wait.  Google: the installed-app flow with a loopback
redirect; the admin signs in on their own machine and pastes back the
address the browser ends on (Google's device flow refuses the mail scope).
Token calls run in threads of their own; the refresh token is stored in
the database thread, with the record it was made for (services/sign_ins.py).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from fincon_tui.ui.app_services import services_of
from fincon_tui.ui.plain import laid_out, plain
from fincon_tui.ui.screens.dialog import CANCEL, DialogScreen
from fincon_tui.ui.textual_internals import SteadyInput
from fincon_tui.ui.widgets.text_update import update_text

if TYPE_CHECKING:
    from collections.abc import Callable

    from fincon_tui._exceptions import TokenFailure
    from fincon_tui.oauth.google import InstalledApp
    from fincon_tui.oauth.microsoft import DeviceCode
    from fincon_tui.oauth.tokens import Tokens
    from fincon_tui.services.sign_ins import SignIn


#: What the form's message line tells once the window has closed: (text, kind).
Told = tuple[str, str]


class SignInScreen(DialogScreen[Told | None]):
    """Dismisses with what to tell on the message line (signed in, or why
    not), or None when cancelled while waiting."""

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

    def __init__(self, sign_in: SignIn, save: Callable[[Tokens], str]) -> None:
        """`save` stores the tokens (in the database thread) and says so."""
        super().__init__(f"Sign in to {'Microsoft 365' if sign_in.microsoft else 'Google'} as {sign_in.mailbox}")
        self.sign_in = sign_in
        self.save = save
        self.started = time.monotonic()
        self.device: DeviceCode | None = None
        self.installed: InstalledApp | None = None
        self.expires_in = 0
        self.status = "contacting the sign-in service…"
        self.done = False
        #: What the form tells once a failed sign-in's window closes.
        self.failure: str | None = None

    @property
    def microsoft(self) -> bool:
        return self.sign_in.microsoft

    def compose_body(self) -> ComposeResult:
        yield Static("", id="sign-in-steps", markup=False)
        if not self.microsoft:
            yield SteadyInput(id="sign-in-paste", placeholder="paste the address here, then Enter", compact=True)
        yield Static("", id="sign-in-status", markup=False)

    @property
    def failed(self) -> bool:
        return self.failure is not None

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
        update_text(self.query_one("#sign-in-status", Static), plain(f"{self.status} ({elapsed} s{left})"))

    def _fail(self, text: str, told: str = "") -> None:
        """Show why the sign-in failed; the form tells `told` (else `text`) once the window closes."""
        self.status = text
        self.ticker.stop()
        status = self.query_one("#sign-in-status", Static)
        update_text(status, plain(text))
        status.set_class(True, "-error")
        self.failure = told or text
        self.refresh_bindings()

    def _token_failed(self, error: TokenFailure) -> None:
        self._fail(f"Sign-in failed: {error.message}" + (f"; {error.hint}" if error.hint else ""),
                   f"Sign-in failed: {error.message}")

    async def _device_code(self) -> None:
        from fincon_tui.oauth.errors import TokenFailure
        from fincon_tui.oauth.microsoft import DeviceCode
        from fincon_tui.oauth.threads import in_thread

        d = self.sign_in
        try:
            device = self.device = await in_thread(lambda: DeviceCode(d.tenant, d.client_id, d.timeout))
        except TokenFailure as error:
            self._token_failed(error)
            return
        self.started, self.expires_in = time.monotonic(), device.expires_in
        update_text(self.query_one("#sign-in-steps", Static), laid_out(
            "On any device, open\n\n{url}\n\nand enter the code\n\n{code}\n\nthen sign in as {mailbox} and accept.",
            url=device.url, code=device.code, mailbox=d.mailbox))
        self.status = "Waiting for the sign-in…"
        self._show_status()
        await self._finish(device.wait)

    async def _installed_app(self) -> None:
        from fincon_tui.oauth.google import InstalledApp
        from fincon_tui.oauth.threads import in_thread

        d = self.sign_in
        installed = self.installed = await in_thread(lambda: InstalledApp(d.client_id, d.client_secret, d.timeout))
        update_text(self.query_one("#sign-in-steps", Static), laid_out(
            "On your own computer, open this address in a browser and sign in as {mailbox}:\n\n{url}\n\n"
            "The browser then fails to open a 127.0.0.1 address: that is expected.  Copy that address from its "
            "address bar and paste it below.", url=installed.url, mailbox=d.mailbox))
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

    async def _finish(self, get_tokens: Callable[[], Tokens]) -> None:
        from fincon_tui._exceptions import RecordChanged, StorageError
        from fincon_tui.oauth.errors import TokenFailure
        from fincon_tui.oauth.threads import in_thread

        try:
            tokens = await in_thread(get_tokens)
        except TokenFailure as error:
            if error.kind != "cancelled":
                self._token_failed(error)
            return
        services = services_of(self)
        try:
            message = await services.database.run(self.save, tokens)
        except RecordChanged:
            changed = (f"Signed in, but not stored: {self.sign_in.kind} {self.sign_in.key} (or its definition's "
                       "app registration) was changed meanwhile")
            # The window has no Reload: the form, where the admin goes next, names its key.
            self._fail(f"{changed}: close this window, reload and sign in again",
                       f"{changed}: press {services.key_label('reload')} and sign in again")
            return
        except StorageError as error:
            self._fail(f"Signed in, but not stored: {error}")
            return
        self.done = True
        self.dismiss((message, "ok"))

    def action_cancel(self) -> None:
        if self.device is not None and not self.done:
            self.device.stop()
        self.dismiss(None if self.failure is None else (self.failure, "error"))
