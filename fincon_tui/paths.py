"""Where fincon-tui keeps its files and finds its styles."""

from __future__ import annotations

import os
from pathlib import Path, PurePath

from fincon_tui.folders import private_folder

APP_NAME = "fincon-tui"
DB_ENV = "FINCON_TUI_DB"
_PACKAGE = Path(__file__).resolve().parent


def database_path(cli_value: str | None) -> Path | str:
    """--db, else $FINCON_TUI_DB, else fincon.db in the user data dir (made
    0700): a file's Path, or a PostgreSQL URL as given (storage/location.py)."""
    given = cli_value or os.environ.get(DB_ENV)
    if given:
        from fincon_tui.storage.location import is_url

        return given if is_url(given) else Path(given).expanduser()
    from platformdirs import user_data_path

    return private_folder(user_data_path(APP_NAME, appauthor=False)) / "fincon.db"


def styles_dir() -> Path:
    """The folder of *.tcss files: inside the installed package (wheel),
    else styles/ at the top of the source tree (editable install)."""
    packaged = _PACKAGE / "styles"
    return packaged if packaged.is_dir() else _PACKAGE.parent / "styles"


def stylesheets() -> list[str | PurePath]:
    return sorted(styles_dir().glob("*.tcss"))
