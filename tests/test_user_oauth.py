"""A user's own OAuth 2.0 login: the user's mailbox signs in (Sign in on the
user form, `user sign-in`), its refresh token is kept sealed for the user
and rotated, and the login test and test email as that user log in with
it over XOAUTH2 – against the local authorization server and an SMTP
server that takes only its tokens (fixtures: tests/oauth_fixtures.py)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from oauth_fixtures import ANN, cli, device_code_sign_in, microsoft
from oauth_server import approve_when_asked, authorize_in_browser, service_account_key
from support import open_form, until

from fincon_tui._exceptions import NotReady, RecordChanged
from fincon_tui.domain.password_binding import PasswordChange, smtp_owner, user_owner
from fincon_tui.domain.secret_kinds import SecretKind
from fincon_tui.domain.users import UserEmailSettings
from fincon_tui.services.sign_ins import definition_sign_in, save_sign_in, user_sign_in
from fincon_tui.services.smtp_settings import SmtpSettings
from fincon_tui.services.user_settings import UserSettings
from fincon_tui.ui.screens.sign_in import SignInScreen
from fincon_tui.ui.screens.smtp_session import SmtpSessionScreen
from fincon_tui.ui.screens.user_settings import UserEmailSettingsScreen

SIZE = (80, 24)
OFFICE = "office@contoso.example"
KEEP = PasswordChange.keep()


def ann(definition: str = "M365", method: str = "", username: str = ANN) -> UserEmailSettings:
    return UserEmailSettings("ANN", definition, username, "Ann", ANN, login_method=method)


def services(store, vault) -> tuple[SmtpSettings, UserSettings]:
    return SmtpSettings(store, vault), UserSettings(store, vault)


def token_of(store, vault, owner) -> str | None:
    return SmtpSettings(store, vault).passwords.get(owner, SecretKind.REFRESH_TOKEN)


def sign_ann_in(store, vault, idp) -> None:
    smtp, users = services(store, vault)
    device_code_sign_in(idp, lambda: user_sign_in(users, smtp, "ANN"),
                        lambda found, tokens: save_sign_in(users, found, tokens))


def login_line(screen) -> str:
    return str(screen.query_one("#login-used").content)


async def test_a_users_mailbox_signs_in_on_the_user_form_then_the_login_test_runs_as_the_user(
    app, store, db_path, vault, idp, smtp
) -> None:
    port, mailbox = smtp
    app.smtp.save(microsoft(port, username=""), KEEP, None)  # each user brings their own mailbox
    app.users.save(ann(), KEEP, None)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 2, by_menu_digits=True)  # the test goes back through the menus
        await pilot.press(*"ann", "enter")
        form = app.screen
        assert isinstance(form, UserEmailSettingsScreen)
        await until(lambda: "signed in" in login_line(form), "the login line says whether ANN is signed in")
        assert login_line(form) == (f"Login used: {ANN}, Microsoft 365 (from user settings) – MISSING: not signed "
                                    "in yet (F2/^N=Sign in)")
        await pilot.press("f2")
        dialog = app.screen
        assert isinstance(dialog, SignInScreen)
        await until(lambda: dialog.device is not None, "the sign-in window shows a device code")
        assert dialog.dialog_title == f"Sign in to Microsoft 365 as {ANN}"
        assert dialog.device.code in str(dialog.query_one("#sign-in-steps").content)
        approve_when_asked(idp, ANN)  # Ann, on her phone
        await until(lambda: app.screen is form and form.message.text.startswith("Signed in"), "the sign-in ends")
        assert form.message.text == f"Signed in as {ANN}; the refresh token is stored with User email settings ANN"
        await until(lambda: login_line(form).endswith("– signed in"), "the login line says signed in")
        # The login test of the definition, as Ann: her own mailbox, her own token.
        await pilot.press("escape", "escape", "1", *"m365", "enter", "f6", *"ann", "enter")
        session = app.screen
        assert isinstance(session, SmtpSessionScreen)
        await until(lambda: session.outcome is not None, "the login test ends")
        assert session.outcome.ok, session.outcome
        assert "C: AUTH XOAUTH2 ***" in "\n".join(session.shown)
    assert mailbox.logins == [(ANN, "XOAUTH2")] and mailbox.tls_at_auth == [True]
    stored = token_of(store, vault, user_owner("ANN"))
    assert stored in idp.live_refresh_tokens()  # the one the login test rotated to
    assert token_of(store, vault, smtp_owner("M365")) is None
    assert stored.encode() not in Path(db_path).read_bytes()
    assert app.users.history("ANN")[0].changes == {"refresh_token": f"signed in as {ANN}"}


@pytest.mark.engines  # a user's token rotated by other processes, stored in its place
def test_user_sign_in_on_the_command_line_then_tests_and_sends_as_the_user_across_processes(
    store, db_location, vault, idp, smtp
) -> None:
    port, mailbox = smtp
    smtp_settings, users = services(store, vault)
    smtp_settings.save(microsoft(port, username=OFFICE), KEEP, None)
    users.save(ann(), KEEP, None)
    approve_when_asked(idp, ANN)
    signed = cli(db_location, "user", "sign-in", "ann")
    assert signed.returncode == 0, signed.stderr
    assert f"{idp.base}/devicelogin" in signed.stderr
    assert signed.stdout == f"Signed in as {ANN}; the refresh token is stored with User email settings ANN\n"
    first = token_of(store, vault, user_owner("ANN"))
    tested = cli(db_location, "test", "M365", "--user", "ANN")  # a process of its own refreshes; the server rotates
    assert tested.returncode == 0, tested.stderr
    assert f"logged in with OAuth 2.0 as {ANN}" in tested.stdout
    second = token_of(store, vault, user_owner("ANN"))
    assert second != first and first not in idp.live_refresh_tokens()
    sent = cli(db_location, "send-test", "M365", "--user", "ANN", "--to", "bob@contoso.example")
    assert sent.returncode == 0, sent.stderr  # a later process: works only with the rotated token
    assert token_of(store, vault, user_owner("ANN")) not in (first, second)
    assert mailbox.logins == [(ANN, "XOAUTH2")] * 2
    assert [(sender, to) for sender, to, _ in mailbox.messages] == [(ANN, ["bob@contoso.example"])]
    assert first not in signed.stdout + signed.stderr + tested.stdout + tested.stderr + sent.stdout + sent.stderr


def test_expiries_of_a_users_sign_in_are_shown_and_warned_of_only_for_that_user(
    store, db_path, vault, idp, smtp
) -> None:
    smtp_settings, users = services(store, vault)
    smtp_settings.save(microsoft(smtp[0], username=OFFICE), KEEP, None)
    users.save(ann(), KEEP, None)
    device_code_sign_in(idp, lambda: definition_sign_in(smtp_settings, "M365"),
                        lambda found, tokens: save_sign_in(smtp_settings, found, tokens), OFFICE)
    sign_ann_in(store, vault, idp)
    shown = json.loads(cli(db_path, "user", "show", "ANN", "--json").stdout)
    assert (shown["login_method"], shown["login_way"]) == ("", "device code")
    assert shown["login_used"] == f"{ANN}, Microsoft 365 (from user settings)"
    expires = datetime.fromisoformat(shown["expires"]["refresh_token"])
    assert timedelta(days=89) < expires - datetime.now(UTC) <= timedelta(days=90)
    definition = json.loads(cli(db_path, "show", "M365", "--json").stdout)
    assert definition["users_expires"] == {"ANN": shown["expires"]}
    assert set(definition["expires"]) == {"refresh_token"}  # the definition's own sign-in
    soon = (datetime.now(UTC) + timedelta(days=3)).isoformat(timespec="seconds")
    with store.transaction():
        for sealed in store.secrets.of_owner(user_owner("ANN")):
            store.secrets.put(replace(sealed, expires_at=soon))
    as_ann = cli(db_path, "test", "M365", "--user", "ANN", "--json")
    report = json.loads(as_ann.stdout)
    assert report["ok"] and as_ann.returncode == 1  # logged in, but Ann's sign-in dies within 14 days
    assert report["expiring"] == [f"the refresh token of user ANN expires on {soon[:10]} (in 2 days)"]
    shared = cli(db_path, "test", "M365", "--json")  # the definition's own login does not use Ann's token
    assert shared.returncode == 0 and json.loads(shared.stdout)["expiring"] == []


def test_a_users_revoked_or_missing_sign_in_says_how_to_sign_that_user_in(store, db_path, vault, idp, smtp) -> None:
    smtp_settings, users = services(store, vault)
    smtp_settings.save(microsoft(smtp[0], username=""), KEEP, None)
    users.save(ann(), KEEP, None)
    missing = cli(db_path, "test", "M365", "--user", "ANN")
    assert missing.returncode == 2
    assert missing.stderr == (f"fincon-tui: {ANN} is not signed in yet: Sign in on User Email Settings ANN, or run "
                              "`fincon-tui user sign-in ANN`\n")
    sign_ann_in(store, vault, idp)
    idp.revoke_refresh_tokens(ANN)
    revoked = cli(db_path, "test", "M365", "--user", "ANN", "--json")
    report = json.loads(revoked.stdout)
    assert revoked.returncode == 1 and report["step"] == "token" and "revoked" in report["message"]
    assert report["hint"] == (f"sign {ANN} in again (Sign in on User Email Settings ANN, or run "
                              "`fincon-tui user sign-in ANN`)")
    assert smtp[1].logins == []


def test_who_cannot_sign_in_is_told_why(store, db_path, vault, idp, smtp) -> None:
    smtp_settings, users = services(store, vault)
    smtp_settings.save(microsoft(smtp[0], name="APP", username="", client_id="daemon"), KEEP, None,
                       {"client_secret": PasswordChange.set("daemon-secret")})
    users.save(ann("APP"), KEEP, None)
    refused = cli(db_path, "user", "sign-in", "ANN")
    assert refused.returncode == 2
    assert "acts through SMTP definition APP's app-only access, which needs no sign-in" in refused.stderr
    # Empty Login Method: the app-only token acts as Ann's mailbox, no sign-in needed.
    assert cli(db_path, "test", "APP", "--user", "ANN").returncode == 0
    assert idp.grant_counts == {"client_credentials": 1} and smtp[1].logins == [(ANN, "XOAUTH2")]
    users.save(UserEmailSettings("BOB", "APP", "", "Bob", "bob@contoso.example"), KEEP, None)
    assert "has no SMTP Username of their own" in cli(db_path, "user", "sign-in", "BOB").stderr
    assert cli(db_path, "user", "sign-in", "NOBODY").stderr == "fincon-tui: User email settings NOBODY do not exist\n"
    smtp_settings.save(microsoft(smtp[0], name="PW", login_method="P", tenant="", client_id=""), KEEP, None)
    wrong = cli(db_path, "user", "set", "BOB", "--smtp-definition", "PW", "--smtp-username", "bob",
                "--login-method", "m")
    assert wrong.returncode == 2
    assert ("Login Method M needs SMTP definition PW to use Login Method M too (its app registration signs the "
            "user in)") in wrong.stderr
    assert users.get("BOB").record.smtp_name == "APP"  # nothing written


def test_a_user_signs_in_to_google_with_the_definitions_oauth_client(
    store, db_path, vault, idp, smtp, tmp_path
) -> None:
    from fincon_tui.oauth.google import InstalledApp

    port, mailbox = smtp
    smtp_settings, users = services(store, vault)
    google = dict(username="", login_method="G", tenant="")
    smtp_settings.save(microsoft(port, name="GMAIL", client_id="gclient", **google), KEEP, None,
                       {"client_secret": PasswordChange.set("g-secret")})
    users.save(ann("GMAIL", method="G"), KEEP, None)
    found = user_sign_in(users, smtp_settings, "ANN")
    assert (found.mailbox, found.client_id, found.client_secret) == (ANN, "gclient", "g-secret")
    flow = InstalledApp(found.client_id, found.client_secret, 10)
    save_sign_in(users, found, flow.finish(authorize_in_browser(idp, flow.url)))  # the browser signs in as Ann
    assert cli(db_path, "test", "GMAIL", "--user", "ANN").returncode == 0
    # A service account acts as the user's mailbox when the user's method is empty; G would need an OAuth client.
    key = tmp_path / "key.json"
    key.write_text(service_account_key(idp))
    assert cli(db_path, "set", "ROBOT", "--mail-server", "localhost", "--port", str(port), "--login-method", "G",
               "--service-account-file", str(key)).returncode == 0
    users.save(UserEmailSettings("BEN", "ROBOT", "ben@contoso.example", "Ben", "ben@contoso.example"), KEEP, None)
    assert cli(db_path, "test", "ROBOT", "--user", "BEN").returncode == 0
    assert idp.grant_counts["urn:ietf:params:oauth:grant-type:jwt-bearer"] == 1
    assert mailbox.logins == [(ANN, "XOAUTH2"), ("ben@contoso.example", "XOAUTH2")]
    stored = users.get("BEN")
    users.save(UserEmailSettings("BEN", "ROBOT", "ben@contoso.example", "Ben", "ben@contoso.example",
                                 login_method="G"), KEEP, stored)
    with pytest.raises(NotReady, match="holds no OAuth client secret"):
        user_sign_in(users, smtp_settings, "BEN")


def _put_token(users: UserSettings, code: str, token: str = "rt") -> None:
    with users.store.transaction():
        users.passwords.put(users.binding(users.get(code).record), SecretKind.REFRESH_TOKEN, token)


def test_a_users_sign_in_goes_with_the_login_it_was_made_for(store, vault) -> None:
    smtp_settings, users = services(store, vault)
    smtp_settings.save(microsoft(587, username=""), KEEP, None)
    users.save(ann(), KEEP, None)
    _put_token(users, "ANN")
    # Another mail server: the token is sealed again for it, and still opens.
    before = smtp_settings.get("M365")
    smtp_settings.save(microsoft(587, username="", mail_server="smtp.office365.com"), KEEP, before)
    assert users.passwords.get(user_owner("ANN"), SecretKind.REFRESH_TOKEN) == "rt"
    # Renamed: it goes along.
    from fincon_tui.services.key_changes import rename

    rename(users, "ANN", users.get("ANN"), "ANNA")
    assert users.passwords.get(user_owner("ANNA"), SecretKind.REFRESH_TOKEN) == "rt"
    # Another mailbox: it goes, and the history says so.
    stored = users.get("ANNA")
    users.save(UserEmailSettings("ANNA", "M365", "anna@contoso.example", "Ann", ANN), KEEP, stored)
    assert not users.passwords.has(user_owner("ANNA"), SecretKind.REFRESH_TOKEN)
    assert users.history("ANNA")[0].changes["refresh_token"] == "removed: sign in again"
    # The definition's app registration changes: every user signed in with it signs in again.
    _put_token(users, "ANNA")
    before = smtp_settings.get("M365")
    smtp_settings.save(microsoft(587, username="", mail_server="smtp.office365.com", client_id="other"), KEEP,
                       before)
    assert not users.passwords.has(user_owner("ANNA"), SecretKind.REFRESH_TOKEN)
    assert smtp_settings.history("M365")[0].changes["user_refresh_tokens"] == "removed for ANNA: sign them in again"
    assert users.history("ANNA")[0].describe() == (
        "refresh_token: removed: SMTP definition M365's app registration changed")


def test_a_sign_in_is_not_stored_when_the_app_registration_changed_meanwhile(store, vault) -> None:
    from fincon_tui.oauth.tokens import Tokens

    smtp_settings, users = services(store, vault)
    smtp_settings.save(microsoft(587, username=""), KEEP, None)
    users.save(ann(), KEEP, None)
    found = user_sign_in(users, smtp_settings, "ANN")
    smtp_settings.save(microsoft(587, username="", client_id="other"), KEEP, smtp_settings.get("M365"))
    with pytest.raises(RecordChanged):
        save_sign_in(users, found, Tokens("at", "rt", None, ANN))
    assert not users.passwords.has(user_owner("ANN"), SecretKind.REFRESH_TOKEN)


async def test_the_login_method_field_takes_p_m_g_or_nothing_and_keys_come_from_the_keymap(store, vault) -> None:
    from fincon_tui.ui.app import FinconApp
    from fincon_tui.ui.screens.help import HelpScreen

    app = FinconApp(store, vault, cursor_blink=False, keymap={"sign_in": "f11"})
    app.smtp.save(microsoft(587, username=""), KEEP, None)
    app.smtp.save(microsoft(587, name="PW", login_method="P", tenant="", client_id="", username=""), KEEP, None)
    app.users.save(ann(), KEEP, None)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 2, key="ann")
        form = app.screen
        await until(lambda: "F11=Sign in" in login_line(form), "the login line offers F11=Sign in")
        form.field("login_method").focus()
        await pilot.press("x")
        assert form.message.text == ("Login Method: type P=Password, M=Microsoft 365, G=Google, or erase it to "
                                     "log in as the definition does")
        assert form.field("login_method").value == ""
        await pilot.press("p")
        await until(lambda: "Password" in login_line(form), "the login line follows Login Method P")
        assert login_line(form) == f"Login used: {ANN}, Password (from user settings) – MISSING: no password"
        await pilot.press("backspace", "m")
        await until(lambda: "after Accept" in login_line(form), "the login line follows Login Method M")
        assert login_line(form).endswith("not signed in yet (F11=Sign in after Accept)")
        form.field("smtp_name").value = "PW"
        await pilot.press("f10")
        assert form.message.text.startswith("Login Method M needs SMTP definition PW to use Login Method M too")
        assert app.focused.id == "login_method"
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        rows = [str(widget.content) for widget in app.screen.query("#help-body Label, #help-body Static")]
        assert any(row.startswith("F11") for row in rows) and "Sign in" in rows  # the key as mapped
        assert any("signs in once with F11" in row for row in rows)
    assert app.users.get("ANN").record.login_method == ""  # nothing saved


def test_user_set_export_and_import_carry_the_login_method(store, db_path, vault, tmp_path) -> None:
    smtp_settings, users = services(store, vault)
    smtp_settings.save(microsoft(587, username=""), KEEP, None)
    users.save(ann(), KEEP, None)
    changed = cli(db_path, "user", "set", "ANN", "--login-method", "m")
    assert (changed.returncode, changed.stdout) == (0, "User email settings ANN changed: login_method: (none) -> M\n")
    assert cli(db_path, "user", "set", "ANN", "--login-method", "m").stdout == "User email settings ANN unchanged\n"
    exported = cli(db_path, "export")
    data = json.loads(exported.stdout)
    assert data["users"][0]["login_method"] == "M"
    (tmp_path / "setup.json").write_text(exported.stdout)
    other = tmp_path / "other.db"
    assert cli(other, "import", str(tmp_path / "setup.json")).stdout.splitlines()[-1] == "2 created"
    assert cli(other, "export").stdout == exported.stdout
    data["users"][0]["login_method"] = "X"
    (tmp_path / "bad.json").write_text(json.dumps(data))
    refused = cli(db_path, "import", str(tmp_path / "bad.json"))
    assert refused.returncode == 1
    assert "User email settings ANN refused: Login Method must be P=Password, M=Microsoft 365, G=Google" \
        in refused.stdout
    assert cli(db_path, "user", "set", "ANN", "--login-method", "").stdout == (
        "User email settings ANN changed: login_method: M -> (none)\n")


async def test_accept_says_when_a_mailbox_still_has_to_sign_in(app) -> None:
    app.smtp.save(microsoft(587, username=""), KEEP, None)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 2, by_menu_digits=True)  # the test goes back through the menus
        await pilot.press(*"ann", "enter", "y")
        form = app.screen
        for key, value in dict(smtp_name="M365", smtp_username=ANN, sender_name="Ann", sender_email=ANN).items():
            form.field(key).value = value
        form.field("login_method").value = "M"
        await pilot.press("f10")
        await until(lambda: "saved" in form.message.text, "the user settings are saved")
        assert form.message.text == (f"User email settings ANN saved; {ANN} is not signed in yet: open ANN "
                                     "again and press F2/^N")
        # The same on SMTP Settings, for a definition's shared mailbox.
        await pilot.press("escape", "1", *"m365", "enter")
        definition = app.screen
        definition.field("username").value = OFFICE
        await pilot.press("f10")
        await until(lambda: "saved" in definition.message.text, "the definition is saved")
        assert definition.message.text == (f"SMTP definition M365 saved; {OFFICE} is not signed in yet: open M365 "
                                           "again and press F2/^N")
    assert app.users.get("ANN").record.login_method == "M"
