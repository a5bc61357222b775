"""A login test or test email running in the background: current step,
the SMTP conversation as it happens, the result; Esc cancels at once."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Label, RichLog, Static

from fincon_tui.domain.visible import visible
from fincon_tui.mail.session import Outcome
from fincon_tui.mail.transcript import Transcript
from fincon_tui.ui.bindings import bind
from fincon_tui.ui.plain import plain, plain_lines
from fincon_tui.ui.screens.dialog import CANCEL, DialogScreen
from fincon_tui.ui.widgets.form import unfocusable
from fincon_tui.ui.widgets.text_update import update_text

Run = Callable[[Transcript, Callable[[str], None]], Awaitable[Outcome]]


class SmtpSessionScreen(DialogScreen[Outcome | None]):
    """Dismisses with the Outcome, or None when cancelled."""

    NAME = "SMTP session"
    BINDINGS = [CANCEL, bind("save_log", "save_log", "Save log")]
    HELP_TEXT = (
        "The login test or test email runs while you watch: the step it is at, and the SMTP "
        "conversation as it happens (passwords shown as ***).  Every step waits at most the "
        "definition's Time Out.",
        ("{cancel}", "While it runs: stop at once and close the connection.  After: close the window."),
        ("{save_log}", "After it ends: save the conversation to a new file in the log folder."),
    )

    def __init__(self, title: str, run: Run, log_name: str) -> None:
        super().__init__(title)
        self.run_session = run
        self.log_name = log_name
        self.transcript = Transcript(self._log_line)
        self.outcome: Outcome | None = None
        self.step = "starting"
        self.started = time.monotonic()
        self.finished = False
        #: The transcript lines as shown (long ones wrap in the window).
        self.shown: list[str] = []

    def compose_body(self) -> ComposeResult:
        yield Label("", id="session-step", markup=False)
        # min_width=1: RichLog renders at 78 columns at least, and the window is narrower.
        yield unfocusable(RichLog(id="session-log", wrap=True, markup=False, auto_scroll=True, min_width=1))
        yield Static("", id="session-result", markup=False)
        note = Static("", id="session-note", classes="dialog-note", markup=False)
        note.display = False  # takes no rows from the result until a log is saved
        yield note

    def key_description(self, binding: Binding) -> str:
        """The legend says Cancel while the session runs, Close after."""
        if binding.id == "cancel":
            return "Cancel" if self.running else "Close"
        return binding.description

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """F2 (save the log) only once the session has ended: shown dimmed until then."""
        if action == "save_log" and self.running:
            return None
        return super().check_action(action, parameters)

    def on_mount(self) -> None:
        self.ticker = self.set_interval(0.5, self._show_step)
        self._show_step()
        self.worker = self.run_worker(self._run(), exclusive=True)

    def _log_line(self, line: str) -> None:
        self.shown.append(visible(line))
        self.query_one(RichLog).write(Text(self.shown[-1]))

    def _set_step(self, step: str) -> None:
        self.step = step
        self._show_step()

    def _show_step(self) -> None:
        elapsed = int(time.monotonic() - self.started)
        update_text(self.query_one("#session-step", Label), plain(f"Working: {self.step} ({elapsed} s)"))

    async def _run(self) -> None:
        outcome = await self.run_session(self.transcript, self._set_step)
        self._finish(outcome)

    def _finish(self, outcome: Outcome | None) -> None:
        self.outcome = outcome
        self.finished = True
        self.ticker.stop()
        result = self.query_one("#session-result", Static)
        if outcome is None:
            update_text(self.query_one("#session-step", Label), f"Cancelled during {self.step}")
            update_text(result, "Cancelled: the connection was closed.")
            result.set_class(True, "-error")
        else:
            update_text(
                self.query_one("#session-step", Label), "Done" if outcome.ok else f"Failed at {outcome.step}"
            )
            update_text(result, plain_lines(("OK: " if outcome.ok else "FAILED: ") + outcome.text()))
            result.set_class(not outcome.ok, "-error")
            result.set_class(outcome.ok, "-ok")
        self.refresh_bindings()
        self._fit_log()

    def on_resize(self, event: events.Resize) -> None:
        self._fit_log()

    def _fit_log(self) -> None:
        """The log gives the result and the note the rows they need: the
        window never runs past the screen (10 rows of log and a long result
        did at 80x24)."""
        self.query_one(RichLog).styles.height = None  # as styles/ says

        def shrink() -> None:
            dialog, log = self.query_one("#dialog"), self.query_one(RichLog)
            over = dialog.virtual_size.height - dialog.size.height
            if over > 0:
                log.styles.height = max(1, log.size.height - over)

        self.call_after_refresh(shrink)

    @property
    def running(self) -> bool:
        return not self.finished

    def action_cancel(self) -> None:
        if self.running:
            self.worker.cancel()
            self.transcript.note("cancelled by the user")
            self._finish(None)
        else:
            self.dismiss(self.outcome)

    def action_save_log(self) -> None:
        from platformdirs import user_log_path

        path = self.transcript.save(user_log_path("fincon-tui", appauthor=False), self.log_name)
        note = self.query_one("#session-note", Static)
        update_text(note, plain(f"Log saved to {path}"))
        note.display = True
        self._fit_log()
