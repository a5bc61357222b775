"""A child process that rotates the key of a database again and again,
until the test kills it (SIGKILL) at a random moment."""

from __future__ import annotations

import sys
from pathlib import Path

from fincon_tui.keystore.vault import PasswordVault
from fincon_tui.services.data_keys import rotate
from fincon_tui.services.sealed_passwords import Passwords
from fincon_tui.storage.database import open_database

db = open_database(Path(sys.argv[1]))
passwords = Passwords(db, PasswordVault(Path(sys.argv[2])))
print("rotating", flush=True)
while True:
    rotate(passwords)
