"""The schema, as an ordered set of sqlite-utils migrations.

Never edit an applied migration: add a new one.  The table and column
names are a contract that other tools read (see README, "Storage").
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("fincon_tui")


@migrations()
def m001_smtp_settings(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE smtp_settings (
            name TEXT NOT NULL COLLATE NOCASE PRIMARY KEY
                CHECK (length(name) BETWEEN 1 AND 40 AND name = trim(name)),
            mail_server TEXT NOT NULL
                CHECK (length(mail_server) BETWEEN 1 AND 253
                       AND mail_server NOT GLOB '*[ 	]*'),
            authenticate TEXT NOT NULL CHECK (authenticate IN ('Y', 'N')),
            username TEXT
                CHECK (username IS NULL OR length(username) BETWEEN 1 AND 254),
            port INTEGER NOT NULL
                CHECK (typeof(port) = 'integer' AND port BETWEEN 1 AND 65535),
            use_tls TEXT NOT NULL CHECK (use_tls IN ('Y', 'N')),
            timeout_seconds INTEGER NOT NULL
                CHECK (typeof(timeout_seconds) = 'integer'
                       AND timeout_seconds BETWEEN 1 AND 300),
            bcc TEXT CHECK (bcc IS NULL OR bcc GLOB '?*@?*'),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
            CHECK (authenticate = 'Y' OR username IS NULL)
        )
        """
    )
