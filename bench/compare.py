"""Today's figures against those of another commit, in one run:
`make bench-compare REF=<commit>` (issue 26: no regression goes unseen).

Run: .venv/bin/python bench/compare.py REF [ROUNDS]
REF is checked out into a temporary git worktree with a virtual environment
of its own (pip install -e, from the package cache).  Each ratio bench
(startup, keystrokes, echo, lookup, keyrepeat) then runs ROUNDS times (3; at least 2)
for the working tree and for REF, alternately (A B A B), and the table gives
each figure's median for both, the ratio HEAD/REF of the wall clock and of
the CPU, and each side's ratio against its bare twin.

Both sides run today's bench files: each measures the app through its
public entry points (bench/ratios.py's fincon_app, the menus' keys, the
`fincon-tui` command), so that a figure differs only by the code measured,
not by how it was measured.  A bench that cannot run against REF's code
(its menus lack the screen, say) is reported as "n/a at REF", with why.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
#: The benches compared, each with the arguments that keep one run short.
BENCHES: dict[str, list[str]] = {
    "startup.py": ["3"],
    "keystrokes.py": ["3"],
    "echo.py": ["3", "30"],
    "lookup.py": ["10000", "3"],
    "keyrepeat.py": ["3"],
}
#: figure -> side -> one (fincon wall, fincon CPU, bare wall, bare CPU) a round
Figures = dict[str, dict[str, list[tuple[float, float, float, float]]]]


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()


def checkout(ref: str, tmp: Path) -> Path:
    """REF in a worktree under `tmp`, with its own venv; that venv's python."""
    commit = git("rev-parse", "--verify", f"{ref}^{{commit}}")
    tree = tmp / "ref"
    git("worktree", "add", "--detach", str(tree), commit)
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    print(f"installing {ref} ({commit[:12]}) into {venv} ...", flush=True)
    installed = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-e", f"{tree}[test]"],
                               capture_output=True, text=True)
    if installed.returncode != 0:
        raise SystemExit(f"could not install {ref}:\n{installed.stderr}")
    return python


def run(bench: str, python: Path, cwd: Path, figures_file: Path) -> str | None:
    """One run of today's `bench` by `python`; None, or why it failed."""
    figures_file.unlink(missing_ok=True)
    result = subprocess.run([str(python), str(BENCH / bench), *BENCHES[bench]], cwd=cwd, capture_output=True,
                            text=True, env={**os.environ, "BENCH_FIGURES": str(figures_file)}, timeout=900)
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        return lines[-1] if lines else f"exit status {result.returncode}"
    return None


def collect(figures_file: Path, side: str, figures: Figures, units: dict[str, str]) -> None:
    for line in figures_file.read_text(encoding="utf-8").splitlines():
        figure = json.loads(line)
        units[figure["figure"]] = figure["unit"]
        figures.setdefault(figure["figure"], {}).setdefault(side, []).append((*figure["fincon"], *figure["bare"]))


def show(figures: Figures, units: dict[str, str], failed: dict[str, str], order: list[str]) -> None:
    print(f"\n{'figure':<40} {'HEAD':>9} {'REF':>9} {'HEAD/REF':>9} {'CPU':>6} {'HEAD/bare':>9} {'REF/bare':>9}")
    for name in order:
        sides = figures[name]
        unit = units[name]
        scale = 1000 if unit == "ms" else 1
        medians = {side: [statistics.median(round_[i] for round_ in rounds) for i in range(4)]
                   for side, rounds in sides.items()}
        head = medians["HEAD"]
        label = f"{name} ({unit})"
        if "REF" not in medians:
            print(f"{label:<40} {head[0] * scale:>9.1f} {'n/a at REF':>26} {head[0] / head[2]:>9.2f}")
            continue
        ref = medians["REF"]
        cpu = f"{head[1] / ref[1]:>6.2f}" if unit == "ms" and ref[1] else f"{'':>6}"
        print(f"{label:<40} {head[0] * scale:>9.1f} {ref[0] * scale:>9.1f} {head[0] / ref[0]:>9.2f} {cpu} "
              f"{head[0] / head[2]:>9.2f} {ref[0] / ref[2]:>9.2f}")
    for bench, why in failed.items():
        print(f"{bench}: n/a at REF ({why})")


def main() -> None:
    if len(sys.argv) < 2 or not sys.argv[1]:
        raise SystemExit("usage: bench/compare.py REF [ROUNDS]   (make bench-compare REF=<commit>)")
    ref = sys.argv[1]
    rounds = max(2, int(sys.argv[2]) if len(sys.argv) > 2 else 3)
    figures: Figures = {}
    units: dict[str, str] = {}
    failed: dict[str, str] = {}
    order: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-compare-") as tmp_name:
        tmp = Path(tmp_name)
        try:
            ref_python = checkout(ref, tmp)
            sides = {"HEAD": (Path(sys.executable), ROOT), "REF": (ref_python, tmp / "ref")}
            out = tmp / "figures.jsonl"
            for n in range(rounds):
                for bench in BENCHES:
                    for side, (python, cwd) in sides.items():  # A B A B
                        if side == "REF" and bench in failed:
                            continue
                        print(f"round {n + 1}/{rounds}: {bench} at {side}", flush=True)
                        why = run(bench, python, cwd, out)
                        if why is not None:
                            if side == "HEAD":
                                raise SystemExit(f"{bench} failed on the working tree: {why}")
                            failed[bench] = why
                            continue
                        before = set(figures)
                        collect(out, side, figures, units)
                        order += [name for name in figures if name not in before]
        finally:
            if (tmp / "ref").exists():
                git("worktree", "remove", "--force", str(tmp / "ref"))
    print(f"\nHEAD (the working tree) against {ref}, median of {rounds} rounds each, alternating; "
          "wall clock, CPU as HEAD/REF beside it; each side also against its bare twin")
    show(figures, units, failed, order)


if __name__ == "__main__":
    main()
