"""Signing in and getting tokens when something is in the way, and the Sign
in window's own text: the address and code on lines of their own, a
failure named in the app's words (what failed, with which host, and the
proxy or SSL_CERT_FILE where they can be the cause), a refused
service-account key named as such.  Against the local authorization
server (tests/oauth_server.py), a closed port, a name that cannot resolve
(.invalid), a proxy that is not there and a CA that nobody trusts; the
app through Pilot, the CLI as a process.  Fixtures: tests/oauth_fixtures.py."""

from __future__ import annotations

import json
import re

import pytest
from oauth_fixtures import ANN, cli, microsoft
from oauth_server import authorize_in_browser, delete_service_account_key, service_account_key
from smtp_servers import free_port, make_certificates
from support import legend, open_form, screen_lines, screen_text, until

from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.oauth.microsoft import AUTHORITY_ENV
from fincon_tui.ui.screens.sign_in import SignInScreen

SIZE = (80, 24)
KEEP = PasswordChange.keep()
SERVICE_ACCOUNT = "mailer@project.iam.gserviceaccount.com"
NETWORK_HINT = ("check this computer's network; if it reaches the internet only through a proxy, set HTTPS_PROXY "
                "(http://proxy:port)")


def no_proxy(monkeypatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def framed(row: str) -> str:
    """What a row shows inside the window's frame."""
    found = re.search("║ (.*) ║", row)
    return found.group(1).rstrip() if found else ""


async def open_sign_in(pilot, key: str = "m365") -> SignInScreen:
    await open_form(pilot, 1, key=key)
    await pilot.press("f2")
    dialog = pilot.app.screen
    assert isinstance(dialog, SignInScreen)
    return dialog


async def test_the_device_code_window_shows_the_address_and_the_code_each_on_a_line_of_its_own(app, idp, smtp) -> None:
    app.smtp.save(microsoft(smtp[0]), KEEP, None)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_sign_in(pilot)
        await until(lambda: dialog.device is not None and "Waiting" in str(dialog.status),
                    "the sign-in window shows a device code")
        await pilot.pause()
        lines = str(dialog.query_one("#sign-in-steps").content).split("\n")
        assert lines == ["On any device, open", "", dialog.device.url, "", "and enter the code", "",
                         dialog.device.code, "", f"then sign in as {ANN} and accept."]
        shown = [framed(row) for row in screen_lines(app)]
        assert dialog.device.url in shown and dialog.device.code in shown
        assert "\\x0a" not in screen_text(app)


async def test_the_google_window_shows_the_whole_address_apart_and_the_pasted_address_signs_in(app, idp, smtp) -> None:
    google = microsoft(smtp[0], name="GMAIL", login_method="G", tenant="", client_id="gclient")
    app.smtp.save(google, KEEP, None, {"client_secret": PasswordChange.set("g-secret")})
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_sign_in(pilot, "gmail")
        form = app.screen_stack[-2]
        await until(lambda: dialog.installed is not None and "pasted" in str(dialog.status),
                    "the sign-in window shows the address to open")
        await pilot.pause()
        url = dialog.installed.url
        assert len(url) > 200  # several rows of the window
        paragraphs = str(dialog.query_one("#sign-in-steps").content).split("\n\n")
        assert paragraphs[1] == url
        shown = [framed(row) for row in screen_lines(app)]
        first = next(number for number, row in enumerate(shown) if row.startswith("http"))
        last = shown.index("", first)
        assert shown[first - 1] == "" and "".join(shown[first:last]) == url  # nothing else on its rows
        assert "\\x0a" not in screen_text(app)
        dialog.query_one("#sign-in-paste").value = authorize_in_browser(idp, url)
        await pilot.press("enter")
        await until(lambda: app.screen is form and form.message.text.startswith("Signed in"), "the sign-in ends")


async def test_a_sign_in_that_cannot_connect_says_so_whole_and_the_form_says_it_failed(
    app, idp, smtp, monkeypatch
) -> None:
    no_proxy(monkeypatch)
    closed = free_port()
    monkeypatch.setenv(AUTHORITY_ENV, f"https://127.0.0.1:{closed}")
    app.smtp.save(microsoft(smtp[0]), KEEP, None)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_sign_in(pilot)
        form = app.screen_stack[-2]
        await until(lambda: dialog.failed, "the sign-in fails")
        await pilot.pause()
        failed = f"Sign-in failed: cannot connect to 127.0.0.1:{closed}: connection refused"
        assert str(dialog.query_one("#sign-in-status").content) == f"{failed}; {NETWORK_HINT}"
        assert f"{failed}; {NETWORK_HINT}" in screen_text(app)  # wrapped in the window, not cut at its frame
        assert legend(app) == ["F12/Esc=Close"]
        await pilot.press("escape")
        assert app.screen is form
        assert form.message.text == failed


def _unresolvable(monkeypatch, tmp_path) -> tuple[str, str]:
    monkeypatch.setenv(AUTHORITY_ENV, "https://login.invalid")
    return "cannot resolve login.invalid", NETWORK_HINT


def _proxy_not_there(monkeypatch, tmp_path) -> tuple[str, str]:
    port = free_port()
    monkeypatch.delenv(AUTHORITY_ENV)  # Microsoft's own host, through a proxy that does not answer
    monkeypatch.setenv("HTTPS_PROXY", f"http://proxyuser:proxy-secret@127.0.0.1:{port}")
    return (f"cannot connect to login.microsoftonline.com through the proxy http://127.0.0.1:{port} "
            "(connection refused)", "check the proxy in HTTPS_PROXY, or unset it if this network needs none")


def _untrusted(monkeypatch, tmp_path) -> tuple[str, str]:
    (tmp_path / "other").mkdir()
    other = make_certificates(tmp_path / "other").ca_file  # a CA that did not issue the server's certificate
    monkeypatch.setenv("SSL_CERT_FILE", str(other))
    return ("the TLS certificate of 127.0.0.1:{port} is not trusted (unable to get local issuer certificate)",
            f"SSL_CERT_FILE is {other}: it must hold the CA that issued this certificate")


@pytest.mark.parametrize("way_in", [_unresolvable, _proxy_not_there, _untrusted])
def test_sign_in_on_the_command_line_names_what_failed_in_one_line(
    store, db_path, vault, idp, smtp, monkeypatch, tmp_path, way_in
) -> None:
    from fincon_tui.services.smtp_settings import SmtpSettings

    no_proxy(monkeypatch)
    SmtpSettings(store, vault).save(microsoft(smtp[0]), KEEP, None)
    message, hint = way_in(monkeypatch, tmp_path)
    result = cli(db_path, "sign-in", "M365")
    port = idp.base.rsplit(":", 1)[1]
    assert result.returncode == 2
    assert result.stderr == f"fincon-tui: sign-in failed: {message.format(port=port)}; {hint}\n"
    assert "proxy-secret" not in result.stderr


def test_a_login_test_whose_token_endpoint_cannot_be_reached_names_the_host(
    store, db_path, vault, idp, smtp, monkeypatch
) -> None:
    from fincon_tui.services.smtp_settings import SmtpSettings

    no_proxy(monkeypatch)
    closed = free_port()
    monkeypatch.setenv(AUTHORITY_ENV, f"https://127.0.0.1:{closed}")
    SmtpSettings(store, vault).save(microsoft(smtp[0], client_id="daemon"), KEEP, None,
                                 {"client_secret": PasswordChange.set("daemon-secret")})
    report = json.loads(cli(db_path, "test", "M365", "--json").stdout)
    assert (report["step"], report["message"], report["hint"]) == (
        "token", f"no access token: cannot connect to 127.0.0.1:{closed}: connection refused", NETWORK_HINT)
    assert smtp[1].logins == []


def test_a_refused_service_account_key_is_named_with_where_to_store_a_new_one(
    db_path, idp, smtp, tmp_path
) -> None:
    key = tmp_path / "key.json"
    key.write_text(service_account_key(idp))
    assert cli(db_path, "set", "GOOGLE", "--mail-server", "localhost", "--port", str(smtp[0]), "--username", ANN,
               "--login-method", "G", "--service-account-file", str(key)).returncode == 0
    delete_service_account_key(idp)  # in Google Cloud, the admin deleted the key
    report = json.loads(cli(db_path, "test", "GOOGLE", "--json").stdout)
    assert report["step"] == "token"
    assert report["message"] == (
        f"no access token: Google refused the service account's key k1: the key was deleted or disabled, or the "
        f"key file stored is not one of {SERVICE_ACCOUNT}'s (invalid_grant: Invalid JWT Signature.)")
    new_key = ("give the new key's file as Client Secret on SMTP Settings GOOGLE (or run "
               "`fincon-tui smtp set GOOGLE --service-account-file FILE`)")
    assert report["hint"] == (f"in Google Cloud console, IAM & Admin > Service Accounts > {SERVICE_ACCOUNT} > Keys, "
                              f"add a new JSON key, then {new_key}")
    del idp.clients[SERVICE_ACCOUNT]  # the service account itself deleted
    report = json.loads(cli(db_path, "test", "GOOGLE", "--json").stdout)
    assert report["message"] == (f"no access token: Google refused the service account {SERVICE_ACCOUNT}: it was "
                                 "deleted or disabled (invalid_grant: Invalid grant: account not found)")
    assert report["hint"].endswith(f"or create a new one with domain-wide delegation and {new_key}")
    assert smtp[1].logins == []


def test_a_token_endpoint_that_answers_in_plain_text_gets_no_ca_hint(
    store, db_path, vault, idp, smtp, monkeypatch
) -> None:
    """Plain text where HTTPS was due (WRONG_VERSION_NUMBER): no certificate
    was shown, so SSL_CERT_FILE cannot help; the network hint can."""
    from fincon_tui.services.smtp_settings import SmtpSettings

    no_proxy(monkeypatch)
    monkeypatch.setenv(AUTHORITY_ENV, f"https://127.0.0.1:{smtp[0]}")  # the mail server: it greets in plain text
    SmtpSettings(store, vault).save(microsoft(smtp[0]), KEEP, None)
    result = cli(db_path, "sign-in", "M365")
    assert result.returncode == 2
    assert result.stderr.startswith(
        f"fincon-tui: sign-in failed: 127.0.0.1:{smtp[0]} answered in plain text, not TLS (OpenSSL: ")
    assert "WRONG_VERSION_NUMBER" in result.stderr and "SSL_CERT_FILE" not in result.stderr
    assert result.stderr.endswith(f"; {NETWORK_HINT}\n")
