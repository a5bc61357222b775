"""The shape of the screens (issue 23): shallow classes that hold their
collaborators, and nothing of a screen handed to the database thread."""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
from functools import partial

import pytest
from textual.app import App
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

import fincon_tui.ui
from fincon_tui.ui.db_thread import DatabaseThread, refuse_widgets

#: The most fincon classes a screen class may have above it before Textual's.
MOST_ABOVE = 3


def screen_classes() -> list[type[Screen]]:
    """Every Screen and ModalScreen subclass that fincon_tui.ui defines."""
    for module in pkgutil.walk_packages(fincon_tui.ui.__path__, "fincon_tui.ui."):
        importlib.import_module(module.name)
    found: list[type[Screen]] = []
    todo: list[type] = [Screen, ModalScreen]
    while todo:
        for cls in todo.pop().__subclasses__():
            todo.append(cls)
            if cls.__module__.startswith("fincon_tui.") and cls not in found:
                found.append(cls)
    return found


def fincon_above(cls: type) -> list[str]:
    return [c.__qualname__ for c in cls.__mro__[1:] if c.__module__.startswith("fincon_tui.")]


def test_no_screen_has_more_than_three_fincon_classes_above_it() -> None:
    classes = screen_classes()
    names = {cls.__name__ for cls in classes}
    assert {"SmtpSettingsScreen", "UserEmailSettingsScreen", "WorkWithUsersScreen", "ConfirmScreen",
            "MenuScreen"} <= names  # the walk finds the screens and the windows
    deep = {cls.__qualname__: fincon_above(cls) for cls in classes if len(fincon_above(cls)) > MOST_ABOVE}
    assert deep == {}


class Plain:
    def method(self, value: int) -> int:
        return value + 1


def test_the_database_thread_refuses_what_belongs_to_a_widget() -> None:
    screen, widget, plain = Screen(), Static(), Plain()
    for call, args in [
        (screen.has_class, ("x",)),  # a screen's bound method
        (widget.has_class, ("x",)),  # a widget's
        (partial(screen.has_class, "x"), ()),  # wrapped in a partial
        (lambda: screen.has_class("x"), ()),  # a closure over the screen
        (partial(plain.method), (widget,)),  # a widget as an argument
        (len, (widget,)),
        (partial(len, widget), ()),
    ]:
        with pytest.raises(TypeError, match="plain functions on plain data"):
            refuse_widgets(call, *args)
    values = {"name": "X"}
    refuse_widgets(plain.method, 1)
    refuse_widgets(partial(plain.method, 1))
    refuse_widgets(lambda: plain.method(len(values)))
    refuse_widgets(dict.copy, values)


async def test_run_refuses_a_screen_method_before_it_reaches_the_thread() -> None:
    ran: list[str] = []

    class Probe(Screen):
        def work(self) -> None:
            ran.append("thread")

    database = DatabaseThread()
    try:
        async with App().run_test() as pilot:
            probe = Probe()
            await pilot.app.push_screen(probe)
            with pytest.raises(TypeError):
                await database.run(probe.work)
            assert await database.run(partial(ran.append, "plain")) is None
            await asyncio.sleep(0)
    finally:
        database.close()
    assert ran == ["plain"]
