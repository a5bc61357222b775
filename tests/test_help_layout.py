"""The help window's layout: every term whole and apart from its text at
any width, a blank line between its parts, and the password mask it names
drawn as the field draws it."""

from __future__ import annotations

import pytest
from support import fill, help_lines, open_form, screen_lines, sizes

from fincon_tui.ui.screens.help import HelpScreen
from fincon_tui.ui.widgets.inputs import PasswordInput

SIZES = [(60, 20), (80, 24), (120, 40)]


def term_lines(lines: list[str], term: str) -> list[str]:
    """The lines that start with `term` (a term starts its line)."""
    return [line for line in lines if line.startswith(term)]


@pytest.mark.parametrize("size", sizes(*SIZES))
async def test_no_term_runs_into_its_text_at_any_width(people, size: tuple[int, int]) -> None:
    """The user form's help has the longest terms (keys and field names)."""
    async with people.run_test(size=size) as pilot:
        await open_form(pilot, 2, key="alice")
        await pilot.press("f1")
        help_screen = people.screen
        assert isinstance(help_screen, HelpScreen)
        lines = await help_lines(pilot)
        rows = [*(part for part in help_screen.parts if isinstance(part, tuple)), *help_screen.keys,
                *help_screen.editing]
        assert ("Shift+Left/Shift+Right", "Select") in rows
        assert ("Job Title, Telephone Number, User Defined 1-6",
                "Optional text for the document text of emails.") in rows
        for term, _ in rows:
            shown = term_lines(lines, term)
            assert shown, f"{term!r} is not shown whole"
            # after the term: its dot leader, or nothing (the text is on the next line)
            assert all(rest[len(term):][:1] in ("", " ") for rest in shown), (term, shown)


async def test_a_blank_line_parts_the_messages_the_paragraphs_and_the_keys(people) -> None:
    async with people.run_test(size=(80, 24)) as pilot:
        screen = await open_form(pilot, 1, key="office")
        await fill(pilot, screen, authenticate="N")
        await pilot.press("f10", "f1")  # two refused fields: the help lists them as Messages
        lines = [line.strip("║ ") for line in await help_lines(pilot)]
        first = lines.index("Messages")
        paragraph = next(n for n, line in enumerate(lines) if line.startswith("An SMTP setting definition"))
        assert lines[paragraph - 1] == ""  # not straight after the last message
        assert lines[first + 1].startswith("Username") and paragraph > first + 2
        # after the field rows, the paragraph on the test keys: a blank line too
        tests = next(n for n, line in enumerate(lines) if line.startswith("F6/^T tests the connection"))
        assert lines[tests - 1] == ""
        keys = lines.index("Keys")
        assert lines[keys - 1] == ""


async def test_help_names_the_mask_a_stored_password_shows_as(people) -> None:
    async with people.run_test(size=(80, 24)) as pilot:
        await open_form(pilot, 1, key="office")
        password = next(line for line in screen_lines(people) if line.startswith(" Password "))
        shown = password.split()[-1]  # as the field draws it
        assert len(shown) == len(PasswordInput.MASK)
        await pilot.press("f1")
        help_text = " ".join(" ".join(line.strip("║ ").split()) for line in await help_lines(pilot))
        assert f"A stored one shows as {shown}: leave it to keep it" in help_text
