"""The "Work with" lists at 80x24, driven by keys: rows, paging, Position
to, options on several rows, and every option's form or dialog."""

from __future__ import annotations

import pytest
from support import definition, help_body, legend, open_form, screen_lines, screen_text, stored_password, until

from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.domain.secret_kinds import SecretKind
from fincon_tui.ui.screens.confirm import ConfirmScreen
from fincon_tui.ui.screens.entry_dialog import EntryDialog
from fincon_tui.ui.screens.help import HelpScreen
from fincon_tui.ui.screens.menu import MenuScreen
from fincon_tui.ui.screens.smtp_settings import SmtpSettingsScreen
from fincon_tui.ui.screens.user_settings import UserEmailSettingsScreen
from fincon_tui.ui.screens.work_lists import (
    WorkWithDefinitionsScreen,
    WorkWithUsersScreen,
)

SIZE = (80, 24)
DEFINITIONS = ["1", "1", "3"]
USERS = ["1", "1", "4"]


def lines(screen) -> list[str]:
    """The list's rows as shown: option, then the line."""
    shown = []
    for row in screen.query(".work-row"):
        if row.display:
            option = row.query_one("OptionInput").value
            shown.append(f"{option or '_'} {row.query_one('.line').content}".rstrip())
    return shown


def warned(screen) -> list[bool]:
    """Which shown rows are in the warning colour."""
    return [row.query_one(".line").has_class("-attention") for row in screen.query(".work-row") if row.display]


def more(screen) -> str:
    return str(screen.query_one("#work-more").content)


@pytest.fixture
def many(app):
    """40 definitions D00-D39 and nothing else."""
    for n in range(40):
        app.smtp.save(definition(name=f"D{n:02}", username=""), PasswordChange.keep(), None)
    return app


async def test_both_lists_are_menu_entries_beside_the_forms(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "1")
        labels = [entry.label for entry in app.screen.menu.entries]
        assert labels == ["SMTP Settings", "User Email Settings", "Work with SMTP Definitions",
                          "Work with User Email Settings"]
        await pilot.press("3")
        assert isinstance(app.screen, WorkWithDefinitionsScreen)
        await pilot.press("f3", "4")
        assert isinstance(app.screen, WorkWithUsersScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, MenuScreen)


def login_tested(app, kind: str, key: str, ok: bool, certificate_expires: str | None = None) -> None:
    """A login test's result for `key`, as the service records it (noon UTC on 12-05: the same day everywhere)."""
    from fincon_tui.storage.records import LoginTest

    store = app.smtp.store
    stored = (store.smtp if kind == "smtp" else store.users).get(key)
    with store.transaction() as work:
        work.login_tests.record(LoginTest(kind, stored.row_id, key, "2026-12-05T12:00:00+00:00", "anna", ok,
                                          "" if ok else "AUTH", "a test", certificate_expires))


async def test_rows_show_what_an_admin_needs_at_a_glance(people) -> None:
    from datetime import UTC, datetime, timedelta

    login_tested(people, "smtp", "OFFICE", False)
    login_tested(people, "smtp", "OWN", True, "2099-01-01")
    soon = (datetime.now(UTC) + timedelta(days=5)).date().isoformat()
    login_tested(people, "user", "ALICE", True, soon)  # passed, but the certificate ends within 14 days
    async with people.run_test(size=SIZE) as pilot:
        await pilot.press(*DEFINITIONS)
        screen = people.screen
        assert lines(screen) == [  # each column as wide as its longest value here
            "_ OFFICE    smtp.example.com:587 FAILED AUTH 12-05 STARTTLS shared       1",
            "_ OWN       smtp.example.com:587 OK 12-05          STARTTLS per user     2",
            "_ RELAY     smtp.example.com:25  —                 STARTTLS none         0",
        ]
        assert warned(screen) == [True, False, False]  # the failed test in the warning colour
        assert more(screen) == "Bottom"
        assert str(screen.query_one("#work-options").content) == (
            "2=Change  3=Copy  4=Delete  5=Display  7=Rename  8=Test login")
        await pilot.press("f3", "4")
        assert lines(people.screen) == [
            "_ ALICE OWN       alice@corp.example own: alice                  OK 12-05",
            "_ BOB   OWN       bob@corp.example   MISSING: own login          —",
            "_ CAROL OFFICE    carol@corp.example shared: shared@corp.example shared",
        ]
        assert warned(people.screen) == [True, True, False]  # the certificate's end; BOB cannot send
        assert "8=" not in str(people.screen.query_one("#work-options").content)


