"""A login without its secret is missing, as a login without a username is:
Authenticate = Y with a Username and no password, an OAuth 2.0 login whose
client secret, service-account key or sign-in is not stored.  Every front
end says MISSING, and nothing is sent to the server for such a login: an
empty password is a failed login there, and enough of those lock the mailbox."""

from __future__ import annotations

import json

import pytest
from smtp_servers import smtp_server
from support import definition, open_form, user
from test_work_with import lines

from fincon_tui.domain.login import effective_login
from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.domain.secret_kinds import SecretKind
from fincon_tui.domain.users import UserEmailSettings
from fincon_tui.mail.message import Sender
from fincon_tui.mail.session import check_login, send_test_email
from fincon_tui.mail.transcript import Transcript
from fincon_tui.services import work_lists
from fincon_tui.services.smtp_settings import SmtpSettings
from fincon_tui.services.user_settings import UserSettings

SIZE = (80, 24)
KEEP = PasswordChange.keep()
NO_PASSWORD = ("the login bob of SMTP definition NOPW has no password: enter it on SMTP Settings NOPW, or run "
               "`fincon-tui smtp set NOPW --password-stdin`")
EVE_NO_PASSWORD = ("User EVE's own login eve has no password: enter it on User Email Settings EVE, or run "
                   "`fincon-tui user set EVE --password-stdin`")


def unfinished(smtp: SmtpSettings, users: UserSettings, port: int = 587, **overrides) -> None:
    """NOPW: the shared login bob without its password (DAN sends with it);
    OWN: each user brings their own (EVE's has no password, FAY's has one)."""
    where = dict(mail_server="localhost", port=port, timeout_seconds=5, **overrides)
    smtp.save(definition(name="NOPW", **where), KEEP, None)
    smtp.save(definition(name="OWN", username="", **where), KEEP, None)
    users.save(user("DAN", "NOPW"), KEEP, None)
    users.save(user("EVE", "OWN", "eve"), KEEP, None)
    users.save(user("FAY", "OWN", "fay"), PasswordChange.set("fay-pw"), None)


def attention(screen) -> list[str]:
    """The keys of the rows shown in the warning colour."""
    return [line.split()[1] for line, row in zip(lines(screen), screen.query(".work-row"), strict=False)
            if row.query_one(".line").has_class("-attention")]


def login_line(screen) -> str:
    return str(screen.query_one("#login-used").content)


async def test_the_lists_say_missing_for_a_login_without_its_password(app) -> None:
    unfinished(app.smtp, app.users)
    async with app.run_test(size=SIZE) as pilot:
        definitions = await open_form(pilot, 3)
        # Columns are as wide as their longest value (ed06857): compare the cells, not the padding.
        assert [line.split() for line in lines(definitions)] == [
            ["_", "NOPW", "localhost:587", "—", "STARTTLS", "MISSING", "1"],
            ["_", "OWN", "localhost:587", "—", "STARTTLS", "per", "user", "2"],
        ]
        assert attention(definitions) == ["NOPW"]
        await pilot.press("escape")
        people = await open_form(pilot, 4)
        assert [line.split() for line in lines(people)] == [
            ["_", "DAN", "NOPW", "dan@corp.example", "MISSING:", "password", "—"],
            ["_", "EVE", "OWN", "eve@corp.example", "MISSING:", "password", "—"],
            ["_", "FAY", "OWN", "fay@corp.example", "own:", "fay", "—"],
        ]
        assert attention(people) == ["DAN", "EVE"]


async def test_login_used_on_the_user_form_says_missing_until_a_password_is_typed(app) -> None:
    unfinished(app.smtp, app.users)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, 2, key="eve")
        assert login_line(form) == "Login used: eve (from user settings) – MISSING: no password"
        form.field("password").focus()
        await pilot.press(*"eve-pw")
        assert login_line(form) == "Login used: eve (from user settings)"
        await pilot.press(*["backspace"] * 6)
        assert login_line(form) == "Login used: eve (from user settings) – MISSING: no password"
        form.field("smtp_username").focus()
        await pilot.press("ctrl+u")
        assert login_line(form) == ("Login used: MISSING: SMTP definition OWN has no shared login, and the user "
                                    "has none of their own")
        form.field("smtp_name").focus()
        await pilot.press("ctrl+u", *"nopw")
        assert login_line(form) == "Login used: bob (from SMTP definition NOPW) – MISSING: no password"


