"""A copy takes every secret along when the admin says so – the password, a
client secret, a service-account key, each sealed again for the copy – and
never a refresh token: a signed-in mailbox is signed in again on the copy.
Checked by logging the copies in against the local OAuth and SMTP servers."""

from __future__ import annotations

from pathlib import Path

import pytest
from oauth_fixtures import ANN, cli, device_code_sign_in, microsoft
from oauth_server import service_account_key
from support import until, user

from fincon_tui.domain.password_binding import PasswordChange, smtp_owner, user_owner
from fincon_tui.domain.secret_kinds import SecretKind
from fincon_tui.services.key_changes import copy
from fincon_tui.services.sign_ins import definition_sign_in, save_sign_in
from fincon_tui.services.smtp_settings import SmtpSettings
from fincon_tui.ui.screens.entry_dialog import EntryDialog
from fincon_tui.ui.screens.smtp_settings import SmtpSettingsScreen
from fincon_tui.ui.screens.user_settings import UserEmailSettingsScreen

SIZE = (80, 24)
KEEP = PasswordChange.keep()
DEFINITIONS = ["1", "1", "3"]
USERS = ["1", "1", "4"]


def app_only(settings: SmtpSettings, port: int, name: str = "APP") -> None:
    settings.save(microsoft(port, name=name, client_id="daemon"), KEEP, None,
                  {"client_secret": PasswordChange.set("daemon-secret", "2027-03-01T00:00:00+00:00")})


def sealed_row(store, owner: str, name: SecretKind) -> tuple:
    sealed = store.secrets.get(smtp_owner(owner), name)
    return sealed.binding.login, sealed.binding.server, sealed.expires_at


@pytest.mark.engines
def test_copy_with_password_carries_the_client_secret_and_the_copy_logs_in(
    store, db_location, vault, idp, smtp
) -> None:
    port, mailbox = smtp
    settings = SmtpSettings(store, vault)
    app_only(settings, port)
    copied = cli(db_location, "copy", "APP", "BRANCH", "--username", "branch@contoso.example", "--with-password")
    assert copied.returncode == 0, copied.stderr
    assert copied.stdout == "SMTP definition BRANCH created: copy of APP with its client secret\n"
    assert sealed_row(store, "BRANCH", SecretKind.CLIENT_SECRET) == ("branch@contoso.example", "localhost",
                                                        "2027-03-01T00:00:00+00:00")
    assert settings.passwords.get(smtp_owner("BRANCH"), SecretKind.CLIENT_SECRET) == "daemon-secret"
    assert settings.history("BRANCH")[0].changes["client_secret"] == "copied from APP"
    assert cli(db_location, "test", "BRANCH").returncode == 0  # app-only, with the copied secret
    assert mailbox.logins == [("branch@contoso.example", "XOAUTH2")]
    again = cli(db_location, "copy", "APP", "BRANCH", "--username", "branch@contoso.example", "--with-password")
    assert (again.returncode, again.stdout) == (0, "SMTP definition BRANCH unchanged: already a copy of APP\n")
    # Without --with-password the copy has no secret: it would sign a mailbox in instead.
    assert cli(db_location, "copy", "APP", "BARE").returncode == 0
    assert not settings.passwords.has(smtp_owner("BARE"), SecretKind.CLIENT_SECRET)
    bare = cli(db_location, "test", "BARE")
    assert bare.returncode == 2 and "is not signed in yet" in bare.stderr
    if isinstance(db_location, Path):  # SQLite's file; PostgreSQL's rows are the store's sealed bytes
        assert b"daemon-secret" not in db_location.read_bytes()
    assert all(b"daemon-secret" not in sealed.sealed for sealed in store.secrets.all_sealed())


def test_a_service_account_key_is_copied_sealed_for_the_copy(store, db_path, vault, idp, smtp, tmp_path) -> None:
    port, mailbox = smtp
    key = tmp_path / "key.json"
    key.write_text(service_account_key(idp))
    assert cli(db_path, "set", "ROBOT", "--mail-server", "localhost", "--port", str(port), "--username", ANN,
               "--login-method", "G", "--service-account-file", str(key)).returncode == 0
    refused = cli(db_path, "copy", "ROBOT", "ROBOT2")  # a Google definition needs its key or client secret
    assert refused.returncode == 2 and "give a service-account key as Client Secret" in refused.stderr
    copied = cli(db_path, "copy", "ROBOT", "ROBOT2", "--with-password")
    assert copied.stdout == "SMTP definition ROBOT2 created: copy of ROBOT with its service-account key\n"
    assert cli(db_path, "test", "ROBOT2").returncode == 0
    assert mailbox.logins == [(ANN, "XOAUTH2")]
    assert b"PRIVATE KEY" not in Path(db_path).read_bytes()