def spf_checked(app, key: str, fails: bool, finding: str = "") -> None:
    """An SPF verdict for definition `key`, as `check --dns` stores it (noon UTC on 12-06)."""
    from fincon_tui.storage.records import SpfVerdict

    store = app.smtp.store
    with store.transaction() as work:
        work.spf_verdicts.put(SpfVerdict("smtp", work.smtp.get(key).row_id, key, "2026-12-06T12:00:00+00:00",
                                         "corp.example", fails, finding))


async def test_a_sender_domain_that_would_fail_spf_is_marked(people) -> None:
    """The list's Last test cell gets SPF! and the row the warning colour;
    the form's line names the domain, the finding as plain text."""
    login_tested(people, "smtp", "OWN", True, "2099-01-01")
    spf_checked(people, "OWN", True, "corp.example does not authorise [b]relay[/b]")
    spf_checked(people, "OFFICE", False)  # found fine: no mark
    async with people.run_test(size=SIZE) as pilot:
        await pilot.press(*DEFINITIONS)
        screen = people.screen
        assert lines(screen) == [
            "_ OFFICE    smtp.example.com:587 —             STARTTLS shared       1",
            "_ OWN       smtp.example.com:587 OK 12-05 SPF! STARTTLS per user     2",
            "_ RELAY     smtp.example.com:25  —             STARTTLS none         0",
        ]
        assert warned(screen) == [False, True, False]
        await pilot.press("down", "5", "enter")
        form = people.screen
        assert isinstance(form, SmtpSettingsScreen) and form.field("name").value == "OWN"
        last_test = form.query_one("#last-test")
        await until(lambda: last_test.display, "the last test and the SPF verdict under the login fields")
        shown = str(last_test.content)
        assert shown.startswith("Last test: OK 2026-12-05 ") and shown.endswith(
            " by anna · certificate expires 2099-01-01 · SPF: corp.example does not authorise [b]relay[/b] (12-06)")
        assert last_test.has_class("-warning")


async def test_paging_at_80x24_with_more_and_bottom(many) -> None:
    async with many.run_test(size=SIZE) as pilot:
        await pilot.press(*DEFINITIONS)
        screen = many.screen
        assert len(lines(screen)) == 14 and lines(screen)[0].startswith("_ D00 ")
        assert more(screen) == "More..."
        await pilot.press("pageup")
        assert screen.message.text == "Top of the list"
        await pilot.press("down", "down", "pagedown")
        assert lines(screen)[0].startswith("_ D14 ") and more(screen) == "More..."
        assert screen.focused.index == 2  # the cursor stays on its row
        await pilot.press("pagedown")
        assert [line[:6] for line in lines(screen)] == [f"_ D{n} " for n in range(28, 40)]
        assert more(screen) == "Bottom"
        await pilot.press("pagedown")
        assert screen.message.text == "Bottom of the list"
        await pilot.press("pageup")
        assert lines(screen)[0].startswith("_ D14 ")
        await pilot.press("pageup")
        assert lines(screen)[0].startswith("_ D00 ")


async def test_position_to_starts_the_list_at_a_key(many) -> None:
    async with many.run_test(size=SIZE) as pilot:
        await pilot.press(*DEFINITIONS, "up", *"d2", "enter")
        screen = many.screen
        assert lines(screen)[0].startswith("_ D20 ") and screen.query_one("#position").value == ""
        assert screen.focused.index == 0
        await pilot.press("pageup")
        assert lines(screen)[0].startswith("_ D06 ")  # the page before D20
        await pilot.press("up", *"zzz", "enter")
        assert lines(screen)[-1].startswith("_ D39 ") and more(screen) == "Bottom"


