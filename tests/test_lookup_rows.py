"""The F4 look-up lists lay their rows out as text: at 80x24, 120x40 and
60x20 every row shows every value of its record, whole (a value too wide
for the window wraps in its column, the others stay in theirs), only the
data is escaped (a stored ESC shows as \\x1b; the app's own line breaks are
never shown as \\x0a), and a name has the room it needs when the window has it."""

from __future__ import annotations

import pytest
from support import definition, open_form, screen_lines, sizes, user

from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.domain.providers import PROVIDERS
from fincon_tui.domain.visible import visible
from fincon_tui.ui.screens.lookup import LookupScreen

KEEP = PasswordChange.keep()
LONG = "RELAY03-RENAMED-WITH-LONG-NAME"  # 30 characters
ESCAPED = "E\x1b]0;PWNED\x07X"
SIZES = [(80, 24), (120, 40), (60, 20)]
DEFINITIONS = [(ESCAPED, "smtp.example", "587", "Y"), (LONG, "r3.example.com", "587", "Y")]


@pytest.fixture
def listed(db_path):
    """ESCAPED stored before the rules (smtp.example, 587, TLS), LONG, and ALICE on LONG."""
    from test_untrusted_text import write_hostile_rows

    from fincon_tui.keystore.vault import PasswordVault
    from fincon_tui.storage.store import open_store
    from fincon_tui.ui.app import FinconApp

    write_hostile_rows(db_path, "", names=(ESCAPED,))
    db = open_store(db_path)
    app = FinconApp(db, PasswordVault(), cursor_blink=False)
    app.smtp.save(definition(name=LONG, mail_server="r3.example.com"), KEEP, None)
    app.users.save(user("ALICE", LONG), KEEP, None)
    yield app
    db.close()


def columns(window: LookupScreen) -> list[tuple[str, ...]]:
    """Each row's values, read back from its lines at the heading's column
    starts (a value wrapped over several lines joined again), without spaces."""
    heading = str(window.query_one("#lookup-heading").content)
    starts = [heading.index(column.title) for column in window.columns]
    read = []
    for _, lines in window.query_one("#lookup-list").rows:
        cells = []
        for number, start in enumerate(starts):
            end = starts[number + 1] if number + 1 < len(starts) else None
            cells.append("".join(line[start:end] for line in lines).replace("\xa0", "").replace(" ", ""))
        read.append(tuple(cells))
    return read


async def look_up(pilot, entry: int, field: str | None = None) -> LookupScreen:
    form = await open_form(pilot, entry)
    if field is not None:  # a detail field: open a record first
        await pilot.press(*("ALICE" if entry == 2 else LONG), "enter")
        form.field(field).focus()
    await pilot.press("f4")
    window = pilot.app.screen
    assert isinstance(window, LookupScreen)
    return window


def shown_whole(app, window: LookupScreen, expected: list[tuple[str, ...]]) -> None:
    text = "\n".join(screen_lines(app))
    assert "\\x0a" not in text, text
    assert sorted(columns(window)) == sorted(tuple(visible(value).replace(" ", "") for value in row)
                                             for row in expected), text


@pytest.mark.parametrize("size", sizes(*SIZES))
async def test_the_definitions_list_shows_every_value_whole(listed, size) -> None:
    async with listed.run_test(size=size) as pilot:
        window = await look_up(pilot, 1)
        shown_whole(listed, window, DEFINITIONS)
        if size[0] >= 80:  # the window has the room: the long name on one line, not wrapped
            assert any(f"║ {LONG} " in line for line in screen_lines(listed))


@pytest.mark.parametrize("size", sizes(*SIZES))
async def test_the_users_and_their_definitions_lists_show_every_value_whole(listed, size) -> None:
    async with listed.run_test(size=size) as pilot:
        window = await look_up(pilot, 2)
        shown_whole(listed, window, [("ALICE", "Alice", LONG)])
        await pilot.press("escape")
        window = await look_up(pilot, 2, "smtp_name")
        shown_whole(listed, window, DEFINITIONS)


@pytest.mark.parametrize("size", sizes(*SIZES))
async def test_the_providers_list_shows_every_value_whole(listed, size) -> None:
    async with listed.run_test(size=size) as pilot:
        window = await look_up(pilot, 1, "mail_server")
        shown_whole(listed, window, [(p.name, p.host, str(p.port), "Y" if p.use_tls else "N") for p in PROVIDERS])
