"""Every folder fincon-tui makes for itself is 0700, its missing parents
too, whatever the umask (issue 21: ~/.local/state/fincon-tui was 0755)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest


def modes(top: Path, leaf: Path) -> dict[str, str]:
    """The mode of each folder from below `top` down to `leaf`."""
    found = {}
    for folder in [leaf, *leaf.parents]:
        if folder == top:
            return found
        found[str(folder.relative_to(top))] = oct(stat.S_IMODE(folder.stat().st_mode))
    raise AssertionError(f"{leaf} is not under {top}")


@pytest.fixture
def umask_022():
    """The usual umask, under which mkdir's parents come out 0755."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def test_the_default_databases_folder(tmp_path: Path, umask_022) -> None:
    from fincon_tui.paths import database_path

    home = tmp_path / "home"
    assert database_path(None) == home / "data" / "fincon-tui" / "fincon.db"  # as every command and the app ask
    assert modes(home, home / "data" / "fincon-tui") == {"data/fincon-tui": "0o700", "data": "0o700"}


def test_the_log_folder(tmp_path: Path, umask_022) -> None:
    from platformdirs import user_log_path

    from fincon_tui.mail.transcript import Transcript

    saved = Transcript().save(user_log_path("fincon-tui", appauthor=False), "OFFICE")
    assert modes(tmp_path / "home", saved.parent) == {
        folder: "0o700" for folder in (".local", ".local/state", ".local/state/fincon-tui",
                                       ".local/state/fincon-tui/log")}


def test_the_config_folder(tmp_path: Path, umask_022) -> None:
    from fincon_tui.config import default_config_path, remember_key_file

    assert remember_key_file(default_config_path(), tmp_path / "fincon.key")
    assert modes(tmp_path / "home", default_config_path().parent) == {"config/fincon-tui": "0o700", "config": "0o700"}


def test_a_key_files_folder(tmp_path: Path, umask_022) -> None:
    from fincon_tui.keystore import keyfile
    from fincon_tui.keystore.cipher import new_key

    path = tmp_path / "keys" / "fincon" / "db.key"
    keyfile.update(path, lambda keys: [new_key()])
    assert modes(tmp_path, path.parent) == {"keys": "0o700", "keys/fincon": "0o700"}


def test_folders_that_exist_keep_their_mode(tmp_path: Path, umask_022) -> None:
    from fincon_tui.folders import private_folder

    shared = tmp_path / "shared"
    shared.mkdir(mode=0o2770)
    shared.chmod(0o2770)
    private_folder(shared / "a" / "b")
    assert modes(tmp_path, shared / "a" / "b") == {"shared/a/b": "0o700", "shared/a": "0o700", "shared": "0o2770"}
