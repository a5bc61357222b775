"""Fixtures and helpers of the OAuth tests (test_oauth.py, test_user_oauth.py):
the local authorization server (`idp`), an SMTP server taking its tokens
(`smtp`), their certificates (`certs`), and the CLI as a process of its own.
A plugin of conftest.py; a test module's own `certs` or `smtp` wins."""

from __future__ import annotations

import subprocess

import pytest
from oauth_server import TENANT, Client, approve_when_asked, oauth_server, xoauth2_smtp_server
from smtp_servers import make_certificates
from support import definition

ANN = "ann@contoso.example"


@pytest.fixture
def certs(tmp_path, monkeypatch):
    made = make_certificates(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(made.ca_file))
    return made


@pytest.fixture
def idp(certs, monkeypatch):
    """The authorization server, with a public client 'mailer' (device code),
    a confidential 'daemon' (client credentials) and Google's 'gclient'."""
    from fincon_tui.oauth.google import REDIRECT_URI

    with oauth_server(certs.server_context("127.0.0.1")) as store:
        store.ca = str(certs.ca_file)
        store.clients["mailer"] = Client("mailer")
        store.clients["daemon"] = Client("daemon", secret="daemon-secret")
        store.clients["gclient"] = Client("gclient", secret="g-secret", redirect_uris=(REDIRECT_URI,))
        monkeypatch.setenv("FINCON_TUI_MICROSOFT_AUTHORITY", store.base)
        monkeypatch.setenv("FINCON_TUI_GOOGLE_TOKEN_URI", f"{store.base}/token")
        monkeypatch.setenv("FINCON_TUI_GOOGLE_AUTH_URI", f"{store.base}/o/oauth2/auth")
        yield store


@pytest.fixture
def smtp(idp, certs):
    with xoauth2_smtp_server(idp, certs.server_context()) as server:
        yield server


def microsoft(port: int, **overrides):
    values = dict(name="M365", mail_server="localhost", port=port, username=ANN, timeout_seconds=10,
                  login_method="M", tenant=TENANT, client_id="mailer")
    return definition(**{**values, **overrides})


def cli(db_path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """`fincon-tui --db DB ARGS...` (`smtp ARGS...` unless ARGS name another command), in this process."""
    from cli_runner import run_cli

    args = args if args[0] in ("user", "export", "import") else ("smtp", *args)
    return run_cli(["--db", str(db_path), *args], stdin)


def device_code_sign_in(idp, find, save, user: str = ANN) -> None:
    """What Sign in does, through the same use cases, with the admin approving."""
    from fincon_tui.oauth.microsoft import DeviceCode

    found = find()
    code = DeviceCode(found.tenant, found.client_id, 10)
    approve_when_asked(idp, user)
    save(found, code.wait())