async def test_options_on_several_rows_run_top_to_bottom_each_in_its_form(people) -> None:
    async with people.run_test(size=SIZE) as pilot:
        await pilot.press(*DEFINITIONS)
        screen = people.screen
        # 5 on RELAY (third row), 2 on OFFICE (first row): typed bottom first
        await pilot.press("down", "down", "5", "up", "up", "2")
        assert lines(screen)[0].startswith("2 OFFICE") and lines(screen)[2].startswith("5 RELAY")
        await pilot.press("enter")
        form = people.screen
        assert isinstance(form, SmtpSettingsScreen) and form.opening.start.mode == "change"
        assert form.PATH.endswith("/ Change")
        assert form.field("name").value == "OFFICE" and not form.field("port").disabled
        await pilot.press("tab", "tab", "tab", "tab", "ctrl+u", *"2525", "f10")
        display = people.screen
        assert isinstance(display, SmtpSettingsScreen) and display.opening.start.mode == "display"
        assert display.field("name").value == "RELAY" and display.field("port").disabled
        assert [entry.split("=")[1] for entry in legend(people)] == [
            "Reload", "History", "Exit", "Cancel", "Test", "Send", "Quit"]  # no Accept, Delete, Prompt
        await pilot.press("f10", "f8", "f4")
        assert people.screen is display  # no save, no delete question, no look-up
        await pilot.press("f12")
        assert people.screen is screen
        assert screen.message.text == "SMTP definition OFFICE saved"
        assert lines(screen)[0].startswith("_ OFFICE    smtp.example.com:2525")
        assert lines(screen)[2].startswith("_ RELAY")  # processed options are cleared


async def test_options_typed_on_another_page_count_too(many) -> None:
    async with many.run_test(size=SIZE) as pilot:
        await pilot.press(*DEFINITIONS, "down", "5", "pagedown", "5", "pageup")
        assert lines(many.screen)[1].startswith("5 D01")  # kept while paging
        await pilot.press("enter")
        assert many.screen.field("name").value == "D01"
        await pilot.press("f12")
        assert many.screen.field("name").value == "D15"
        await pilot.press("f12")
        assert isinstance(many.screen, WorkWithDefinitionsScreen)


async def test_a_wrong_option_is_refused_and_nothing_runs(people) -> None:
    async with people.run_test(size=SIZE) as pilot:
        await pilot.press(*DEFINITIONS, "2", "down", "6", "enter")
        screen = people.screen
        assert screen.message.text.startswith("Option 6 on OWN is not valid here: 2=Change, 3=Copy")
        assert screen.focused.index == 1 and isinstance(people.screen, WorkWithDefinitionsScreen)
        await pilot.press("x")
        assert screen.message.text == "Option: type an option: 2, 3, 4, 5, 7, 8"
        await pilot.press(*USERS[2:])  # "4" types the option, it opens nothing
        assert isinstance(people.screen, WorkWithDefinitionsScreen)


async def test_exit_from_a_form_stops_the_remaining_options(people) -> None:
    async with people.run_test(size=SIZE) as pilot:
        await pilot.press(*DEFINITIONS, "5", "down", "5", "down", "5", "enter", "f3")
        screen = people.screen
        assert isinstance(screen, WorkWithDefinitionsScreen)
        assert screen.message.text == "Stopped: 2 more options still typed"
        assert [line[0] for line in lines(screen)] == ["_", "5", "5"]


async def test_delete_refuses_a_definition_in_use_before_asking(people) -> None:
    """Issue 22: 4 on OWN (2 linked users, no password) asked first whether
    to delete it and its stored password, and refused only after Yes; F8 in
    the form refused at once.  Both ask the service's one rule now."""
    async with people.run_test(size=SIZE) as pilot:
        await pilot.press(*DEFINITIONS, "down", "4", "down", "4", "enter")
        assert isinstance(people.screen, ConfirmScreen)  # RELAY's: OWN was refused without a question
        assert str(people.screen.query_one("#question").content) == "Delete SMTP definition RELAY?"
        await pilot.press("y")
        screen = people.screen
        assert screen.message.text.startswith("Not deleted: SMTP definition OWN is used by 2 users (ALICE, BOB)")
        assert [line.split()[1] for line in lines(screen)] == ["OFFICE", "OWN"]


