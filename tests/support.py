"""Helpers shared by the tests: records to start from, what the database
and keyring hold, what the screen shows, and filling a form fast."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from keyring_backends import FileKeyring

T = TypeVar("T")

#: How long a test waits for something to happen before it fails.  Only a
#: test whose event never comes waits it out, so it is generous (a machine
#: loaded ten times over still makes it); it is never a measure of speed,
#: which lives in bench/.
PATIENCE = 60.0


async def until(condition: Callable[[], object], what: str, seconds: float = PATIENCE) -> None:
    """Until `condition()` holds, looked at every 10 ms; fails saying that
    `what` never happened once `seconds` have passed."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"still waiting after {seconds:g} s for: {what}")
        await asyncio.sleep(0.01)


async def finishes(work: Awaitable[T], what: str, seconds: float = PATIENCE) -> T:
    """What `work` returns; fails saying that `what` never happened if it
    has not returned after `seconds` (it is cancelled then)."""
    try:
        return await asyncio.wait_for(work, seconds)
    except TimeoutError:
        raise AssertionError(f"still waiting after {seconds:g} s for: {what}") from None


def definition(**overrides):
    """An SMTP definition for tests: OFFICE with a shared login unless overridden."""
    from fincon_tui.domain.smtp import SmtpDefinition

    values = dict(
        name="OFFICE",
        mail_server="smtp.example.com",
        authenticate=True,
        username="bob",
        port=587,
        use_tls=True,
        timeout_seconds=30,
        bcc="",
    )
    return SmtpDefinition(**{**values, **overrides})


def user(code: str, smtp_name: str, username: str = ""):
    """User email settings for tests, sending as code@corp.example."""
    from fincon_tui.domain.users import UserEmailSettings

    return UserEmailSettings(code, smtp_name, username, code.title(), f"{code.lower()}@corp.example")


def stored_password(store, account: str) -> str | None:
    """The password the store (or the database at a path) holds for
    'smtp:NAME' or 'user:CODE', decrypted with this account's key."""
    from fincon_tui.domain.password_binding import PasswordOwner
    from fincon_tui.keystore.vault import PasswordVault
    from fincon_tui.services.sealed_passwords import Passwords

    if isinstance(store, Path):
        from fincon_tui.storage.store import open_store

        store = open_store(store)
    kind, _, key = account.partition(":")
    return Passwords(store, PasswordVault()).get(PasswordOwner(kind, key))  # type: ignore[arg-type]


def keyring_entries() -> dict[str, str]:
    """Everything the test keyring holds under service fincon-tui."""
    return {
        name.split("\x00", 1)[1]: value
        for name, value in FileKeyring()._load().items()  # noqa: SLF001 (the test backend's own file)
        if name.startswith("fincon-tui\x00")
    }


def audit_entries(store) -> list:
    """The audit entries of every record the store holds, record by record."""
    return [entry for records in (store.smtp, store.users) for stored in records.search("", 10_000)
            for entry in store.audit.history(records.kind, stored.row_id)]


def smtp_rows(db) -> list[dict]:
    """The smtp_settings table as stored."""
    return list(db["smtp_settings"].rows)


def screen_lines(app) -> list[str]:
    """The screen as the terminal shows it now, one string per row."""
    import io

    from rich.console import Console

    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, record=True,
                      color_system=None, legacy_windows=False)
    # What the compositor would send for a full repaint: Textual has no public text export.
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)  # noqa: SLF001
    console.print(update)
    lines = console.export_text(styles=False).splitlines()
    return [line.ljust(width) for line in lines[:height]]


def screen_text(app) -> str:
    """The rows joined, frames and scroll bars left out and runs of blanks
    squeezed: wrapped sentences read as one."""
    text = " ".join(screen_lines(app))
    return " ".join("".join(" " if "\u2500" <= char <= "\u259f" else char for char in text).split())


def help_body(help_screen) -> str:
    """Everything the help window says, its rows as 'term text' lines."""
    lines = []
    for part in help_screen.query("#help-body > *"):
        texts = [str(widget.content) for widget in [part, *part.query("Label, Static")] if hasattr(widget, "content")]
        lines.append(" ".join(text.strip() for text in texts if text.strip()))
    return "\n".join(lines)


