"""The folders fincon-tui makes for itself: each one it makes is 0700.

`mkdir(mode=0o700, parents=True)` gives the mode to the last folder only:
the parents it makes get the umask's (0755 under umask 022), so a new
~/.local/state/fincon-tui let every local account look inside.  Folders
that exist are left as they are (an admin may share one with a group).
Every path that makes a folder for the app comes here: the data folder of
the default database, the log folder, the config folder, a key file's.
"""

from __future__ import annotations

import os
from pathlib import Path


def private_folder(folder: Path) -> Path:
    """`folder`, made if missing with each missing parent 0700, whatever
    the umask; OSError (PermissionError ...) if one cannot be made."""
    missing, above = [], folder
    while not above.exists() and above != above.parent:
        missing.append(above)
        above = above.parent
    for path in reversed(missing):
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            continue  # made meanwhile by another process: as that one made it
        os.chmod(path, 0o700)  # the umask may have taken bits from the mode
    return folder