def test_smtp_test_and_send_test_send_nothing_for_a_login_without_its_password(fincon, store, vault, certs) -> None:
    with smtp_server(starttls=certs.server_context()) as (port, mailbox):
        smtp, users = SmtpSettings(store, vault), UserSettings(store, vault)
        mailbox.accounts["fay"] = "fay-pw"
        unfinished(smtp, users, port)
        smtp.save(definition(name="PLAIN", mail_server="localhost", port=port, use_tls=False), KEEP, None)
        tested = fincon("smtp", "test", "NOPW")
        sent = fincon("smtp", "send-test", "NOPW", "--to", "carol@client.example", "--from", "bob@corp.example")
        as_dan = fincon("smtp", "test", "NOPW", "--user", "dan")
        in_clear = fincon("smtp", "test", "PLAIN", "--allow-plaintext")
        as_eve = fincon("smtp", "test", "OWN", "--user", "eve")
        as_fay = fincon("smtp", "test", "OWN", "--user", "fay")
    assert mailbox.commands == ["STARTTLS", "AUTH"] and mailbox.logins == [("fay", "fay-pw")]  # FAY's alone
    assert (tested.returncode, tested.stdout, tested.stderr) == (2, "", f"fincon-tui: {NO_PASSWORD}\n")
    assert (sent.returncode, sent.stderr) == (2, tested.stderr)
    assert (as_dan.returncode, as_dan.stderr) == (2, tested.stderr)
    assert in_clear.returncode == 2 and "unencrypted" not in in_clear.stderr
    assert in_clear.stderr.startswith("fincon-tui: the login bob of SMTP definition PLAIN has no password")
    assert (as_eve.returncode, as_eve.stderr) == (2, f"fincon-tui: {EVE_NO_PASSWORD}\n")
    assert as_fay.returncode == 0, as_fay.stderr


@pytest.mark.engines
def test_show_and_list_say_missing(fincon, store, vault) -> None:
    unfinished(SmtpSettings(store, vault), UserSettings(store, vault))
    shown = json.loads(fincon("smtp", "show", "NOPW", "--json").stdout)
    assert (shown["login"], shown["login_missing"]) == ("MISSING", NO_PASSWORD)
    listed = {row["name"]: row for row in json.loads(fincon("smtp", "list", "--json").stdout)}
    assert {name: row["login"] for name, row in listed.items()} == {"NOPW": "MISSING", "OWN": "per user"}
    table = fincon("smtp", "list").stdout
    assert f"! NOPW: cannot log in: {NO_PASSWORD}" in table and "! OWN" not in table
    dan = json.loads(fincon("user", "show", "dan", "--json").stdout)
    assert dan["login_used"] == f"MISSING: {NO_PASSWORD}"
    eve = json.loads(fincon("user", "show", "EVE", "--json").stdout)
    assert eve["login_used"] == f"MISSING: {EVE_NO_PASSWORD}"
    people = {row["user_code"]: row["login"] for row in json.loads(fincon("user", "list", "--json").stdout)}
    assert people == {"DAN": "MISSING: password", "EVE": "MISSING: password", "FAY": "own: fay"}
    table = fincon("user", "list").stdout
    assert f"! DAN: cannot send: {NO_PASSWORD}" in table and "! FAY" not in table


@pytest.mark.parametrize("password", [None, ""])
async def test_the_session_refuses_a_password_login_without_a_password(certs, password) -> None:
    """The last guard, below every front end: nothing is connected to."""
    transcript = Transcript()
    with smtp_server(starttls=certs.server_context()) as (port, mailbox):
        shared = definition(name="NOPW", mail_server="localhost", port=port, timeout_seconds=5)
        login = effective_login(shared)
        tested = await check_login(shared, login, password, transcript)
        sent = await send_test_email(shared, login, password, Sender("Bob", "bob@corp.example"),
                                     "carol@client.example", transcript)
    assert mailbox.commands == [] and mailbox.logins == [] and mailbox.messages == []
    for outcome in (tested, sent):
        assert (outcome.ok, outcome.step) == (False, "AUTH")
        assert outcome.text() == ("no password for bob (SMTP definition NOPW), so nothing was sent. Enter the "
                                  "password of SMTP definition NOPW, then try again.")
    assert not any(line.startswith("C:") for line in transcript.lines)


