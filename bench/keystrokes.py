"""Keystroke cost through the SMTP form: time to handle each key (headless),
and bytes written to the terminal for the whole seed workflow (real pty).

Run: .venv/bin/python bench/keystrokes.py
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

SEED = [
    "1", "1", "1", *"OFFICE", "enter", "y", *"smtp.office365.com", "enter", "y", "enter",
    *"accounts@corp.example", "enter", *"secret", "enter", *"587", "enter", "y", "enter",
    *"45", "enter", *"audit@corp.example", "f10",
]
PTY_KEYS = {"enter": "\r", "f10": "\x1b[21~"}


async def key_times(db_path: Path) -> list[float]:
    import keyring
    from keyring.backends import null
    from textual import events

    from fincon_tui.keystore.vault import PasswordVault
    from fincon_tui.storage.store import open_store
    from fincon_tui.ui.app import FinconApp

    keyring.set_keyring(null.Keyring())  # never the real keyring; no password stored
    app = FinconApp(open_store(db_path), PasswordVault(), cursor_blink=False)
    times: list[float] = []
    queue = app.typeahead
    held: dict[int, float] = {}
    hold, settle = queue.hold, queue._settle  # noqa: SLF001 (timed from outside)

    def timed_hold(event: events.Key | events.Paste) -> None:
        held[id(event)] = time.perf_counter()
        hold(event)

    async def timed_settle() -> None:
        await settle()
        times.append(time.perf_counter() - held.pop(next(iter(held))))

    queue.hold, queue._settle = timed_hold, timed_settle  # type: ignore[method-assign]  # noqa: SLF001
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for key in SEED:
            if key == "f10":
                break  # saving (a keyring write) is not a keystroke cost
            app.post_message(events.Key(key, key if len(key) == 1 else None))  # as the terminal does
            while held:
                await asyncio.sleep(0.001)
            await pilot.pause()
    return times


def pty_bytes(db_path: Path, gap: float) -> tuple[int, int]:
    """Bytes fincon-tui writes for its first full screen, and then from the
    painted main menu to 'saved'."""
    import pexpect

    env = {**os.environ, "TERM": "xterm-256color", "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    program = str(Path(sys.executable).parent / "fincon-tui")
    child: pexpect.spawn[bytes] = pexpect.spawn(program, ["--db", str(db_path)], env=env, dimensions=(24, 80))
    child.expect("Main Menu", timeout=20)
    first_paint = len(child.before or b"") + len(b"Main Menu")
    try:
        first_paint += len(child.read_nonblocking(1 << 20, timeout=0.5))
    except pexpect.TIMEOUT:
        pass
    total = 0
    for key in SEED:
        child.send(PTY_KEYS.get(key, key) if len(key) > 1 else key)
        if gap:
            time.sleep(gap)
    deadline = time.monotonic() + 20
    seen = b""
    while b"saved" not in seen and time.monotonic() < deadline:
        try:
            data = child.read_nonblocking(1 << 20, timeout=0.2)
        except pexpect.TIMEOUT:
            continue
        total += len(data)
        seen = seen[-200:] + data
    child.terminate(force=True)
    return first_paint, total


def percentile(sample: list[float], pct: int) -> float:
    ordered = sorted(sample)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_DATA_HOME"] = tmp
        times = asyncio.run(key_times(Path(tmp) / "keys.db"))
        first_paint, burst = pty_bytes(Path(tmp) / "burst.db", 0)
        _, typed = pty_bytes(Path(tmp) / "typed.db", 0.05)
    # Keys typed into the open form, after the menus and the create modal.
    opened = SEED.index("y") + 1
    samples = (
        ("all keys", times),
        (f"the {len(times) - opened} keys typed in the open form", times[opened:]),
    )
    print(f"{len(times)} keystrokes: menus, create modal and the SMTP form (headless)")
    print(f"{'measure':<56} {'value':>10} {'target':>8}")
    for label, sample in samples:
        print(f"{label + ': median ms':<56} {statistics.median(sample) * 1000:>10.1f}")
        print(f"{label + ': 99th percentile ms':<56} {percentile(sample, 99) * 1000:>10.1f} {'< 16':>8}")
    slowest = sorted(zip(times, SEED, strict=False), reverse=True)[:3]
    print(f"{'slowest keys (screen changes) ms':<56} {', '.join(f'{k!r} {t * 1000:.0f}' for t, k in slowest)}")
    print(f"{'bytes for the first full screen (main menu)':<56} {first_paint:>10}")
    print(f"{'bytes to the pty, seed as one burst':<56} {burst:>10}")
    print(f"{'bytes to the pty, typed 50 ms apart':<56} {typed:>10}")
    print(f"{'  per keystroke':<56} {typed / len(SEED):>10.0f}")


if __name__ == "__main__":
    main()
