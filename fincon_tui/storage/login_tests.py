"""The `login_tests` table's columns, the same on every engine: a
LoginTest (storage/records.py) as a row and back.  The row says
`outcome` 'ok' or 'failed'; the message is clipped to
LOGIN_TEST_MESSAGE_MAX characters.  The same for the `spf_verdicts` table
(a SpfVerdict: `outcome` 'ok' or 'fails')."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

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


def latest_with_verdicts_sql(mark: str, among: str) -> str:
    """The one query of LoginTestRows.latest_with_verdicts on an engine
    whose placeholder is `mark` and whose test of row_id against the list
    wanted is `among` ("IN (?, ?)", "= ANY(%s)"): each record's newest
    test, then the verdicts, each row tagged, SPF's padded to the tests' width
    (tests_and_verdicts reads them).  Its arguments: the kind and the list, twice."""
    pad = ", NULL" * (len(LOGIN_TEST_NAMES) - len(SPF_VERDICT_NAMES))
    return (f"SELECT 'test' AS source, {LOGIN_TEST_COLUMNS} FROM login_tests WHERE id IN (SELECT max(id) "
            f"FROM login_tests WHERE record_kind = {mark} AND row_id {among} GROUP BY row_id) UNION ALL "
            f"SELECT 'spf', {SPF_VERDICT_COLUMNS}{pad} FROM spf_verdicts WHERE record_kind = {mark} AND row_id {among}")


def tests_and_verdicts(rows: Iterable[Sequence[object]]) -> tuple[dict[str, LoginTest], dict[str, SpfVerdict]]:
    """latest_with_verdicts_sql's rows as the tests and the verdicts, by row_id."""
    tests: dict[str, LoginTest] = {}
    verdicts: dict[str, SpfVerdict] = {}
    for row in rows:
        if row[0] == "test":
            test = login_test_of(dict(zip(LOGIN_TEST_NAMES, row[1:], strict=True)))
            tests[test.row_id] = test
        else:
            verdict = spf_verdict_of(dict(zip(SPF_VERDICT_NAMES, row[1:len(SPF_VERDICT_NAMES) + 1], strict=True)))
            verdicts[verdict.row_id] = verdict
    return tests, verdicts
