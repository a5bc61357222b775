"""What a login test or test email ends with: success, or the failed step and why."""

from __future__ import annotations

from dataclasses import dataclass

from fincon_tui.domain.visible import visible


@dataclass(frozen=True)
class Outcome:
    """The result of a session: what was checked, or which step failed and why.

    Message and hint often quote a server; control characters in them are
    shown as escapes (domain/visible.py), so printing an Outcome is always safe.
    `certificate_expires`: the server certificate's notAfter (ISO date, UTC)
    when TLS was negotiated; `note`: what the front end should add (a result
    that could not be recorded)."""

    ok: bool
    step: str
    message: str
    hint: str = ""
    certificate_expires: str | None = None
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "step", visible(self.step))
        object.__setattr__(self, "message", visible(self.message))
        object.__setattr__(self, "hint", visible(self.hint))
        object.__setattr__(self, "note", visible(self.note))

    def text(self) -> str:
        if not self.hint:
            return self.message
        return f"{self.message}. {self.hint[0].upper()}{self.hint[1:]}."

    def action_first(self) -> str:
        """For a line that may show only its start (the TUI's message line):
        what to do, then what happened."""
        return f"{self.hint} – {self.message}" if self.hint else self.message


def seconds(amount: float) -> str:
    """'1 second', '2 seconds', '1.5 seconds'."""
    return f"{amount:g} second" + ("" if amount == 1 else "s")