def test_a_signed_in_mailbox_is_never_copied(store, db_path, vault, idp, smtp) -> None:
    settings = SmtpSettings(store, vault)
    settings.save(microsoft(smtp[0]), KEEP, None)
    device_code_sign_in(idp, lambda: definition_sign_in(settings, "M365"),
                        lambda found, tokens: save_sign_in(settings, found, tokens))
    nothing = cli(db_path, "copy", "M365", "COPY", "--with-password")
    assert nothing.returncode == 2
    assert nothing.stderr.endswith("M365 has no stored password or client secret to copy\n")
    copied = cli(db_path, "copy", "M365", "COPY")
    assert copied.stdout == ("SMTP definition COPY created: copy of M365; M365's signed-in mailbox is never "
                             "copied: sign the copy in (`fincon-tui smtp sign-in COPY`)\n")
    assert settings.passwords.expiries(smtp_owner("COPY")) == {}
    assert cli(db_path, "test", "COPY").returncode == 2
    assert cli(db_path, "test", "M365").returncode == 0  # the source's sign-in is untouched


@pytest.mark.engines
def test_a_client_secret_gone_meanwhile_writes_nothing(store, vault) -> None:
    from fincon_tui._exceptions import NothingToCopy

    settings = SmtpSettings(store, vault)
    app_only(settings, 587)
    record = microsoft(587, name="BRANCH", client_id="daemon")
    with store.transaction():
        store.secrets.remove(smtp_owner("APP"))
    with pytest.raises(NothingToCopy, match="has no stored password or client secret to copy now"):
        copy(settings, "APP", record, KEEP, True, {"client_secret": KEEP})
    assert settings.get("BRANCH") is None


async def test_list_option_3_asks_once_for_every_secret(app) -> None:
    app_only(app.smtp, 587)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*DEFINITIONS, "3", "enter")
        dialog = app.screen
        assert isinstance(dialog, EntryDialog)
        assert [entry.label for entry in dialog.entries] == ["New SMTP Name", "Copy the secret"]
        await pilot.press(*"branch", "enter", "y", "enter")
        form = app.screen
        assert isinstance(form, SmtpSettingsScreen) and form.opening.start is not None
        secret = form.query_one("#client_secret")
        assert secret.value == secret.MASK and form.password_field.value == ""
        assert form.message.text.endswith("then Accept; the stored secret is copied too")
        form.field("username").value = "branch@contoso.example"
        await pilot.press("f10")
        await until(lambda: "saved" in app.screen.message.text, "the copy is saved")
        assert app.screen.message.text == "SMTP definition branch saved with its client secret"
    assert app.smtp.passwords.get(smtp_owner("branch"), SecretKind.CLIENT_SECRET) == "daemon-secret"
    assert sealed_row(app.smtp.store, "branch", SecretKind.CLIENT_SECRET)[:2] == ("branch@contoso.example", "localhost")


async def test_list_copy_of_a_signed_in_user_says_the_copy_signs_in_again(app, store, vault) -> None:
    app.smtp.save(microsoft(587, username=""), KEEP, None)
    app.users.save(user("ANN", "M365", ANN), KEEP, None)
    with store.transaction():
        app.users.passwords.put(app.users.binding(app.users.get("ANN").record), SecretKind.REFRESH_TOKEN, "rt")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*USERS, "3", "enter")
        dialog = app.screen
        assert [entry.label for entry in dialog.entries] == ["New User"]  # nothing that a copy could take
        assert "A sign-in is never copied: sign in again on the copy." in dialog.note
        await pilot.press(*"bea", "enter")
        form = app.screen
        assert isinstance(form, UserEmailSettingsScreen) and form.opening.start is not None
        assert form.message.text.endswith("then Accept; sign the copy in afterwards")
        form.field("smtp_username").value = "bea@contoso.example"
        await pilot.press("f10")
        await until(lambda: "saved" in app.screen.message.text, "the copy is saved")
        assert app.screen.message.text == ("User email settings BEA saved; ANN's signed-in mailbox is never "
                                           "copied; bea@contoso.example is not signed in yet: open BEA again and "
                                           "press F2/^N")
    assert app.users.passwords.expiries(user_owner("BEA")) == {}
