"""Nothing a server or a typed field says can steer the terminal, reveal the
password or reach a header or the envelope; real servers on 127.0.0.1."""

from __future__ import annotations

import base64
import re

import pytest
from smtp_servers import hostile, scripted_server, smtp_server
from support import definition

from fincon_tui.domain.login import effective_login
from fincon_tui.domain.visible import visible
from fincon_tui.mail.session import Outcome, Sender, check_login, send_test_email
from fincon_tui.mail.transcript import Transcript

#: C0 controls, DEL, C1 controls, bidi embeddings/overrides/isolates, LRM/RLM/ALM,
#: line/paragraph separators, lone surrogates: written out, not taken from the code.
RAW_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")


def test_visible_escapes_what_could_steer_a_terminal() -> None:
    assert visible("plain café – ok") == "plain café – ok"
    assert visible("\x1b]2;title\x07 \x1b[2J") == "\\x1b]2;title\\x07 \\x1b[2J"
    assert visible("a\x9bb\x7fc\u202ed\udcffe\tf\r\ng") == "a\\x9bb\\x7fc\\u202ed\\udcffe\\x09f\\x0d\\x0ag"
    every = "".join(chr(c) for c in [*range(0x20), *range(0x7F, 0xA0), 0x61C, 0x200E, 0x200F,
                                     *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2028, 0x2029])
    assert not RAW_CONTROL.search(visible(every))
    assert visible(visible(every)) == visible(every)


def test_the_transcript_shows_server_text_with_control_characters_escaped() -> None:
    shown: list[str] = []
    transcript = Transcript(shown.append)
    transcript.server(220, "evil.test \x1b]2;pwned\x07 \x1b[2J\nsecond \u202eline\r")
    assert transcript.lines == shown == [
        "S: 220 evil.test \\x1b]2;pwned\\x07 \\x1b[2J", "S: 220 second \\u202eline\\x0d"
    ]


def test_an_outcome_never_holds_control_characters() -> None:
    outcome = Outcome(False, "AUTH\x1b[2J", "refused: 535 \x1b]2;title\x07", "hint\u202e")
    assert (outcome.step, outcome.message, outcome.hint) == (
        "AUTH\\x1b[2J", "refused: 535 \\x1b]2;title\\x07", "hint\\u202e"
    )


async def test_a_hostile_server_cannot_write_control_characters_or_reveal_the_password() -> None:
    lines: list[str] = []
    transcript = Transcript(lines.append)
    with scripted_server(hostile) as port:
        smtp = definition(mail_server="127.0.0.1", port=port, use_tls=False, timeout_seconds=2)
        outcome = await check_login(smtp, effective_login(smtp, "", ""), "bob-pw", transcript)
    assert not outcome.ok and outcome.step == "AUTH"
    assert outcome.message.startswith(
        "authentication rejected: 535 5.7.8 \\x1b]2;pwned\\x07 \\x1b[2J \\x9b31m \\x7f \\u202e \\udcff"
    )
    log = "\n".join(transcript.lines)
    assert "S: 220 evil.test \\x1b]2;pwned\\x07 \\x1b[2J" in log
    assert lines == transcript.lines  # what the screen was handed is the same, safe text
    for text in [outcome.text(), *transcript.lines]:
        assert not RAW_CONTROL.search(text), text
    # The server echoed the AUTH PLAIN payload back: it is masked like the AUTH line.
    payload = base64.b64encode(b"\0bob\0bob-pw").decode()
    assert outcome.message.endswith("bad: ***")
    for text in [outcome.text(), log]:
        assert "bob-pw" not in text and payload not in text


@pytest.mark.parametrize(
    "field", ["sender name", "sender address", "recipient", "bcc", "smtp name"]
)
async def test_line_breaks_in_fields_never_reach_headers_or_the_envelope(field) -> None:
    evil = "\r\nRCPT TO:<evil@attacker.example>\r\nBcc: evil@attacker.example"
    values = {"sender name": "Bob", "sender address": "bob@corp.example",
              "recipient": "carol@client.example", "bcc": "audit@corp.example", "smtp name": "OFFICE"}
    values[field] += evil
    transcript = Transcript()
    with smtp_server(auth=False) as (port, mailbox):
        smtp = definition(name=values["smtp name"], mail_server="localhost", port=port, use_tls=False,
                          authenticate=False, username="", bcc=values["bcc"], timeout_seconds=2)
        outcome = await send_test_email(
            smtp, None, None, Sender(values["sender name"], values["sender address"]),
            values["recipient"], transcript,
        )
    assert not outcome.ok and outcome.step == "message"
    assert outcome.message.endswith("contains a control character, so nothing was sent")
    assert not [line for line in transcript.lines if line.startswith("C:")]  # never connected
    assert mailbox.messages == []