@pytest.mark.parametrize("where", ["list", "form"])
async def test_the_delete_question_names_each_secret_that_goes(app, where: str) -> None:
    """The list's 4 said a password goes whether or not there was one; the
    form named only a password.  Both name what is stored now."""
    oauth = definition(name="M365", username="ann@contoso.example", login_method="M",
                       tenant="contoso.onmicrosoft.com", client_id="daemon")
    app.smtp.save(oauth, PasswordChange.keep(), None, {"client_secret": PasswordChange.set("daemon-secret")})
    app.smtp.passwords.put(app.smtp.binding(oauth), SecretKind.REFRESH_TOKEN, "ann-refresh")
    async with app.run_test(size=SIZE) as pilot:
        if where == "list":
            await pilot.press(*DEFINITIONS, "4", "enter")
        else:
            await open_form(pilot, 1, key="M365")
            await pilot.press("f8")
        assert str(app.screen.query_one("#question").content) == (
            "Delete SMTP definition M365? Its client secret and sign-in are removed too.")
        await pilot.press("y")
    assert app.smtp.get("M365") is None and app.smtp.passwords.expiries(app.smtp.owner("M365")) == {}


async def test_copy_with_the_password_rebinds_it_to_the_copy(people, store, db) -> None:
    async with people.run_test(size=SIZE) as pilot:
        await pilot.press(*DEFINITIONS, "3", "enter")
        dialog = people.screen
        assert isinstance(dialog, EntryDialog) and dialog.dialog_title == "Copy SMTP definition OFFICE"
        await pilot.press(*"own", "enter", "y", "enter")
        assert str(dialog.query_one("#entry-error").content) == "SMTP definition OWN already exists"
        await pilot.press(*"branch", "enter", "enter")
        form = people.screen
        assert isinstance(form, SmtpSettingsScreen) and form.opening.start.mode == "copy"
        assert form.field("name").value == "branch" and form.field("name").disabled
        assert form.field("username").value == "shared@corp.example"
        assert form.password_field.value == form.password_field.MASK
        assert form.message.text == ("Copy of OFFICE as branch: change the details, then Accept; "
                                     "the stored password is copied too")
        await pilot.press("ctrl+u", *"smtp.branch.example", "f10")
        assert people.screen.message.text == "SMTP definition branch saved with its password"
    assert stored_password(store, "smtp:branch") == "shared"
    assert stored_password(store, "smtp:OFFICE") == "shared"
    sealed = db.execute("SELECT bound_login, bound_server FROM secrets WHERE owner_key = 'branch'").fetchone()
    assert sealed == ("shared@corp.example", "smtp.branch.example")
    [entry] = people.smtp.history("branch")
    assert entry.describe().startswith("copy of OFFICE; name: (none) -> branch")


async def test_copy_without_the_password_copies_none(people, store) -> None:
    async with people.run_test(size=SIZE) as pilot:
        await pilot.press(*USERS, "3", "enter", *"dave", "enter", "n", "enter")
        form = people.screen
        assert isinstance(form, UserEmailSettingsScreen) and form.field("user_code").value == "DAVE"
        assert form.field("smtp_username").value == "alice" and form.password_field.value == ""
        await pilot.press("tab", "ctrl+u", *"dave", "f10")
        assert people.screen.message.text == (  # a login without its password cannot send
            "User email settings DAVE saved; this user cannot send yet: User DAVE's own login dave has no password: "
            "enter it on User Email Settings DAVE, or run `fincon-tui user set DAVE --password-stdin`")
    assert stored_password(store, "user:DAVE") is None and stored_password(store, "user:ALICE") == "alice-pw"
    assert people.users.get("DAVE").record.smtp_username == "dave"


