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


@migrations()
def m002_user_email_settings(db: Database) -> None:
    user_defined = ",\n".join(
        f"user_defined_{n} TEXT CHECK (user_defined_{n} IS NULL OR length(user_defined_{n}) <= 60)"
        for n in range(1, 7)
    )
    db.execute(
        f"""
        CREATE TABLE user_email_settings (
            user_code TEXT NOT NULL PRIMARY KEY
                CHECK (length(user_code) BETWEEN 1 AND 20
                       AND user_code = upper(user_code)
                       AND user_code NOT GLOB '*[^A-Z0-9._-]*'),
            smtp_name TEXT NOT NULL COLLATE NOCASE
                REFERENCES smtp_settings(name) ON DELETE RESTRICT,
            smtp_username TEXT
                CHECK (smtp_username IS NULL OR length(smtp_username) BETWEEN 1 AND 254),
            sender_name TEXT NOT NULL CHECK (length(sender_name) BETWEEN 1 AND 60),
            sender_email TEXT NOT NULL CHECK (sender_email GLOB '?*@?*'),
            job_title TEXT CHECK (job_title IS NULL OR length(job_title) <= 60),
            telephone TEXT CHECK (telephone IS NULL OR length(telephone) <= 30),
            {user_defined},
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
        )
        """
    )
    db.execute("CREATE INDEX user_email_settings_smtp_name ON user_email_settings (smtp_name)")


@migrations()
def m003_audit_log(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            who TEXT NOT NULL,
            kind TEXT NOT NULL,
            record_key TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
            changes TEXT NOT NULL CHECK (json_valid(changes))
        )
        """
    )
    db.execute("CREATE INDEX audit_log_record ON audit_log (kind, record_key)")


@migrations()
def m004_password_journal(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE password_journal (
            token TEXT NOT NULL PRIMARY KEY,
            account TEXT,
            action TEXT NOT NULL CHECK (action IN ('set', 'clear')),
            state TEXT NOT NULL CHECK (state IN ('prepared', 'committed', 'superseded')),
            owner TEXT NOT NULL,
            created_at TEXT NOT NULL,
            CHECK (state = 'prepared' OR account IS NOT NULL)
        )
        """
    )
    db.execute("CREATE INDEX password_journal_account ON password_journal (account, state)")