@pytest.mark.engines
def test_oauth_logins_without_their_secrets_are_missing(store, vault) -> None:
    """Each Login Method's secrets, for a definition's shared login and a user's own."""
    smtp, users = SmtpSettings(store, vault), UserSettings(store, vault)
    oauth = dict(mail_server="smtp.office365.com", tenant="contoso.onmicrosoft.com", client_id="mailer")
    secret = {"client_secret": PasswordChange.set("app-secret")}
    smtp.save(definition(name="M_APP", username="", login_method="M", **oauth), KEEP, None, secret)
    smtp.save(definition(name="M_DEVICE", username="office@contoso.example", login_method="M", **oauth), KEEP, None)
    google = dict(mail_server="smtp.gmail.com", login_method="G", client_id="mailer")
    key = {"client_secret": PasswordChange.set('{"type": "service_account"}')}
    smtp.save(definition(name="G_KEY", username="", **google), KEEP, None, key)
    smtp.save(definition(name="G_BARE", username="robot@corp.example", **google), KEEP, None)
    smtp.save(definition(name="PW", username=""), KEEP, None)
    for code, name, username, method in [
        ("APPONLY", "M_APP", "ann@contoso.example", ""),  # the app acts as her mailbox: nothing to sign in
        ("OWNM", "M_APP", "bea@contoso.example", "M"),  # her own mailbox signs in
        ("SHARED", "M_DEVICE", "", ""),  # the definition's mailbox, which is not signed in
        ("DELEGATED", "G_KEY", "cid@corp.example", ""),  # the service account acts as her mailbox
        ("OWNG", "G_KEY", "dot@corp.example", "G"),  # signs in with a client secret G_KEY does not hold
        ("NOSECRET", "G_BARE", "", ""),
        ("WRONG", "PW", "eva@corp.example", "M"),
    ]:
        users.save(UserEmailSettings(code, name, username, code.title(), f"{code.lower()}@corp.example",
                                     login_method=method), KEEP, None)

    def shown() -> tuple[dict, dict]:
        return ({row.key: row.login for row in work_lists.definitions(smtp, "", 20).rows},
                {row.key: row.login_used for row in work_lists.users(users, "", 20).rows})

    definitions, people = shown()
    assert definitions == {"G_BARE": "MISSING", "G_KEY": "per user", "M_APP": "per user", "M_DEVICE": "MISSING",
                           "PW": "per user"}
    assert people == {
        "APPONLY": "own: ann@contoso.example",
        "DELEGATED": "own: cid@corp.example",
        "NOSECRET": "MISSING: client secret",
        "OWNG": "MISSING: client secret",
        "OWNM": "MISSING: sign-in",
        "SHARED": "MISSING: sign-in",
        "WRONG": "MISSING: Login Method M",
    }
    with store.transaction():  # as a sign-in stores them
        users.passwords.put(users.binding(users.get("OWNM").record), SecretKind.REFRESH_TOKEN, "bea-token")
        smtp.passwords.put(smtp.binding(smtp.get("M_DEVICE").record), SecretKind.REFRESH_TOKEN, "office-token")
    definitions, people = shown()
    assert definitions["M_DEVICE"] == "shared"
    assert (people["OWNM"], people["SHARED"]) == ("own: bea@contoso.example", "shared: office@contoso.example")


def test_a_page_asks_for_its_secrets_once_and_opens_none(store, db, vault) -> None:
    """20,000 rows must not cost a query each, and telling a secret is there
    must not decrypt it (nor need the key)."""
    smtp, users = SmtpSettings(store, vault), UserSettings(store, vault)
    smtp.save(definition(name="OWN", username=""), KEEP, None)
    for n in range(30):
        users.save(user(f"U{n:02}", "OWN", f"u{n}"), PasswordChange.set("pw") if n % 2 else KEEP, None)
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        page = work_lists.users(users, "", 20)
    finally:
        db.conn.set_trace_callback(None)
    assert [row.login_used for row in page.rows[:2]] == ["MISSING: password", "own: u1"]
    asked = [sql for sql in statements if "secrets" in sql]
    assert len(asked) == 1 and "sealed" not in " ".join(statements)
