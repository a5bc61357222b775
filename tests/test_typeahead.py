"""Keys sent in one burst, as a fast typist or a paste over SSH delivers them,
all take effect in order, across screens and the create modal."""

from __future__ import annotations

import asyncio
import threading

from support import definition, until
from textual import events

from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.services.change_notices import Notice
from fincon_tui.ui.change_watch import ChangesNoticed
from fincon_tui.ui.screens.smtp_settings import SmtpSettingsScreen

BURST = [
    "1", "1", "1", *"OFFICE", "enter",
    "y",
    *"smtp.example.com", "enter",
    "y", "enter",
    *"bob", "enter",
    *"pw", "enter",
    *"2525", "enter",
    "n", "enter",
    *"45", "enter",
    *"a@b.example",
    "f10",
]


def key_event(key: str) -> events.Key:
    return events.Key(key, key if len(key) == 1 else None)


async def send_burst(app, keys: list[str | events.Paste]) -> None:
    """Hand every key (or paste) to the app at once, the way the terminal driver does
    (its thread posts each one to the app's message queue)."""
    for key in keys:
        app.post_message(key if isinstance(key, events.Paste) else key_event(key))
    queue, received = app.typeahead, asyncio.Event()
    app.call_later(received.set)  # queued behind the keys: once it runs, each key has reached the queue
    await received.wait()
    await until(lambda: not queue.pending and (queue.task is None or queue.task.done()),
                "the app acts on every key sent")


async def test_the_whole_seed_workflow_as_one_burst(app, db) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await send_burst(app, BURST)
        await pilot.pause()
        assert isinstance(app.screen, SmtpSettingsScreen)
        assert app.screen.message.text == "SMTP definition OFFICE saved"
    [row] = list(db["smtp_settings"].rows)
    assert (row["mail_server"], row["username"], row["port"], row["use_tls"]) == (
        "smtp.example.com",
        "bob",
        2525,
        "N",
    )
    assert (row["timeout_seconds"], row["bcc"]) == (45, "a@b.example")


async def test_keys_typed_while_the_modal_opens_answer_it(app, db) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await send_burst(app, ["1", "1", "1", *"NEW", "enter", "n", *"X", "enter", "y"])
        await pilot.pause()
        # "n" declined, "X" was added to the name, Enter asked again, "y" created
        assert app.focused.id == "mail_server"
        assert app.screen.field("name").value == "NEWX"


async def test_a_paste_does_not_overtake_the_keys_typed_before_it(app, db) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await send_burst(app, ["1", "1", "1", events.Paste("OFFICE"), "enter", "y", events.Paste("smtp.example.com")])
        await pilot.pause()
        assert isinstance(app.screen, SmtpSettingsScreen)
        assert app.screen.field("name").value == "OFFICE"
        assert app.screen.field("mail_server").value == "smtp.example.com"


async def test_a_held_down_key_in_a_list_then_options_and_enter_land_in_order(app, db) -> None:
    """Down held in Work with SMTP Definitions (300 in one burst, released as
    one run), then Up, an option, Enter and F12 typed behind it: each acts
    where the one before left the cursor, the options land on their rows and
    Enter opens the rows' forms top to bottom."""
    from fincon_tui.ui.screens.work_with import WorkWithScreen

    saved_definitions(app, 16)  # more than the 14 rows a page shows at 80x24
    async with app.run_test(size=(80, 24)) as pilot:
        await send_burst(app, ["1", "1", "3", "down", "down", "5", *["down"] * 300, "up", "5", "enter"])
        await pilot.pause()
        listed = app.screen_stack[-2]
        assert isinstance(listed, WorkWithScreen)
        assert [(field.index, field.value) for field in listed.options if field.value] == [(2, "5"), (12, "5")]
        assert isinstance(app.screen, SmtpSettingsScreen) and app.screen.opening.start.mode == "display"
        assert app.screen.field("name").value == "D02"
        await send_burst(app, ["f12"])  # the next option typed: D12's
        await pilot.pause()
        assert isinstance(app.screen, SmtpSettingsScreen) and app.screen.field("name").value == "D12"


def saved_definitions(app, count: int) -> None:
    """Definitions D00, D01, ... saved before the app starts."""
    for n in range(count):
        app.smtp.save(definition(name=f"D{n:02}", username=""), PasswordChange.keep(), None)


def changed_by_another_admin(screen, key: str) -> ChangesNoticed:
    """What the change watcher posts when another admin changed `key`."""
    notice = Notice(screen.service.kind, None, key, "changed", "anna", "2026-12-07T12:00:00+00:00", key, 2)
    return ChangesNoticed([notice])


async def test_a_page_down_still_due_when_another_admins_change_is_noticed_is_not_lost(app, db) -> None:
    """Page Down's read waits behind other database work; the notice of
    another admin's change, coming meanwhile, reads that page again rather
    than the page on screen."""
    saved_definitions(app, 30)
    async with app.run_test(size=(80, 24)) as pilot:
        await send_burst(app, ["1", "1", "3"])
        await pilot.pause()
        screen = app.screen
        first_page = [row.key for row in screen.page.rows]
        held = threading.Event()
        blocker = asyncio.ensure_future(app.database.run(held.wait))  # the reads wait behind it
        app.post_message(key_event("pagedown"))
        await until(lambda: any(worker.group == "work-page" and not worker.is_finished for worker in app.workers),
                    "Page Down asks for the next page")
        screen.post_message(changed_by_another_admin(screen, "D29"))
        await until(lambda: screen.message.text.endswith("list refreshed"), "the notice is handled")
        held.set()
        await blocker
        await until(lambda: not app.database.busy, "the page is read")
        await pilot.pause()
        assert screen.page.rows[0].key == f"D{len(first_page):02}"


async def test_down_keys_typed_while_a_list_is_read_again_are_not_undone(app, db) -> None:
    """Another admin's change reads the list's page again; a run of Down
    typed while the read waits moves the cursor, and the page, once it
    comes, leaves the cursor where the keys put it."""
    saved_definitions(app, 16)
    async with app.run_test(size=(80, 24)) as pilot:
        await send_burst(app, ["1", "1", "3"])
        await pilot.pause()
        screen = app.screen
        assert screen.focused.index == 0
        held = threading.Event()
        blocker = asyncio.ensure_future(app.database.run(held.wait))  # the read waits behind it
        screen.post_message(changed_by_another_admin(screen, "D15"))
        await until(lambda: screen.message.text.endswith("list refreshed"), "the list is read again")
        for _ in range(5):
            app.post_message(key_event("down"))
        await until(lambda: screen.focused.index == 5, "the Downs move the cursor while the read waits")
        held.set()
        await blocker
        await until(lambda: not app.database.busy, "the page is read")
        await pilot.pause()
        assert screen.focused.index == 5
