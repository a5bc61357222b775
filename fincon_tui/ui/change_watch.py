"""Live notices of other admins' changes: the app asks the store's change
feed (Store.changes(), storage/store.py) in its database thread, as often
as the feed wants, and posts what it finds to every screen on the stack as
a ChangesNoticed message; a form tells whether its record is concerned, a
Work with list reads its page again."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from textual.app import App

    from fincon_tui.services.change_notices import Notice
    from fincon_tui.storage.store import Store
    from fincon_tui.ui.db_thread import DatabaseThread


class ChangesNoticed(Message, bubble=False):
    """Other sessions changed these records (services/change_notices.py)."""

    def __init__(self, notices: list[Notice]) -> None:
        super().__init__()
        self.notices = notices


def interval(store: Store) -> float:
    """Seconds between two looks (made in the database thread: the feed may connect)."""
    return store.changes().interval


async def watch_changes(app: App[Any], database: DatabaseThread, store: Store) -> None:
    """Forever (a worker of the app, cancelled when it closes): look, then
    tell every screen.  A look that fails (the connection lost) is tried
    again at the next; the admin's own next action reports the loss."""
    from fincon_tui._exceptions import StorageError
    from fincon_tui.services.change_notices import noticed

    every = None
    while True:
        try:
            if every is None:
                every = await database.run(interval, store)
            notices = await database.run(noticed, store)
        except StorageError:
            notices = []
        if notices:
            for screen in app.screen_stack:
                screen.post_message(ChangesNoticed(notices))
        await asyncio.sleep(every or 1.0)