async def help_lines(pilot) -> list[str]:
    """Every line of the help window in front, as shown while it is scrolled
    through a page at a time (its scroll bar left out)."""
    app = pilot.app
    body = app.screen.query_one("#help-body")
    shown: dict[int, str] = {}
    while True:
        region = body.region
        for row, line in enumerate(screen_lines(app)[region.y:region.bottom]):
            text = "".join(" " if "\u2580" <= char <= "\u259f" else char for char in line[region.x:region.right])
            shown[round(body.scroll_y) + row] = text.rstrip()
        if body.scroll_y >= body.max_scroll_y:
            return [shown[row] for row in sorted(shown)]
        await pilot.press("pagedown")


def legend(app) -> list[str]:
    """The key legend at the foot of the current screen, as shown."""
    from fincon_tui.ui.widgets.key_legend import KeyLegend

    return app.screen.query_one(KeyLegend).labels()


async def fill(pilot, screen, **values: str) -> None:
    """Put `values` into the open form's fields at once, as typed text.

    For tests of a rule: they press only the key under test.  Each workflow
    keeps one key-by-key walkthrough (typing costs about 80 ms a key)."""
    for key, value in values.items():
        screen.field(key).value = value
    await pilot.pause()


#: The key field of the forms open_form opens, by Mail Settings entry.
#: The terminal every behaviour is tested at by `make test`.
STANDARD_SIZE = (80, 24)


def sizes(*wanted: tuple[int, int]) -> list:
    """`wanted` as a test's parameters, named WxH: the standard size runs
    in `make test`, the others are a sweep, marked slow (`make test-slow`,
    which CI runs too)."""
    return [pytest.param(size, id=f"{size[0]}x{size[1]}", marks=() if size == STANDARD_SIZE else pytest.mark.slow)
            for size in wanted]


KEY_FIELDS = {1: "name", 2: "user_code"}


async def open_form(pilot, entry: int, key: str | None = None, *, by_menu_digits: bool = False):
    """Mail Settings entry `entry` (1 SMTP Settings, 2 User Email Settings, 3
    and 4 the Work with lists) opened as its menu opens it, straight over the
    main menu, once the app can act on keys; with `key`, that filled into the
    form's key field and Enter pressed (the record opens, or the create
    question comes).  test_menus, the seed walkthroughs and the tests that
    go back through the menus go through them key by key (`by_menu_digits`);
    elsewhere this saves starting the two menus in between (about 0.15 s of
    CPU a test)."""
    from fincon_tui.ui.menus import MAIL_SETTINGS

    app = pilot.app
    if by_menu_digits:
        await pilot.press("1", "1", str(entry))
    else:
        await app.typeahead.ready.wait()
        await app.push_screen(MAIL_SETTINGS.entries[entry - 1].open())
        await app.screen.wait_for_refresh()  # mounted, laid out and painted
    if key is not None:
        await fill(pilot, app.screen, **{KEY_FIELDS[entry]: key})
        await pilot.press("enter")
    return app.screen


@dataclass(frozen=True)
class Refresh:
    """One refresh a widget asked for."""

    regions: tuple
    repaint: bool
    layout: bool


def refreshes(widget) -> list[Refresh]:
    """Every refresh `widget` asks for from now on (each still happens)."""
    asked: list[Refresh] = []
    refresh = widget.refresh

    def recording(*regions, repaint: bool = True, layout: bool = False, recompose: bool = False):
        asked.append(Refresh(regions, repaint, layout))
        return refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    widget.refresh = recording
    return asked


@contextlib.contextmanager
def unwritable(folder: Path) -> Iterator[None]:
    """No file can be created in `folder` (root, who may write anything,
    meets an immutable folder); the files in it stay writable."""
    folder.chmod(0o555)
    if os.getuid() == 0 and subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode:
        folder.chmod(0o755)
        pytest.skip("root can write any folder that chattr +i cannot make immutable")
    try:
        yield
    finally:
        if os.getuid() == 0:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o755)
