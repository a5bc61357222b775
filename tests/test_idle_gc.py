"""Full garbage collections wait until nobody types, and the collector's
settings are given back when the app ends."""

from __future__ import annotations

import gc

from fincon_tui.ui import idle_gc
from fincon_tui.ui.idle_gc import IdleCollector


def full_collections() -> int:
    return gc.get_stats()[2]["collections"]


def test_start_puts_off_full_collections_and_stop_restores() -> None:
    before = gc.get_threshold()
    collector = IdleCollector()
    collector.start()
    try:
        assert gc.get_threshold()[2] == idle_gc.PUT_OFF and gc.get_freeze_count() > 0
    finally:
        collector.stop()
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_collects_once_typing_has_stopped(monkeypatch) -> None:
    clock = [100.0]
    monkeypatch.setattr(idle_gc.time, "monotonic", lambda: clock[0])
    collector = IdleCollector()
    collector.key_pressed()
    runs = full_collections()
    collector.collect_if_quiet(busy=False)  # a key just came
    clock[0] += idle_gc.QUIET_FOR
    collector.collect_if_quiet(busy=True)  # keys still queued
    assert full_collections() == runs
    collector.collect_if_quiet(busy=False)
    assert full_collections() == runs + 1
    collector.collect_if_quiet(busy=False)  # nothing typed since: nothing to do
    assert full_collections() == runs + 1


async def test_the_app_gives_the_settings_back_when_it_ends(app) -> None:
    before = gc.get_threshold()
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.pause()
        assert gc.get_threshold()[2] == idle_gc.PUT_OFF
    assert gc.get_threshold() == before
