"""Two admins on one database file: no lost updates, nothing typed is lost."""

from __future__ import annotations

from support import definition, open_form

from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.services.change_notices import Notice
from fincon_tui.storage.store import open_store
from fincon_tui.ui.app import FinconApp
from fincon_tui.ui.change_watch import ChangesNoticed

SIZE = (80, 24)


async def test_second_accept_is_refused_and_keeps_what_was_typed(app, db_path, vault) -> None:
    app.smtp.save(definition(name="OFFICE"), PasswordChange.keep(), None)
    other = FinconApp(open_store(db_path), vault, cursor_blink=False)
    async with app.run_test(size=SIZE) as first, other.run_test(size=SIZE) as second:
        await open_form(first, 1, key="office")
        await open_form(second, 1, key="office")
        # first admin changes the port and accepts
        await first.press("tab", "tab", "tab", "tab", *"2525", "f10")
        assert app.screen.message.text == "SMTP definition OFFICE saved"
        # second admin changes the server and accepts: refused, typing kept
        await second.press(*"smtp.other.example", "f10")
        message = other.screen.message.text
        assert message.startswith("Not saved: press F5/^R to reload – SMTP definition OFFICE was changed by another "
                                  "user at ")
        assert other.screen.field("mail_server").value == "smtp.other.example"
        # the watcher's notice of that change, arriving after the refusal, leaves its fuller words
        stored = other.screen.loaded.stored
        other.screen.post_message(ChangesNoticed([Notice(
            other.screen.service.kind, stored.row_id, "OFFICE", "changed", "anna", "2026-12-07T12:00:00+00:00",
            "OFFICE", stored.version + 1)]))
        await second.pause()
        assert other.screen.message.text == message
        # F5 reloads (after confirming that the typing goes), showing the first admin's port
        await second.press("f5", "y")
        assert other.screen.field("port").value == "2525"
        assert other.screen.field("mail_server").value == "smtp.example.com"
        await second.press(*"smtp.other.example", "f10")
        assert other.screen.message.text == "SMTP definition OFFICE saved"
    row = next(app.smtp.store.db.utils["smtp_settings"].rows)
    assert (row["port"], row["mail_server"], row["version"]) == (2525, "smtp.other.example", 3)


async def test_delete_of_a_record_changed_meanwhile_is_refused(app, db_path, vault) -> None:
    app.smtp.save(definition(name="OFFICE"), PasswordChange.keep(), None)
    other = FinconApp(open_store(db_path), vault, cursor_blink=False)
    async with app.run_test(size=SIZE) as first, other.run_test(size=SIZE) as second:
        await open_form(first, 1, key="office")
        await open_form(second, 1, key="office")
        await second.press("f8", "y")
        assert other.screen.message.text == "SMTP definition OFFICE deleted"
        await first.press("tab", "tab", "tab", "tab", *"2525", "f10")
        assert app.screen.message.text == (
            "Not saved: press F5/^R to reload – SMTP definition OFFICE was deleted by another user"
        )
        await first.press("f8")  # refused before it asks
        assert app.screen.message.text.startswith(
            "Not deleted: press F5/^R to reload – SMTP definition OFFICE was deleted")


async def test_a_record_deleted_and_created_again_is_not_overwritten_by_a_stale_screen(app, db_path, vault) -> None:
    app.smtp.save(definition(name="OFFICE", mail_server="smtp.a.example"), PasswordChange.set("a-pw"), None)
    other = FinconApp(open_store(db_path), vault, cursor_blink=False)
    async with app.run_test(size=SIZE) as first, other.run_test(size=SIZE) as second:
        await open_form(first, 1, key="office")  # admin A holds version 1
        await open_form(second, 1, key="office")
        await second.press("f8", "y")  # B deletes...
        await second.press(*"OFFICE", "enter", "y", *"smtp.b.example", "tab", "tab", *"b-user", "f10")
        assert other.screen.message.text == "SMTP definition OFFICE saved"  # ...and creates it again
        await first.press("tab", "tab", "tab", "tab", *"2525", "f10")
        message = app.screen.message.text
        assert message.startswith("Not saved: press F5/^R to reload – SMTP definition OFFICE was deleted and "
                                  "created again by another user at ")
        await first.press("f8")  # refused before it asks
        assert app.screen.message.text.startswith(
            "Not deleted: press F5/^R to reload – SMTP definition OFFICE was deleted and created")
    row = next(app.smtp.store.db.utils["smtp_settings"].rows)
    assert (row["mail_server"], row["username"], row["port"], row["version"]) == ("smtp.b.example", "b-user", 587, 1)
