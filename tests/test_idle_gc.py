"""Full garbage collections wait until nobody types, where the runtime lets
them be put off, and the collector's settings are given back when the app ends."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest

from fincon_tui.ui import idle_gc
from fincon_tui.ui.idle_gc import IdleCollector, full_collections_can_be_put_off

#: In a fresh interpreter: the probe's answer, then the full collections the
#: runtime starts by itself while 300,000 objects are made and kept, with the
#: third threshold at 1 and at PUT_OFF.
BEHAVIOUR = """
import gc
from fincon_tui.ui.idle_gc import PUT_OFF, full_collections_can_be_put_off

def automatic_full_collections(threshold2):
    seen = []
    def watch(phase, info):
        if phase == "start" and info["generation"] == 2:
            seen.append(info)
    saved = gc.get_threshold()
    gc.callbacks.append(watch)
    gc.set_threshold(100, 1, threshold2)
    try:
        kept = [[] for _ in range(300_000)]
    finally:
        gc.set_threshold(*saved)
        gc.callbacks.remove(watch)
    del kept
    return len(seen)

print(full_collections_can_be_put_off(), automatic_full_collections(1), automatic_full_collections(PUT_OFF))
"""


def full_collections() -> int:
    return gc.get_stats()[2]["collections"]


def test_the_probe_says_what_the_collector_does() -> None:
    """Where the probe says yes, full collections happen by themselves with a
    low third threshold and never with PUT_OFF; where it says no, PUT_OFF
    would not stop them (free-threaded) or there are none to stop (3.14's
    incremental collector)."""
    result = subprocess.run([sys.executable, "-c", BEHAVIOUR], capture_output=True, text=True, check=True)
    probe, with_low, with_put_off = result.stdout.split()
    assert probe == str(int(with_low) > 0 and int(with_put_off) == 0), result.stdout


@pytest.mark.skipif(not full_collections_can_be_put_off(), reason="this runtime ignores the third threshold")
def test_start_puts_off_full_collections_and_stop_restores() -> None:
    before = gc.get_threshold()
    collector = IdleCollector()
    collector.start()
    try:
        assert collector.puts_off
        assert gc.get_threshold()[2] == idle_gc.PUT_OFF and gc.get_freeze_count() > 0
    finally:
        collector.stop()
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_where_the_setting_would_not_take_effect_the_collector_is_left_to_the_runtime(monkeypatch) -> None:
    monkeypatch.setattr(idle_gc, "full_collections_can_be_put_off", lambda: False)
    monkeypatch.setattr(idle_gc.time, "monotonic", lambda: 100.0 + idle_gc.QUIET_FOR * 2)
    before = gc.get_threshold()
    collector = IdleCollector()
    collector.last_key = 100.0
    collector.start()
    try:
        assert not collector.puts_off and gc.get_threshold() == before
        collector.pending = True
        runs = full_collections()
        collector.collect_if_quiet(busy=False)
        assert full_collections() == runs
    finally:
        collector.stop()
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


@pytest.mark.skipif(not full_collections_can_be_put_off(), reason="this runtime ignores the third threshold")
def test_collects_once_typing_has_stopped(monkeypatch) -> None:
    clock = [100.0]
    monkeypatch.setattr(idle_gc.time, "monotonic", lambda: clock[0])
    collector = IdleCollector()
    collector.start()
    try:
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
    finally:
        collector.stop()


async def test_the_app_gives_the_settings_back_when_it_ends(app) -> None:
    before = gc.get_threshold()
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.pause()
        assert app.collector.puts_off == full_collections_can_be_put_off()
        assert gc.get_threshold()[2] == (idle_gc.PUT_OFF if app.collector.puts_off else before[2])
    assert gc.get_threshold() == before
