"""The last login test of a record as the lists, the forms and `show`
put it (issue 25): the Last test column ('OK 12-05', 'FAILED AUTH 12-06',
'—' when never tested), the form's line, and when it warns: a failed
test, or a secret or the server's certificate that expires within
WARN_DAYS (oauth_logins.expires_within, the one rule).  Times are shown
in local time.  The results are recorded by services/mail_checks.py.

A record whose sender domain would fail SPF, as the last `check --dns`
found (services/check.py keep_spf_verdicts), is marked too: the column
gets SPF_MARK ('OK 12-05 SPF!') and the row the warning colour, and the
form's line says which domain and why ('· SPF: corp.example does not
authorise smtp.corp.example (12-06)')."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from fincon_tui.services.oauth_logins import expires_within

if TYPE_CHECKING:
    from fincon_tui.storage.records import LoginTest, SpfVerdict, Stored
    from fincon_tui.storage.store import UnitOfWork

#: The Last test column of a record never tested.
NEVER = "—"
#: The Last test column's mark of a sender domain that would fail SPF.
SPF_MARK = "SPF!"


def _local(tested_at: str, pattern: str) -> str:
    try:
        return datetime.fromisoformat(tested_at).astimezone().strftime(pattern)
    except ValueError:
        return tested_at


def result_words(test: LoginTest) -> str:
    """'OK' or 'FAILED AUTH' (the step that failed)."""
    return "OK" if test.ok else f"FAILED {test.step.upper()}".rstrip()


def spf_fails(spf: SpfVerdict | None) -> bool:
    """Whether the last `check --dns` found a sender domain that would fail SPF."""
    return spf is not None and spf.fails


def cell(test: LoginTest | None, spf: SpfVerdict | None = None) -> str:
    """The Last test column: 'OK 12-05', 'FAILED AUTH 12-06', '—', with
    ' SPF!' after it when a sender domain would fail SPF."""
    shown = NEVER if test is None else f"{result_words(test)} {_local(test.tested_at, '%m-%d')}"
    return f"{shown} {SPF_MARK}" if spf_fails(spf) else shown


def warns(test: LoginTest | None, spf: SpfVerdict | None = None) -> bool:
    """Failed, or a secret or the certificate expires within WARN_DAYS (or
    has), or a sender domain would fail SPF."""
    if spf_fails(spf):
        return True
    if test is None:
        return False
    return not test.ok or expires_within(test.certificate_expires) or expires_within(test.secret_expires)


def line(test: LoginTest | None, spf: SpfVerdict | None = None) -> str:
    """The form's line: 'Last test: OK 2026-12-05 14:03 by anna ·
    certificate expires 2027-03-01 · secret expires 2027-01-10 · SPF:
    corp.example has no SPF record (12-06)'."""
    if test is None:
        parts = ["Last test: never"]
    else:
        parts = [f"Last test: {result_words(test)} {_local(test.tested_at, '%Y-%m-%d %H:%M')} by {test.tested_by}"]
        if test.certificate_expires:
            parts.append(f"certificate expires {test.certificate_expires}")
        if test.secret_expires:
            parts.append(f"secret expires {test.secret_expires[:10]}")
    if spf is not None and spf.fails:
        parts.append(f"SPF: {spf.finding or spf.domain} ({_local(spf.checked_at, '%m-%d')})")
    return " · ".join(parts)


def as_json(test: LoginTest | None) -> dict[str, object] | None:
    """What `show --json` gives as `last_test`."""
    if test is None:
        return None
    return {"tested_at": test.tested_at, "tested_by": test.tested_by, "ok": test.ok, "step": test.step,
            "message": test.message, "certificate_expires": test.certificate_expires,
            "secret_expires": test.secret_expires, "warns": warns(test)}


def latest(work: UnitOfWork, kind: str, stored: Stored[Any] | None) -> LoginTest | None:
    """The newest result of the record `stored` ('smtp' or 'user')."""
    if stored is None or not stored.row_id:
        return None
    return work.login_tests.latest_for(kind, [stored.row_id]).get(stored.row_id)


def spf_of(work: UnitOfWork, kind: str, stored: Stored[Any] | None) -> SpfVerdict | None:
    """The SPF verdict of the record `stored` ('smtp' or 'user'), None when none is stored."""
    if stored is None or not stored.row_id:
        return None
    return work.spf_verdicts.latest_for(kind, [stored.row_id]).get(stored.row_id)