async def test_rename_carries_password_users_and_history(people, store, db) -> None:
    async with people.run_test(size=SIZE) as pilot:
        await pilot.press(*DEFINITIONS, "7", "enter")
        dialog = people.screen
        assert isinstance(dialog, EntryDialog) and dialog.query_one("#key").value == "OFFICE"
        await pilot.press(*"relay", "enter")
        assert str(dialog.query_one("#entry-error").content) == "SMTP definition RELAY already exists"
        await pilot.press(*"MAIN", "enter")
        screen = people.screen
        assert screen.message.text == (
            "SMTP definition OFFICE renamed to MAIN; its password and 1 linked user go with it")
        assert [line.split()[1] for line in lines(screen)] == ["MAIN", "OWN", "RELAY"]
    assert stored_password(store, "smtp:MAIN") == "shared"
    assert db.execute("SELECT count(*) FROM secrets WHERE owner_key = 'OFFICE'").fetchone() == (0,)
    assert people.users.get("CAROL").record.smtp_name == "MAIN"
    history = people.smtp.history("MAIN")
    assert [(e.verb, e.describe()) for e in history[:1]] == [("rename", "name: OFFICE -> MAIN")]
    assert [e.action for e in history] == ["update", "create"] and people.smtp.history("OFFICE") == []
    assert people.users.history("CAROL")[0].describe() == "smtp_name: OFFICE -> MAIN"


async def test_rename_under_a_stale_screen_is_refused(people, store) -> None:
    async with people.run_test(size=SIZE) as pilot:
        await pilot.press(*DEFINITIONS)
        # another admin changes OFFICE after the list was read
        stored = people.smtp.get("OFFICE")
        people.smtp.save(definition(name="OFFICE", username="shared@corp.example", port=2525),
                         PasswordChange.keep(), stored)
        await pilot.press("7", "enter", *"MAIN", "enter")
        screen = people.screen
        assert isinstance(screen, WorkWithDefinitionsScreen)
        assert screen.message.text.startswith(
            "Not renamed: press F5/^R to refresh the list – SMTP definition OFFICE was changed by another user at ")
        assert lines(screen)[0].startswith("_ OFFICE    smtp.example.com:2525")  # read again
        await pilot.press("7", "enter", *"MAIN", "enter")  # now it is the version shown
        assert screen.message.text.startswith("SMTP definition OFFICE renamed to MAIN")
    assert people.smtp.get("OFFICE") is None and stored_password(store, "smtp:MAIN") == "shared"


async def test_a_form_saving_over_a_record_renamed_meanwhile_names_the_new_key(people) -> None:
    from fincon_tui.services.key_changes import rename

    async with people.run_test(size=SIZE) as pilot:
        await open_form(pilot, 1, key="office")
        rename(people.smtp, "OFFICE", people.smtp.get("OFFICE"), "MAIN")
        await pilot.press(*"smtp.other.example", "f10")
        assert people.screen.message.text == "Not saved: SMTP definition OFFICE was renamed to MAIN by another user"


async def test_rename_a_user_with_their_password(people, store) -> None:
    async with people.run_test(size=SIZE) as pilot:
        await pilot.press(*USERS, "7", "enter", "ctrl+u", *"alice.smith", "enter")
        assert people.screen.message.text == (
            "User email settings ALICE renamed to ALICE.SMITH; its password goes with it")
    assert stored_password(store, "user:ALICE.SMITH") == "alice-pw" and people.users.get("ALICE") is None


@pytest.mark.parametrize(("menu", "row", "note"), [
    (DEFINITIONS, 0, "Its password, 1 linked user and its history go with it."),  # OFFICE
    (DEFINITIONS, 1, "2 linked users and its history go with it."),  # OWN
    (DEFINITIONS, 2, "Its history goes with it."),  # RELAY: no password, no users
    (USERS, 0, "Its password and its history go with it."),  # ALICE
    (USERS, 1, "Its history goes with it."),  # BOB: no password stored
], ids=["OFFICE", "OWN", "RELAY", "ALICE", "BOB"])
async def test_the_rename_window_says_what_is_stored(people, menu, row: int, note: str) -> None:
    """From what is stored (RecordService.stored_secrets, linked users), as the CLI's rename says it."""
    async with people.run_test(size=SIZE) as pilot:
        await pilot.press(*menu, *["down"] * row, "7", "enter")
        dialog = people.screen
        assert isinstance(dialog, EntryDialog)
        assert dialog.note == note and str(dialog.query_one("#entry-note").content) == note


