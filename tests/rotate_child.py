"""A child process that rotates the key of a database (DB KEY_FILE):

* with no more arguments, once, then (having said so) again and again until
  the test kills it (SIGKILL) at a random moment;
* with ROUNDS, that many times once the test writes a line to its stdin
  (several children started together race each other);
* with `hold`, once, stopping for good as it writes the key file (before
  the new file replaces the old one), for the test to kill it there.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from fincon_tui.keystore.vault import PasswordVault
from fincon_tui.services.data_keys import rotate
from fincon_tui.services.sealed_passwords import Passwords
from fincon_tui.storage.store import open_store

store = open_store(sys.argv[1])  # a file's path or a PostgreSQL URL
passwords = Passwords(store, PasswordVault(Path(sys.argv[2])))
how = sys.argv[3] if len(sys.argv) > 3 else "forever"
if how == "hold":
    def hold(fd: int) -> None:
        print("writing", flush=True)
        time.sleep(3600)

    os.fsync = hold  # the first fsync of a rotation is the new key file's
    rotate(passwords)
elif how == "forever":
    rotate(passwords)  # the imports done: a loaded machine's slow start is not what is killed
    print("rotating", flush=True)
    while True:
        rotate(passwords)
else:
    print("ready", flush=True)
    sys.stdin.readline()
    for _ in range(int(how)):
        rotate(passwords)
