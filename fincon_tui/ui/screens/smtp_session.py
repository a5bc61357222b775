"""A login test or test email running in the background: current step,
the SMTP conversation as it happens, the result; Esc cancels at once."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalGroup
from textual.widgets import Label, Log, Static

from fincon_tui.domain.visible import visible
from fincon_tui.mail.session import Outcome
from fincon_tui.mail.transcript import Transcript
from fincon_tui.ui.plain import plain, plain_lines
from fincon_tui.ui.textual_internals import SparingModalScreen

Run = Callable[[Transcript, Callable[[str], None]], Awaitable[Outcome]]


class SmtpSessionScreen(SparingModalScreen[Outcome | None]):
    """Dismisses with the Outcome, or None when cancelled."""

    BINDINGS = [
        Binding("escape,f12", "cancel", "Cancel/Close", id="cancel"),
        Binding("f2,ctrl+l", "save_log", "Save log", id="save_log"),
    ]

    def __init__(self, title: str, run: Run, log_name: str) -> None:
        super().__init__()
        self.session_title = title
        self.run_session = run
        self.log_name = log_name
        self.transcript = Transcript(self._log_line)
        self.outcome: Outcome | None = None
        self.step = "starting"
        self.started = time.monotonic()

    def compose(self) -> ComposeResult:
        with VerticalGroup(id="session-dialog"):
            yield Label(plain(self.session_title), id="session-title")
            yield Label("", id="session-step", markup=False)
            yield Log(id="session-log", auto_scroll=True)
            yield Static("", id="session-result", markup=False)
            yield Label("Esc=Cancel", id="session-keys")

    def on_mount(self) -> None:
        self.query_one(Log).can_focus = False
        self.ticker = self.set_interval(0.5, self._show_step)
        self._show_step()
        self.worker = self.run_worker(self._run(), exclusive=True)

    def _log_line(self, line: str) -> None:
        self.query_one(Log).write_line(visible(line))

    def _set_step(self, step: str) -> None:
        self.step = step
        self._show_step()

    def _show_step(self) -> None:
        elapsed = int(time.monotonic() - self.started)
        self.query_one("#session-step", Label).update(plain(f"Working: {self.step} ({elapsed} s)"))

    async def _run(self) -> None:
        outcome = await self.run_session(self.transcript, self._set_step)
        self._finish(outcome)

    def _finish(self, outcome: Outcome | None) -> None:
        self.outcome = outcome
        self.ticker.stop()
        result = self.query_one("#session-result", Static)
        if outcome is None:
            self.query_one("#session-step", Label).update(f"Cancelled during {self.step}")
            result.update("Cancelled: the connection was closed.")
            result.set_class(True, "-error")
        else:
            self.query_one("#session-step", Label).update(
                "Done" if outcome.ok else f"Failed at {outcome.step}"
            )
            result.update(plain_lines(("OK: " if outcome.ok else "FAILED: ") + outcome.text()))
            result.set_class(not outcome.ok, "-error")
            result.set_class(outcome.ok, "-ok")
        self.query_one("#session-keys", Label).update("Esc=Close  F2/^L=Save log")

    @property
    def running(self) -> bool:
        return self.outcome is None and self.worker.is_running

    def action_cancel(self) -> None:
        if self.running:
            self.worker.cancel()
            self.transcript.note("cancelled by the user")
            self._finish(None)
        else:
            self.dismiss(self.outcome)

    def action_save_log(self) -> None:
        if self.running:
            self.app.bell()
            return
        from platformdirs import user_log_path

        path = self.transcript.save(user_log_path("fincon-tui", appauthor=False), self.log_name)
        self.query_one("#session-keys", Label).update(f"Log saved to {path}  Esc=Close")