async def test_test_login_from_the_list_asks_for_a_user(people, tmp_path, monkeypatch) -> None:
    """8=Test login on OWN, whose users bring their own login, against a
    server that only accepts alice's."""
    from smtp_servers import make_certificates, smtp_server

    from fincon_tui.ui.screens.smtp_session import SmtpSessionScreen

    certs = make_certificates(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(certs.ca_file))
    with smtp_server(starttls=certs.server_context()) as (port, mailbox):
        mailbox.accounts = {"alice": "alice-pw"}
        own = people.smtp.get("OWN")
        people.smtp.save(definition(name="OWN", username="", mail_server="localhost", port=port, timeout_seconds=5),
                         PasswordChange.keep(), own)
        async with people.run_test(size=SIZE) as pilot:
            await pilot.press(*DEFINITIONS, "down", "8", "enter")
            assert isinstance(people.screen, EntryDialog)
            assert people.screen_stack[-2].PATH == "Work with SMTP Definitions / Test login"
            await pilot.press("enter")  # no user: OWN has no shared login
            screen = people.screen
            assert isinstance(screen, WorkWithDefinitionsScreen)
            assert screen.message.text == (
                "Cannot test: No user was given and no SMTP login, and SMTP definition OWN has no shared one")
            assert screen.focused.index == 1  # the cursor is back on OWN
            await pilot.press("8", "enter", *"alice", "enter")
            session = people.screen
            assert isinstance(session, SmtpSessionScreen)
            await until(lambda: session.outcome is not None, "the login test as ALICE ends")
            assert session.outcome.ok, session.outcome
            await pilot.press("escape")
            assert people.screen is screen
            assert screen.message.text.startswith("connection and login OK")
    assert mailbox.logins == [("alice", "alice-pw")]


async def test_create_opens_the_empty_form(people) -> None:
    async with people.run_test(size=SIZE) as pilot:
        await pilot.press(*DEFINITIONS, "f11")
        assert type(people.screen) is SmtpSettingsScreen and people.screen.opening.start is None
        await pilot.press(*"NEW", "enter", "y", *"mail.example.com", "f10", "f3")
        assert [line.split()[1] for line in lines(people.screen)] == ["NEW", "OFFICE", "OWN", "RELAY"]
        await pilot.press("ctrl+n")
        assert type(people.screen) is SmtpSettingsScreen and people.screen.opening.start is None


async def test_help_lists_the_options_and_keys(people) -> None:
    async with people.run_test(size=SIZE) as pilot:
        await pilot.press(*DEFINITIONS, "f1")
        assert isinstance(people.screen, HelpScreen)
        body = help_body(people.screen)
        for text in ("8=Test login", "Position to", "F5/^R", "Refresh", "F11/^N", "Create", "PgDn",
                     "Next page"):
            assert text in body, text


async def test_data_is_never_markup(app) -> None:
    app.smtp.save(definition(name="[b]x[/b] [@click=app.quit]q", username=""), PasswordChange.keep(), None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*DEFINITIONS)
        assert lines(app.screen)[0].startswith("_ [b]x[/b] [@click=app.qu… ")  # 24 cells at most
        assert app.is_running


async def test_a_server_cut_to_fit_keeps_its_port(app) -> None:
    """At 60x20 a long mail server is cut before its ':port', which stays in
    sight (it was 'very-long-relay-hostname.mai…', the port lost)."""
    app.smtp.save(definition(name="RELAY", mail_server="very-long-relay-hostname.mail.example.org", port=2525),
                  PasswordChange.keep(), None)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.press(*DEFINITIONS)
        row = lines(app.screen)[0]
        assert "…:2525" in row and row.split()[2].startswith("very-long-relay-host"), row


async def test_a_taller_terminal_shows_more_rows(many) -> None:
    async with many.run_test(size=SIZE) as pilot:
        await pilot.press(*DEFINITIONS, "pagedown")
        assert len(lines(many.screen)) == 14 and lines(many.screen)[0].startswith("_ D14 ")
        await pilot.resize_terminal(80, 30)
        await pilot.pause()
        await pilot.press("f5")
        assert len(lines(many.screen)) == 20 and lines(many.screen)[0].startswith("_ D14 ")


