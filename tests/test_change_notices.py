"""Live notices of another admin's change (issue 24): the store's change
feed on both engines (another session's commits only, nothing for a
rollback), and the screens that tell at once, without a key pressed: an
open form on SQLite, changed by another admin's command (a real process),
a Work with list, and a form on PostgreSQL whose record another server
renames."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

import pytest
from support import PATIENCE, definition, open_form, until
from test_work_with import DEFINITIONS, lines

from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.services.smtp_settings import SmtpSettings
from fincon_tui.storage.audit import who
from fincon_tui.storage.store import open_store

pytestmark = pytest.mark.engines
SIZE = (80, 24)


def local(at: str) -> str:
    return datetime.fromisoformat(at).astimezone().strftime("%H:%M")


def polled(feed, what: str) -> list:
    """What `feed` reports once it reports anything (PostgreSQL's notices
    arrive a moment after the COMMIT)."""
    deadline = time.monotonic() + PATIENCE
    while not (found := feed.poll()):
        assert time.monotonic() < deadline, f"still waiting after {PATIENCE:g} s for: {what}"
        time.sleep(0.01)
    return found


class Boom(Exception):
    pass


def rolled_back(store, name: str) -> None:
    """A definition and its audit row written, then rolled back."""
    with pytest.raises(Boom), store.transaction():
        stored = store.smtp.insert(definition(name=name))
        store.audit.record(store.smtp.kind, stored, "create", {}, password_changed=False)
        raise Boom


def test_the_feed_reports_other_sessions_commits_only(store, db_location, vault) -> None:
    """Not this store's own changes, nor a rollback's, whoever's: on
    SQLite a rolled-back row's id goes to the next row, another's."""
    mine = SmtpSettings(store, vault)
    other = open_store(db_location)
    try:
        theirs = SmtpSettings(other, vault)
        feed = store.changes()
        rolled_back(store, "MINE")
        rolled_back(other, "ROLLED")
        theirs.save(definition(name="THEIRS"), PasswordChange.keep(), None)  # on SQLite: MINE's row id
        mine.save(definition(name="OWN"), PasswordChange.keep(), None)
        found = polled(feed, "another session's save")
        assert [(change.key, change.action, change.who) for change in found] == [("THEIRS", "create", who())]
        assert found[0].row_id == store.smtp.get("THEIRS").row_id
        assert feed.poll() == []
    finally:
        other.close()


def test_a_rolled_back_write_announces_nothing_on_postgresql(pg_url: str, vault) -> None:
    """The NOTIFY is sent inside the writing transaction: a listener hears
    the committed save's row and nothing of the one rolled back before it
    (notices arrive in commit order)."""
    import psycopg

    from fincon_tui.storage.postgres.changes import CHANNEL

    listener = psycopg.connect(pg_url, autocommit=True)
    writer = open_store(pg_url)
    try:
        listener.execute(f"LISTEN {CHANNEL}")
        service = SmtpSettings(writer, vault)
        rolled_back(writer, "ROLLED")
        service.save(definition(name="SAVED"), PasswordChange.keep(), None)
        heard = [notify.payload for notify in listener.notifies(timeout=PATIENCE, stop_after=1)]
        (audit_id,) = listener.execute("SELECT id FROM audit_log WHERE record_key = 'SAVED'").fetchone()
        assert heard == [str(audit_id)]
        assert writer.how_changes_arrive() == "LISTEN/NOTIFY"
    finally:
        writer.close()
        listener.close()


def test_a_listener_cut_off_connects_again_and_finds_what_it_missed(pg_url: str, vault) -> None:
    """The feed's connection is terminated and a save is made meanwhile: its
    notice is never heard, and the feed finds the save in the trail once
    it has connected again."""
    import psycopg

    from fincon_tui._exceptions import StorageError

    mine = open_store(pg_url)
    admin = psycopg.connect(pg_url, autocommit=True)
    try:
        feed = mine.changes()
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'fincon-tui' "
                      "AND datname = current_database()")
        other = open_store(pg_url)
        SmtpSettings(other, vault).save(definition(name="MISSED"), PasswordChange.keep(), None)
        other.close()
        deadline = time.monotonic() + PATIENCE
        found: list = []
        while not found:
            assert time.monotonic() < deadline, "the feed never found the save made while it was cut off"
            try:
                found = feed.poll()
            except StorageError as lost:
                assert "lost the connection" in str(lost) or "terminating connection" in str(lost), lost
            time.sleep(0.01)
        assert [change.key for change in found] == ["MISSED"]
    finally:
        admin.close()
        mine.close()


def test_where_listen_is_refused_the_feed_polls_the_trail(pg_url: str, vault, monkeypatch) -> None:
    """A LISTEN the server refuses (here: a channel name it cannot parse, as
    a pooler that forbids LISTEN would) makes the feed read the trail every
    second instead, and say so."""
    from fincon_tui.storage.postgres import changes

    monkeypatch.setattr(changes, "CHANNEL", "not a channel")
    mine = open_store(pg_url)
    other = open_store(pg_url)
    try:
        assert mine.how_changes_arrive().startswith("polling every 1 s (LISTEN unavailable: LISTEN refused: ")
        SmtpSettings(other, vault).save(definition(name="POLLED"), PasswordChange.keep(), None)
        assert [change.key for change in polled(mine.changes(), "the save, read by polling")] == ["POLLED"]
    finally:
        other.close()
        mine.close()


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
async def test_an_open_form_tells_of_another_admins_change_at_once(app, store, fincon) -> None:
    """Another admin's `smtp set` (a process of its own) while OFFICE is
    open with a change typed: the message line says who and when, with no
    key pressed; what was typed stays; the reload key asks, then reads it."""
    app.smtp.save(definition(name="OFFICE"), PasswordChange.keep(), None)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_form(pilot, 1, key="office")
        await pilot.press("tab", "tab", "tab", "tab", "tab", "tab", *"99")  # Time Out
        assert screen.field("timeout_seconds").value == "99"
        await app.database.run(store.changes)  # the app's feed, made when the app started
        done = await asyncio.to_thread(fincon, "smtp", "set", "OFFICE", "--port", "2525")
        assert done.returncode == 0, done.stderr
        await until(lambda: "was changed by" in screen.message.text, "the notice of the other admin's change")
        at = store.smtp.get("OFFICE").updated_at
        assert screen.message.text == f"OFFICE was changed by {who()} at {local(at)} – F5/^R reloads"
        assert screen.field("timeout_seconds").value == "99" and screen.field("port").value == "587"
        await pilot.press("f5", "y")
        await until(lambda: screen.field("port").value == "2525", "the reload reads the other admin's change")
        assert screen.message.text == "SMTP definition OFFICE reloaded as stored now"


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
async def test_a_work_with_list_refreshes_keeping_the_cursor_and_options(app, db_location, vault) -> None:
    for name in ("OFFICE", "OWN", "RELAY"):
        app.smtp.save(definition(name=name, username=""), PasswordChange.keep(), None)
    other = open_store(db_location)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press(*DEFINITIONS)
            screen = app.screen
            await pilot.press("down", "5")  # 5=Display typed on OWN, the cursor there
            await app.database.run(app.smtp.store.changes)  # the app's feed, made when the app started
            theirs = SmtpSettings(other, vault)
            relay = theirs.get("RELAY")
            await asyncio.to_thread(theirs.save, relay.record.__class__(**{**vars(relay.record), "port": 2525}),
                                    PasswordChange.keep(), relay)
            await until(lambda: "2525" in lines(screen)[2], "the list shows the other admin's change")
            assert lines(screen)[1].startswith("5 OWN")
            assert screen.focused.index == 1
            assert screen.message.text.startswith(f"RELAY was changed by {who()} at ")
            assert screen.message.text.endswith(" – list refreshed")
    finally:
        other.close()
