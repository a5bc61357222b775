"""The `login_tests` table's columns, the same on every engine: a
LoginTest (storage/records.py) as a row and back.  The row says
`outcome` 'ok' or 'failed'; the message is clipped to
LOGIN_TEST_MESSAGE_MAX characters.  The same for the `spf_verdicts` table
(a SpfVerdict: `outcome` 'ok' or 'fails')."""

from __future__ import annotations

from collections.abc import Mapping

from fincon_tui.storage.records import LOGIN_TEST_MESSAGE_MAX, SPF_FINDING_MAX, LoginTest, SpfVerdict

#: The columns read, in LoginTest's order (with `outcome` for `ok`).
LOGIN_TEST_NAMES = ("record_kind", "row_id", "record_key", "tested_at", "tested_by", "outcome", "step", "message",
                    "certificate_expires", "secret_expires")
LOGIN_TEST_COLUMNS = ", ".join(LOGIN_TEST_NAMES)


def clipped(message: str, most: int = LOGIN_TEST_MESSAGE_MAX) -> str:
    """At most `most` characters, an ellipsis marking a cut."""
    return message if len(message) <= most else message[:most - 1] + "…"


def login_test_columns(result: LoginTest) -> dict[str, object]:
    """The row written for `result`."""
    return {
        "record_kind": result.record_kind,
        "row_id": result.row_id,
        "record_key": result.record_key,
        "tested_at": result.tested_at,
        "tested_by": result.tested_by,
        "outcome": "ok" if result.ok else "failed",
        "step": "" if result.ok else result.step,
        "message": clipped(result.message),
        "certificate_expires": result.certificate_expires,
        "secret_expires": result.secret_expires,
    }


def login_test_of(row: Mapping[str, object]) -> LoginTest:
    """The LoginTest a row read holds."""
    def text(column: str) -> str:
        value = row[column]
        return value if isinstance(value, str) else "" if value is None else str(value)

    def maybe(column: str) -> str | None:
        value = row[column]
        return None if value is None else str(value)

    return LoginTest(text("record_kind"), text("row_id"), text("record_key"), text("tested_at"), text("tested_by"),
                     row["outcome"] == "ok", text("step"), text("message"), maybe("certificate_expires"),
                     maybe("secret_expires"))


#: The `spf_verdicts` columns read, in SpfVerdict's order (with `outcome` for `fails`).
SPF_VERDICT_NAMES = ("record_kind", "row_id", "record_key", "checked_at", "domain", "outcome", "finding")
SPF_VERDICT_COLUMNS = ", ".join(SPF_VERDICT_NAMES)


def spf_verdict_columns(verdict: SpfVerdict) -> dict[str, object]:
    """The row written for `verdict`."""
    return {
        "record_kind": verdict.record_kind,
        "row_id": verdict.row_id,
        "record_key": verdict.record_key,
        "checked_at": verdict.checked_at,
        "domain": verdict.domain,
        "outcome": "fails" if verdict.fails else "ok",
        "finding": clipped(verdict.finding, SPF_FINDING_MAX),
    }


def spf_verdict_of(row: Mapping[str, object]) -> SpfVerdict:
    """The SpfVerdict a row read holds."""
    def text(column: str) -> str:
        value = row[column]
        return value if isinstance(value, str) else "" if value is None else str(value)

    return SpfVerdict(text("record_kind"), text("row_id"), text("record_key"), text("checked_at"), text("domain"),
                      row["outcome"] == "fails", text("finding"))