async def test_position_to_ignores_case_on_the_users_list(people) -> None:
    async with people.run_test(size=SIZE) as pilot:
        await pilot.press(*USERS, "up", *"ca", "enter")
        assert [line.split()[1] for line in lines(people.screen)] == ["CAROL"]
        assert more(people.screen) == "Bottom"


async def test_options_follow_the_list_order_of_user_codes(people) -> None:
    """User codes are ordered as stored: 'A_B' after 'AAB' ('_' sorts after
    capitals), and the options run in the order the rows show."""
    from support import user

    people.users.save(user("A_B", "OWN"), PasswordChange.keep(), None)
    people.users.save(user("AAB", "OWN"), PasswordChange.keep(), None)
    async with people.run_test(size=SIZE) as pilot:
        await pilot.press(*USERS)
        assert [line.split()[1] for line in lines(people.screen)][:3] == ["AAB", "ALICE", "A_B"]
        await pilot.press("down", "down", "5", "up", "up", "5", "enter")
        assert people.screen.field("user_code").value == "AAB"
        await pilot.press("f12")
        assert people.screen.field("user_code").value == "A_B"


async def test_every_option_of_the_users_list_leads_to_its_form(people) -> None:
    async with people.run_test(size=SIZE) as pilot:
        await pilot.press(*USERS, "2", "down", "5", "down", "4", "enter")
        change = people.screen
        assert isinstance(change, UserEmailSettingsScreen) and change.opening.start.mode == "change"
        assert change.field("user_code").value == "ALICE" and not change.field("sender_name").disabled
        await pilot.press("f12")
        display = people.screen
        assert isinstance(display, UserEmailSettingsScreen) and display.opening.start.mode == "display"
        assert display.field("user_code").value == "BOB" and display.field("sender_name").disabled
        await pilot.press("f12")
        assert isinstance(people.screen, ConfirmScreen)
        assert "Delete User email settings CAROL?" in str(people.screen.query_one("#question").content)
        await pilot.press("y")
        assert people.screen.message.text == "User email settings CAROL deleted"
        assert [line.split()[1] for line in lines(people.screen)] == ["ALICE", "BOB"]


async def test_copy_of_an_oauth_definition_offers_its_client_secret(app, db) -> None:
    oauth = definition(name="M365", username="ann@contoso.example", login_method="M",
                       tenant="contoso.onmicrosoft.com", client_id="daemon")
    app.smtp.save(oauth, PasswordChange.keep(), None, {"client_secret": PasswordChange.set("daemon-secret")})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*DEFINITIONS, "3", "enter")
        dialog = app.screen
        assert [str(row.query_one(".label").content).split(" .")[0] for row in dialog.query(".field-row")] == [
            "New SMTP Name", "Copy the secret"]
        await pilot.press(*"BRANCH", "enter", "y", "enter")
        form = app.screen
        assert form.query_one("#client_secret").value == form.password_field.MASK
        assert form.password_field.value == ""
        assert form.message.text.endswith("; the stored secret is copied too")
        await pilot.press("f10")
        assert app.screen.message.text == "SMTP definition BRANCH saved with its client secret"
    assert app.smtp.passwords.get(app.smtp.owner("BRANCH"), SecretKind.CLIENT_SECRET) == "daemon-secret"


def painted_options(app) -> dict[str, str]:
    """The option each row shows on the screen as painted, by key ('' when blank)."""
    painted = screen_lines(app)
    heading = next(n for n, text in enumerate(painted) if text.startswith(" Opt "))
    shown = {}
    for text in painted[heading + 1:]:
        if not text[5:25].strip():  # the foot: More... or Bottom, right-aligned
            break
        shown[text[5:].split()[0]] = text[1:4].strip()
    return shown


