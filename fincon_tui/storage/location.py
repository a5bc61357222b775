"""Where the database is: a SQLite file's path or a PostgreSQL URL, and
how it is shown to people.  `--db` and $FINCON_TUI_DB go through `locate`,
and whatever shows the location shows `Location.shown` (str() of it).

A URL takes no password: one on a command line is in the shell's history
and in `ps` for every local account, and one in the environment is in
every child process.  libpq has its own places for it (~/.pgpass,
$PGPASSWORD, a service file), which need nothing of fincon-tui.  This
module loads no driver: the app's first paint does not wait for one.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote

from fincon_tui._exceptions import StorageError

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
#: How a libpq connection URI starts (libpq itself takes exactly these).
SCHEMES = ("postgresql://", "postgres://")
#: Query parameters of a libpq URI that hold a secret.
SECRET_PARAMETERS = frozenset({"password", "sslpassword"})
#: Where the refusal of a password sends the admin.
PASSWORD_PLACES = ("~/.pgpass, $PGPASSWORD or a service file (~/.pg_service.conf, "
                   "postgresql:///?service=NAME)")


class Location(NamedTuple):
    """A database's location; str() is `shown`."""

    engine: str
    #: What people are shown: the path, or the URL without any password.
    shown: str
    #: SQLite's file (None for PostgreSQL).
    path: Path | None = None
    #: PostgreSQL's URL as libpq takes it (None for SQLite); it holds no password.
    url: str | None = None

    def __str__(self) -> str:
        return self.shown


def is_url(given: str) -> bool:
    return given[: len("postgresql://")].lower().startswith(SCHEMES)


def locate(given: str | os.PathLike[str]) -> Location:
    """The location `given` names (a path: SQLite, '~' expanded); StorageError
    for a URL that holds a password, naming libpq's places for one."""
    text = os.fspath(given)
    if not is_url(text):
        path = Path(text).expanduser()
        return Location(SQLITE, str(path), path=path)
    scheme, _, rest = text.partition("://")
    url = f"{scheme.lower()}://{rest}"
    shown, has_password = _without_password(url)
    if has_password:
        raise StorageError(
            f"the database URL {shown} was given with a password: fincon-tui takes none in a URL "
            f"(a command line and the environment are seen by others); put it in {PASSWORD_PLACES}"
        )
    return Location(POSTGRESQL, shown, url=url)


def shown(given: str | os.PathLike[str]) -> str:
    """`given` as people may see it: a URL without any password (never raises)."""
    text = os.fspath(given)
    return _without_password(text)[0] if is_url(text) else str(Path(text).expanduser())


def _without_password(url: str) -> tuple[str, bool]:
    """The URL with the password of its user part and any secret query
    parameter left out, and whether there was one (an empty one is none,
    as libpq reads it)."""
    scheme, _, rest = url.partition("://")
    end = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    authority, tail = rest[:end], rest[end:]
    found = False
    if "@" in authority:
        user_part, _, hosts = authority.rpartition("@")
        user, colon, password = user_part.partition(":")
        found = bool(colon and unquote(password))
        authority = f"{user}@{hosts}" if user else hosts
    path, question, query = tail.partition("?")
    if question:
        kept = []
        for pair in query.split("&"):
            name, _, value = pair.partition("=")
            if unquote(name).strip().lower() in SECRET_PARAMETERS:
                found = found or bool(unquote(value))
            else:
                kept.append(pair)
        tail = path + ("?" + "&".join(kept) if kept else "")
    return f"{scheme}://{authority}{tail}", found
