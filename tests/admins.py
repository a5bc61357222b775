"""Several admins on one machine, as separate OS processes: each has a home
folder, a config folder and a keyring of their own."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

BIN = Path(sys.executable).parent / "fincon-tui"
TESTS = Path(__file__).resolve().parent


@dataclass
class Admin:
    name: str
    home: Path
    db_path: Path | str  # a file, or a PostgreSQL URL
    key_file: Path | None = None
    keyring: bool = True
    #: The host this admin's server is (FINCON_TUI_HOST); None: this machine's name.
    host: str | None = None

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FINCON_TUI_", "XDG_"))}
        env.update(
            HOME=str(self.home),
            USER=self.name,
            LOGNAME=self.name,
            PYTHONPATH=str(TESTS),
            FINCON_TEST_KEYRING=str(self.home / "keyring.json"),
            PYTHON_KEYRING_BACKEND=(
                "keyring_backends.FileKeyring" if self.keyring else "keyring.backends.fail.Keyring"
            ),
        )
        if self.key_file is not None:
            env["FINCON_TUI_KEY_FILE"] = str(self.key_file)
        if self.host is not None:
            env["FINCON_TUI_HOST"] = self.host
        return env

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(BIN), "--db", str(self.db_path), *args], capture_output=True, text=True, timeout=60,
            env=self.env(), input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL,
        )

    def python(self, code: str) -> subprocess.CompletedProcess:
        """Run `code` with `store` (the open store) and `vault` (this admin's) defined."""
        prelude = (
            "from fincon_tui.config import load_config\n"
            "from fincon_tui.keystore.vault import PasswordVault\n"
            "from fincon_tui.storage.store import open_store\n"
            f"store = open_store({str(self.db_path)!r})\n"  # a file's path or a PostgreSQL URL
            "vault = PasswordVault(load_config(None).key_file)\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", prelude + code], capture_output=True, text=True, timeout=60,
            env=self.env(), stdin=subprocess.DEVNULL,
        )
        assert done.returncode == 0, done.stderr
        return done


def admin(tmp_path: Path, name: str, db_path: Path | str, **kwargs) -> Admin:
    home = tmp_path / f"home-{name}"
    home.mkdir(exist_ok=True)
    return Admin(name, home, db_path, **kwargs)