async def test_a_typed_option_is_painted_at_once_every_time(people) -> None:
    """Issue 22: typed again after a form, after Position to, or after an
    erased one, an option showed only the cursor (the digit scrolled out of
    the 1-cell field), yet Enter ran it."""
    async with people.run_test(size=SIZE) as pilot:
        screen = await open_form(pilot, 3)
        await pilot.press("5")
        assert painted_options(people)["OFFICE"] == "5"
        await pilot.press("enter", "f12", "5")  # OFFICE in Display, back, 5 again
        assert people.screen is screen and painted_options(people)["OFFICE"] == "5"
        await pilot.press("backspace", "up", *"ow", "enter", "5")  # Position to OWN
        assert painted_options(people)["OWN"] == "5"
        await pilot.press("backspace", "down", "4", "backspace", "5")
        assert painted_options(people) == {"OWN": "", "RELAY": "5"}
        await pilot.press("enter")
        assert isinstance(people.screen, SmtpSettingsScreen) and people.screen.opening.start.mode == "display"
        assert people.screen.field("name").value == "RELAY"  # what Enter runs is what showed


def test_a_typed_option_is_painted_on_a_real_terminal(db_path) -> None:
    """Issue 22 on a pty, as the terminal shows it: 5 typed again after a
    form, and 4, Backspace, 5; Enter then opens the row that shows the 5."""
    from test_terminal_e2e import BACKSPACE, Terminal

    from fincon_tui.keystore.vault import PasswordVault
    from fincon_tui.services.smtp_settings import SmtpSettings
    from fincon_tui.storage.store import open_store

    service = SmtpSettings(open_store(db_path), PasswordVault())
    for name in ("ALPHA", "BETA"):
        service.save(definition(name=name, username=""), PasswordChange.keep(), None)
    terminal = Terminal(["--db", str(db_path)], "xterm-256color")
    try:
        terminal.wait_for("Main Menu")
        terminal.send("113")
        terminal.wait_for("Bottom")
        terminal.send("5\r")
        terminal.wait_for("Work with SMTP Definitions / Display")
        terminal.send("\x1b[24~" "5")  # F12, 5 on ALPHA again
        terminal.wait_for("  5  ALPHA ")
        terminal.send(BACKSPACE + "4" + BACKSPACE + "5")
        terminal.wait_for("4  ALPHA ", gone=True)
        terminal.wait_for("  5  ALPHA ")
        terminal.send("\r")
        terminal.wait_for("Work with SMTP Definitions / Display")
        terminal.wait_for("ALPHA")
        assert terminal.close() == 0
    finally:
        terminal.child.terminate(force=True)


async def test_every_outcome_of_several_options_can_be_read(people) -> None:
    """Issue 22: the outcomes were joined on the 2-line message line and cut
    ('… renamed to'), and F1 listed none.  As in a form with several errors,
    the line shows the first (the worst first) and counts them; F1 lists
    every one above the help, as a 5250 message subfile."""
    async with people.run_test(size=SIZE) as pilot:
        await pilot.press(*DEFINITIONS, "3", "down", "4", "down", "7", "enter")
        await pilot.press(*"branch", "enter", "enter", "f10")  # 3: copy OFFICE as branch, Accept
        await pilot.press("ctrl+u", *"MAIN-RELAY-FOR-THE-HEAD-OFFICE", "enter")  # 7 (4 refused at once)
        screen = people.screen
        assert isinstance(screen, WorkWithDefinitionsScreen)
        refused = ("Not deleted: SMTP definition OWN is used by 2 users (ALICE, BOB): "
                   "link them to another definition first")
        assert screen.message.text == f"{refused} (1 of 3: F1/^G lists all)"
        assert f"{refused} (1 of 3: F1/^G lists all)" in screen_text(people)  # not cut
        await pilot.press("f1")
        assert help_body(people.screen).startswith("\n".join([
            "Messages",
            f"Delete OWN  . . . . {refused}",
            "Copy OFFICE . . . . SMTP definition branch saved",
            "Rename RELAY  . . . SMTP definition RELAY renamed to MAIN-RELAY-FOR-THE-HEAD-OFFICE",
        ]))
        await pilot.press("f1", "f5", "f1")
        assert not help_body(people.screen).startswith("Messages")  # the messages went with the line
