"""The bare twins of bench/baseline.py, driven by the keys and the idle wait
the benches time them with (bench/ratios.py), so that neither rots: each
screen opens on its key and shows what its figure's twin needs.  No time is
asserted (speed is bench/'s)."""

from __future__ import annotations

import sys
from pathlib import Path

from textual.widgets import Button, Input, Label, OptionList

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from baseline import FIELDS, LIST_ROWS, REPEAT_ROWS, BareApp, InputsScreen, ListScreen, QuestionModal, RepeatScreen
from ratios import settle, timed_key, timed_keys


async def test_each_bare_twin_opens_on_its_key_and_takes_what_is_typed() -> None:
    app = BareApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await timed_key(pilot, "f5")
        assert isinstance(app.screen, InputsScreen)
        assert len(app.screen.query(Input)) == FIELDS
        assert f"Field {FIELDS:02d}" in {str(label.render()).split(" .")[0] for label in app.screen.query(Label)}
        await timed_keys(pilot, list("ab"))
        assert app.screen.query_one("#field-1", Input).value == "ab"
        await timed_key(pilot, "escape")

        await timed_key(pilot, "f6")
        assert isinstance(app.screen, QuestionModal)
        assert len(app.screen.query(Button)) == 2
        await timed_key(pilot, "escape")

        await timed_key(pilot, "f4")
        assert isinstance(app.screen, ListScreen)
        assert app.screen.query_one(OptionList).option_count == LIST_ROWS
        await timed_key(pilot, "7")
        assert app.screen.query_one("#filter", Input).value == "7"
        await timed_key(pilot, "escape")

        await timed_key(pilot, "f7")
        assert isinstance(app.screen, RepeatScreen)
        rows = app.screen.query_one(OptionList)
        assert rows.option_count == REPEAT_ROWS
        await timed_keys(pilot, ["down"] * 3 + ["5"])
        assert rows.highlighted == 3
        assert str(app.screen.query_one("#typed", Label).render()) == "5"
