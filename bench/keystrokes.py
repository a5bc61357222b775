"""Keystroke cost through the SMTP form, as ratios against the bare twins of
bench/baseline.py (headless, A B A B, median of the rounds), and bytes
written to the terminal for the whole seed workflow (real pty).

Run: .venv/bin/python bench/keystrokes.py [ROUNDS]
Headless, each key is timed until the app is idle again (bench/ratios.py):
the screen changes (the first key after start-up, the menu to SMTP
Settings, Enter to the create window, y to the details) against a key that
pushes the bare 12 Inputs or the bare question, and a character typed in the
open form against one typed in a bare Input; so is a character typed into
a new user's SMTP Definition (User Email Settings, on a database of its
own), each of which asks the database for the Login used line.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from baseline import BareApp
from ratios import Figure, Sample, fincon_app, median_sample, report, run_rounds, settle, timed_key

SEED = [
    "1", "1", "1", *"OFFICE", "enter", "y", *"smtp.office365.com", "enter", "y", "enter",
    *"accounts@corp.example", "enter", *"secret", "enter", *"587", "enter", "y", "enter",
    *"45", "enter", *"audit@corp.example", "f10",
]
PTY_KEYS = {"enter": "\r", "f10": "\x1b[21~"}
#: The message line after F10 ("SMTP definition OFFICE saved"); not "saved"
#: alone, which the form's line on passwords says before ("key made with
#: the first one saved"), so that the bytes stopped at the first form.
SAVED = b"OFFICE saved"


#: The figures, each with the goal of issue 26 for its ratio.
FIGURES = (
    ("first key after start-up (menu)", 2.0),
    ("menu to SMTP Settings", 2.0),
    ("Enter to the create window", 2.0),
    ("y to the details", 2.0),
    ("a character typed in the form", None),
    ("a character typed in SMTP Definition", None),
)
TYPED = "smtp.office365.com"
#: To a new user's form (User Email Settings), whose first field is SMTP Definition.
TO_USER = ["1", "1", "2", *"ALICE", "enter", "y"]


async def fincon_keys(db_path: Path) -> dict[str, Sample]:
    app = fincon_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.typeahead.ready.wait()  # type: ignore[attr-defined]
        await settle(pilot)
        times = []
        for key in SEED:
            if key == "f10":
                break  # saving (a keyring write) is not a keystroke cost
            times.append(await timed_key(pilot, key))
    opened = SEED.index("y") + 1
    typed = [sample for key, sample in zip(SEED[opened:], times[opened:], strict=False) if len(key) == 1]
    return {
        "first key after start-up (menu)": times[0],
        "menu to SMTP Settings": times[2],
        "Enter to the create window": times[SEED.index("enter")],
        "y to the details": times[SEED.index("y")],
        "a character typed in the form": median_sample(typed),
    }


async def fincon_definition_keys(db_path: Path) -> dict[str, Sample]:
    app = fincon_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.typeahead.ready.wait()  # type: ignore[attr-defined]
        await settle(pilot)
        for key in TO_USER:
            await timed_key(pilot, key)
        typed = [await timed_key(pilot, key) for key in "OFFICE"]
        field = app.focused
        if field is None or field.id != "smtp_name" or getattr(field, "value", None) != "OFFICE":
            raise SystemExit(f"OFFICE did not go into a new user's SMTP Definition (focused: {field!r})")
    return {"a character typed in SMTP Definition": median_sample(typed)}


async def bare_keys() -> dict[str, Sample]:
    app = BareApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        first = await timed_key(pilot, "f5")
        typed = [await timed_key(pilot, key) for key in TYPED]
        await timed_key(pilot, "escape")
        second = await timed_key(pilot, "f5")
        await timed_key(pilot, "escape")
        question = await timed_key(pilot, "f6")
        await timed_key(pilot, "escape")
        third = await timed_key(pilot, "f5")
    return {
        "first key after start-up (menu)": first,
        "menu to SMTP Settings": second,
        "Enter to the create window": question,
        "y to the details": third,
        "a character typed in the form": median_sample(typed),
        "a character typed in SMTP Definition": median_sample(typed),
    }


def headless(tmp: Path, rounds: int) -> list[Figure]:
    figures = {name: Figure(name, goal) for name, goal in FIGURES}
    count = iter(range(rounds))

    def fincon() -> dict[str, Sample]:
        n = next(count)
        seed = asyncio.run(fincon_keys(tmp / f"keys{n}.db"))
        return {**seed, **asyncio.run(fincon_definition_keys(tmp / f"user{n}.db"))}

    run_rounds(rounds, fincon, lambda: asyncio.run(bare_keys()), figures)
    return list(figures.values())


def pty_bytes(db_path: Path, gap: float) -> tuple[int, int]:
    """Bytes fincon-tui writes for its first full screen, and then from the
    painted main menu to the save's message (SAVED)."""
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
    while SAVED not in seen and time.monotonic() < deadline:
        try:
            data = child.read_nonblocking(1 << 20, timeout=0.2)
        except pexpect.TIMEOUT:
            continue
        total += len(data)
        seen = seen[-200:] + data
    child.terminate(force=True)
    return first_paint, total


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_DATA_HOME"] = tmp
        figures = headless(Path(tmp), rounds)
        first_paint, burst = pty_bytes(Path(tmp) / "burst.db", 0)
        _, typed = pty_bytes(Path(tmp) / "typed.db", 0.05)
    report(f"Keys through the seed workflow, headless, median of {rounds} rounds A B A B", figures)
    print(f"{'bytes for the first full screen (main menu)':<56} {first_paint:>10}")
    print(f"{'bytes to the pty, seed as one burst':<56} {burst:>10}")
    print(f"{'bytes to the pty, typed 50 ms apart':<56} {typed:>10}")
    print(f"{'  per keystroke':<56} {typed / len(SEED):>10.0f}")


if __name__ == "__main__":
    main()
