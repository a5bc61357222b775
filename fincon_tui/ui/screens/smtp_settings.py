"""System / Mail Settings / SMTP Settings: the key-field form of the seed article."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult

from fincon_tui.domain import smtp
from fincon_tui.domain.passwords import PasswordChange
from fincon_tui.ui.screens.record_form import Prompt, RecordFormScreen
from fincon_tui.ui.widgets.form import field_row
from fincon_tui.ui.widgets.inputs import FieldInput, PasswordInput, YesNoInput

if TYPE_CHECKING:
    from fincon_tui.services.smtp_settings import SmtpSettings
    from fincon_tui.storage.records import Stored

CREATE_QUESTION = "The SMTP definition does not exist – do you want to create it?"
YN = "Y=Yes, N=No"


def definition_line(definition: smtp.SmtpDefinition) -> str:
    """One row of the SMTP definition look-up list."""
    tls = "Y" if definition.use_tls else "N"
    return f"{definition.name:<22.22} {definition.mail_server:<30.30} {definition.port:>5}   {tls}"


DEFINITION_PROMPT = Prompt(
    title="SMTP definitions",
    service=lambda app: app.smtp,
    line=definition_line,
    heading=f"{'SMTP Name':<22} {'Mail Server':<30} {'Port':>5}  TLS",
)


class SmtpSettingsScreen(RecordFormScreen):
    """Type an SMTP Name, press Enter, fill in the details, Accept."""

    PATH = "System / Mail Settings / SMTP Settings"
    KEY = "name"
    LABELS = smtp.LABELS
    NEW_DEFAULTS = smtp.NEW_DEFAULTS
    CREATE_QUESTION = CREATE_QUESTION
    PROMPTS = {"name": DEFINITION_PROMPT}

    @property
    def service(self) -> SmtpSettings:
        return self.app.smtp  # type: ignore[attr-defined]

    def compose_fields(self) -> ComposeResult:
        label = smtp.LABELS
        yield self.key_row(smtp.NAME_MAX)
        yield field_row(
            label["mail_server"], FieldInput(id="mail_server", max_length=253, classes="detail wide")
        )
        yield field_row(
            label["authenticate"], YesNoInput(id="authenticate", classes="detail"), hint=YN
        )
        yield field_row(
            label["username"],
            FieldInput(id="username", max_length=smtp.USERNAME_MAX, classes="detail wide"),
        )
        yield field_row(
            label["password"],
            PasswordInput(id="password", max_length=smtp.PASSWORD_MAX, classes="detail wide"),
        )
        yield field_row(
            label["port"],
            FieldInput(id="port", max_length=5, restrict=r"[0-9]*", hint="digits only, 1-65535", classes="detail"),
            hint="1-65535",
        )
        yield field_row(label["use_tls"], YesNoInput(id="use_tls", classes="detail"), hint=YN)
        yield field_row(
            label["timeout_seconds"],
            FieldInput(
                id="timeout_seconds", max_length=3, restrict=r"[0-9]*",
                hint="digits only, 1-300", classes="detail",
            ),
            hint="1-300",
        )
        yield field_row(
            label["bcc"], FieldInput(id="bcc", max_length=254, classes="detail wide"), hint="optional"
        )

    def validate_key(self, raw: str) -> str:
        return smtp.validate_name(raw)

    def parse(self, values: dict[str, str], password: PasswordChange) -> smtp.SmtpDefinition:
        return smtp.parse_definition(values, password, had_password=self.had_password)

    def saved_message(self, saved: Stored) -> str:
        message = super().saved_message(saved)
        if not saved.record.users_bring_login:
            return message
        lacking = self.service.users_without_login(saved.key)
        if lacking:
            users = "user lacks" if lacking == 1 else "users lack"
            return f"{message}; no shared login: {lacking} linked {users} a login of their own"
        return f"{message}; no shared login, so each user needs their own"
