"""OAuth 2.0 logins (XOAUTH2) end to end, against the local stand-ins for
Microsoft's and Google's endpoints (tests/oauth_server.py) and an SMTP
server that takes only their tokens: msal and google-auth are pointed at
them through their documented settings, never patched.  Fixtures `certs`,
`idp` and `smtp`: tests/oauth_fixtures.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import definition
from oauth_fixtures import ANN, cli, device_code_sign_in, microsoft
from oauth_server import (
    TENANT,
    approve_when_asked,
    authorize_in_browser,
    service_account_key,
    xoauth2_smtp_server,
)
from support import open_form, until

from fincon_tui.domain.password_binding import PasswordChange, smtp_owner
from fincon_tui.domain.secret_kinds import SecretKind
from fincon_tui.services.mail_checks import CannotTest, MailChecks
from fincon_tui.services.sign_ins import definition_sign_in, save_sign_in
from fincon_tui.services.smtp_settings import SmtpSettings
from fincon_tui.services.user_settings import UserSettings
from fincon_tui.ui.screens.sign_in import SignInScreen
from fincon_tui.ui.screens.smtp_session import SmtpSessionScreen

SIZE = (80, 24)


def sign_in(store, vault, idp, name: str = "M365", user: str = ANN) -> None:
    """What F2 does, through the same use cases, with the admin approving."""
    service = SmtpSettings(store, vault)
    device_code_sign_in(idp, lambda: definition_sign_in(service, name),
                        lambda found, tokens: save_sign_in(service, found, tokens), user)


def refresh_token(store, vault, name: str = "M365") -> str | None:
    return SmtpSettings(store, vault).passwords.get(smtp_owner(name), SecretKind.REFRESH_TOKEN)


async def test_device_code_sign_in_in_the_tui_then_the_login_test(app, store, vault, idp, smtp) -> None:
    port, mailbox = smtp
    app.smtp.save(microsoft(port), PasswordChange.keep(), None)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="m365")
        form = app.screen
        await pilot.press("f2")
        dialog = app.screen
        assert isinstance(dialog, SignInScreen)
        await until(lambda: dialog.device is not None, "the device code, once the service has answered")
        steps = str(dialog.query_one("#sign-in-steps").content)
        assert f"{idp.base}/devicelogin" in steps and dialog.device.code in steps
        assert "Waiting for the sign-in" in str(dialog.query_one("#sign-in-status").content)
        approve_when_asked(idp, ANN)  # the admin, on their phone
        await until(lambda: app.screen is form and form.message.text.startswith(f"Signed in as {ANN}"),
                    "the sign-in ends once approved")
        await pilot.press("f6", "enter")  # no user code: the definition's own login
        session = app.screen
        assert isinstance(session, SmtpSessionScreen)
        await until(lambda: session.outcome is not None, "the login test ends")
        assert session.outcome.ok, session.outcome
        log = "\n".join(session.shown)
        assert "C: AUTH XOAUTH2 ***" in log and "access token received" in log
    assert mailbox.logins == [(ANN, "XOAUTH2")] and mailbox.tls_at_auth == [True]
    assert refresh_token(store, vault) in idp.live_refresh_tokens()
    history = app.smtp.history("M365")
    assert history[0].changes == {"refresh_token": f"signed in as {ANN}"}


async def test_escape_abandons_the_device_code_wait(app, idp, smtp) -> None:
    app.smtp.save(microsoft(smtp[0]), PasswordChange.keep(), None)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="m365")
        form = app.screen
        await pilot.press("f2")
        await until(lambda: app.screen.device is not None, "the device code, once the service has answered")
        await pilot.press("escape")  # nobody approves: the service would keep the window waiting
        await until(lambda: app.screen is form, "Esc closes the sign-in window while the service still waits")
        assert form.message.text == "Not signed in: cancelled"
        assert app.smtp.passwords.has(smtp_owner("M365"), SecretKind.REFRESH_TOKEN) is False


@pytest.mark.engines  # a token rotated by another process, stored in its place
def test_a_rotated_refresh_token_is_saved_and_used_after_a_restart(store, db_location, vault, idp, smtp) -> None:
    port, mailbox = smtp
    SmtpSettings(store, vault).save(microsoft(port), PasswordChange.keep(), None)
    sign_in(store, vault, idp)
    first = refresh_token(store, vault)
    one = cli(db_location, "test", "M365")  # a process of its own: it refreshes, the server rotates
    assert one.returncode == 0, one.stderr
    second = refresh_token(store, vault)
    assert second != first and first not in idp.live_refresh_tokens()
    two = cli(db_location, "test", "M365", "--json")  # a later run: works only with the rotated one
    assert two.returncode == 0, two.stderr
    assert refresh_token(store, vault) not in (first, second)
    assert mailbox.logins == [(ANN, "XOAUTH2")] * 2
    assert idp.grant_counts["refresh_token"] == 2
    assert first not in (one.stdout + one.stderr + two.stdout + two.stderr)


def test_app_only_with_client_credentials(store, db_path, vault, idp, smtp) -> None:
    port, mailbox = smtp
    settings = SmtpSettings(store, vault)
    settings.save(microsoft(port, client_id="daemon"), PasswordChange.keep(), None,
                  {"client_secret": PasswordChange.set("daemon-secret")})
    result = cli(db_path, "test", "M365")
    assert result.returncode == 0, result.stderr
    assert "logged in with OAuth 2.0 as ann@contoso.example" in result.stdout
    assert idp.grant_counts == {"client_credentials": 1}
    assert mailbox.logins == [(ANN, "XOAUTH2")]
    assert "daemon-secret" not in result.stderr
    assert [sealed.name for sealed in store.secrets.all_sealed()] == ["client_secret"]
    assert b"daemon-secret" not in Path(db_path).read_bytes()


def test_a_revoked_refresh_token_is_named_with_its_hint(store, db_path, vault, idp, smtp) -> None:
    SmtpSettings(store, vault).save(microsoft(smtp[0]), PasswordChange.keep(), None)
    sign_in(store, vault, idp)
    idp.revoke_refresh_tokens(ANN)
    result = cli(db_path, "test", "M365", "--json")
    report = json.loads(result.stdout)
    assert result.returncode == 1 and report["step"] == "token"
    assert "revoked" in report["message"] and "AADSTS50173" in report["message"]
    assert report["hint"] == (f"sign {ANN} in again (Sign in on SMTP Settings M365, or run "
                              "`fincon-tui smtp sign-in M365`)")
    assert smtp[1].logins == []  # nothing was sent to the mail server


def test_an_expired_client_secret_is_named_with_its_hint(store, db_path, vault, idp, smtp) -> None:
    idp.clients["daemon"].secret_expired = True
    SmtpSettings(store, vault).save(microsoft(smtp[0], client_id="daemon"), PasswordChange.keep(), None,
                                 {"client_secret": PasswordChange.set("daemon-secret")})
    result = cli(db_path, "test", "M365")
    assert result.returncode == 1
    assert result.stderr.startswith("FAILED at token: no access token: the client secret has expired")
    assert "Create a new client secret in Entra" in result.stderr


def test_a_tenant_with_smtp_auth_off_is_named_with_what_to_do(store, db_path, vault, idp, smtp) -> None:
    idp.smtp_auth_disabled.add(ANN)
    SmtpSettings(store, vault).save(microsoft(smtp[0], client_id="daemon"), PasswordChange.keep(), None,
                                 {"client_secret": PasswordChange.set("daemon-secret")})
    result = cli(db_path, "test", "M365")
    assert result.returncode == 1
    assert "FAILED at AUTH: authentication rejected: 535 5.7.139" in result.stderr
    assert "SMTP AUTH turned off" in result.stderr and "SmtpClientAuthenticationDisabled" in result.stderr


def test_xoauth2_is_never_sent_without_tls(store, vault, idp, certs) -> None:
    # A server that offers AUTH XOAUTH2 but no STARTTLS: the token never goes.
    with xoauth2_smtp_server(idp, certs.server_context(), offer_starttls=False) as (port, mailbox):
        settings = SmtpSettings(store, vault)
        settings.save(microsoft(port, client_id="daemon"), PasswordChange.keep(), None,
                      {"client_secret": PasswordChange.set("daemon-secret")})
        checks = MailChecks(settings, UserSettings(store, vault))
        import asyncio

        from fincon_tui.mail.transcript import Transcript

        outcome = asyncio.run(checks.login_test(microsoft(port, client_id="daemon")).run(Transcript()))
        assert not outcome.ok and outcome.step == "STARTTLS"
        assert "AUTH" not in mailbox.commands and mailbox.logins == []
        with pytest.raises(CannotTest, match="needs Use TLS = Y"):
            checks.login_test(microsoft(port, client_id="daemon", use_tls=False))


def test_google_service_account_and_installed_app(store, db_path, vault, idp, smtp, tmp_path) -> None:
    from fincon_tui.oauth.google import InstalledApp

    port, mailbox = smtp
    key = tmp_path / "key.json"
    key.write_text(service_account_key(idp))
    google = dict(name="GOOGLE", login_method="G", tenant="", client_id="")
    assert cli(db_path, "set", "GOOGLE", "--mail-server", "localhost", "--port", str(port), "--username", ANN,
               "--login-method", "G", "--service-account-file", str(key)).returncode == 0
    result = cli(db_path, "test", "GOOGLE")
    assert result.returncode == 0, result.stderr
    assert idp.grant_counts["urn:ietf:params:oauth:grant-type:jwt-bearer"] == 1
    # The installed app: the admin signs in in their own browser and pastes the address back.
    settings = SmtpSettings(store, vault)
    settings.save(microsoft(port, **{**google, "name": "GMAIL", "client_id": "gclient"}), PasswordChange.keep(),
                  None, {"client_secret": PasswordChange.set("g-secret")})
    found = definition_sign_in(settings, "GMAIL")
    flow = InstalledApp(found.client_id, found.client_secret, 10)
    save_sign_in(settings, found, flow.finish(authorize_in_browser(idp, flow.url)))
    result = cli(db_path, "test", "GMAIL")
    assert result.returncode == 0, result.stderr
    assert mailbox.logins == [(ANN, "XOAUTH2")] * 2


def test_smtp_show_reports_expiries_and_test_warns_two_weeks_ahead(db, db_path, vault, idp, smtp) -> None:
    assert cli(db_path, "set", "M365", "--mail-server", "localhost", "--port", str(smtp[0]), "--username", ANN,
               "--login-method", "M", "--tenant", TENANT, "--client-id", "daemon", "--client-secret-stdin",
               "--client-secret-expires", "2026-01-01", stdin="daemon-secret\n").returncode == 0
    shown = json.loads(cli(db_path, "show", "M365", "--json").stdout)
    assert shown["login_method"] == "M" and shown["login_way"] == "app-only"
    assert shown["expires"] == {"client_secret": "2026-01-01T00:00:00+00:00"}
    result = cli(db_path, "test", "M365", "--json")
    report = json.loads(result.stdout)
    assert report["ok"] and result.returncode == 1  # logged in, but the secret has expired on paper
    assert report["expiring"] == ["the client secret expired on 2026-01-01"]


def test_password_logins_to_microsoft_are_flagged(store, db_path, vault) -> None:
    flag = "Microsoft turns password SMTP logins off by default at the end of December 2026 – switch Login method to M"
    SmtpSettings(store, vault).save(definition(name="OLD", mail_server="smtp.office365.com", timeout_seconds=1),
                                 PasswordChange.set("x"), None)
    SmtpSettings(store, vault).save(definition(name="NEW", mail_server="smtp.office365.com", login_method="M",
                                            tenant=TENANT, client_id="mailer"), PasswordChange.keep(), None)
    listed = cli(db_path, "list")
    assert f"! OLD: {flag}" in listed.stdout and f"! NEW: {flag}" not in listed.stdout
    assert json.loads(cli(db_path, "list", "--json").stdout)[1]["warning"] == flag
    tested = cli(db_path, "test", "OLD")  # no network here: it fails, but warns first
    assert f"fincon-tui: warning: {flag}" in tested.stderr


def test_sign_in_from_the_command_line(store, db_path, vault, idp, smtp) -> None:
    SmtpSettings(store, vault).save(microsoft(smtp[0]), PasswordChange.keep(), None)
    approve_when_asked(idp, ANN)
    result = cli(db_path, "sign-in", "M365")
    assert result.returncode == 0, result.stderr
    assert f"{idp.base}/devicelogin" in result.stderr and f"Signed in as {ANN}" in result.stdout
    assert cli(db_path, "test", "M365").returncode == 0
    refused = cli(db_path, "sign-in", "NOPE")
    assert refused.returncode == 2
