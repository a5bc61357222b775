"""The test email: an RFC 5322 message built with the standard library.

Nothing typed by a person reaches a header or the envelope with a control
character in it: `check_envelope` refuses those before anything is sent,
and the email package would refuse CR/LF in a header anyway.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from fincon_tui._exceptions import StepFailed
from fincon_tui.domain.smtp import SmtpDefinition
from fincon_tui.domain.visible import is_hidden
from fincon_tui.mail.outcome import Outcome

_DOMAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")


@dataclass(frozen=True)
class Sender:
    name: str
    address: str


def check_envelope(definition: SmtpDefinition, sender: Sender, recipient: str) -> None:
    """Raise StepFailed when a field bound for a header or an SMTP command
    holds a control character (CR, LF, ESC ...): nothing is sent then."""
    fields = {
        "the sender's name": sender.name,
        "the sender's address": sender.address,
        "the recipient": recipient,
        "the BCC": definition.bcc,
        "the SMTP Name": definition.name,
    }
    for label, value in fields.items():
        if any(is_hidden(char) for char in value):
            raise StepFailed(Outcome(False, "message", f"{label} contains a control character, "
                                     "so nothing was sent", "retype it"))


def _message_id_domain(address: str) -> str:
    domain = address.rpartition("@")[2]
    return domain if _DOMAIN.fullmatch(domain) else "fincon-tui.invalid"


def build_test_message(definition: SmtpDefinition, sender: Sender, recipient: str) -> EmailMessage:
    """The test email, with CRLF line ends (policy SMTP): Date, From, To,
    Subject, Message-ID, MIME-Version and a text/plain part in UTF-8.
    The definition's BCC is an envelope recipient only, never a header."""
    check_envelope(definition, sender, recipient)
    message = EmailMessage(policy=policy.SMTP)
    message["Date"] = format_datetime(datetime.now().astimezone())
    message["From"] = Address(display_name=sender.name, addr_spec=sender.address)
    message["To"] = Address(addr_spec=recipient)
    message["Subject"] = f"fincon-tui test email through SMTP definition {definition.name}"
    message["Message-ID"] = make_msgid(domain=_message_id_domain(sender.address))
    message.set_content(
        "This test email was sent by fincon-tui through the SMTP definition\n"
        f"{definition.name} ({definition.mail_server}:{definition.port}).\n",
        charset="utf-8",
    )
    return message
