"""The test email."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from fincon_tui.domain.smtp import SmtpDefinition


@dataclass(frozen=True)
class Sender:
    name: str
    address: str


def build_test_message(definition: SmtpDefinition, sender: Sender, recipient: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((sender.name, sender.address))
    message["To"] = recipient
    message["Subject"] = f"fincon-tui test email through SMTP definition {definition.name}"
    message["Message-ID"] = make_msgid(domain="fincon-tui.invalid")
    message.set_content(
        f"This test email was sent by fincon-tui through the SMTP definition "
        f"{definition.name} ({definition.mail_server}:{definition.port}).\n"
    )
    return message
