"""The schema, as an ordered set of sqlite-utils migrations.

Never edit an applied migration: add a new one.  The table and column
names are a contract that other tools read (docs/storage.md).  Most steps
are SQLite's own, and postgres/schema.py has one of the same name for each;
a step that adds declared fields' columns is written once, engine-neutral
(`declared_columns`), and each engine renders it from the declarations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from sqlite_utils import Database

    from fincon_tui.storage.connection import Connection

Step = Callable[["Database"], None]


class Steps:
    """The schema's steps in order, which sqlite-utils' Migrations (set
    `fincon_tui`) applies.  Which are applied is read from its table with
    sqlite3 alone: a start on a database that is up to date loads no
    sqlite-utils (issue 26)."""

    set_name = "fincon_tui"
    table = "_sqlite_migrations"

    def __init__(self) -> None:
        self._steps: list[tuple[str, Step]] = []

    def __call__(self, *, name: str | None = None) -> Callable[[Step], Step]:
        """Register the decorated function as the next step (named as it, or `name`)."""
        def register(step: Step) -> Step:
            self._steps.append((name or step.__name__, step))
            return step

        return register

    @property
    def names(self) -> list[str]:
        """Every step's name, in order."""
        return [name for name, _ in self._steps]

    def applied(self, db: Connection | Database) -> list[str]:
        """The names of the steps applied, in the order they were, as
        sqlite-utils' Migrations.applied reads them."""
        if not db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [self.table]).fetchone():
            return []
        return [row[0] for row in db.execute(f"SELECT name FROM {self.table} WHERE migration_set = ? ORDER BY rowid",
                                             [self.set_name])]

    def pending(self, db: Connection | Database) -> list[str]:
        """The names of the steps not applied yet, in order."""
        done = set(self.applied(db))
        return [name for name in self.names if name not in done]

    def apply(self, db: Database, *, stop_before: str | Iterable[str] | None = None) -> None:
        """Apply the pending steps (sqlite-utils' Migrations.apply: each in a
        transaction with the row that records it)."""
        from sqlite_utils.migrations import Migrations

        runner = Migrations(self.set_name)
        for name, step in self._steps:
            runner(name=name)(step)
        runner.apply(db, stop_before=stop_before)


migrations = Steps()


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


@migrations()
def m005_encrypted_passwords(db: Database) -> None:
    """Passwords move from each admin's keyring into the database, encrypted.

    `database_info` holds the database's random id and the id of the key
    its passwords are encrypted with (never the key).  `secrets` holds one
    sealed password per record, deleted with its row by triggers, so
    that a tool deleting rows directly leaves no orphan.  Rows that may
    still have a password in an older version's keyring are listed in
    `legacy_passwords` until an admin who can read it starts fincon-tui;
    the old keyring journal is folded in and dropped.
    """
    import secrets as random_source

    db.execute(
        """
        CREATE TABLE database_info (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            database_id TEXT NOT NULL CHECK (length(database_id) = 32),
            key_id TEXT CHECK (key_id IS NULL OR length(key_id) = 16)
        )
        """
    )
    db.execute("INSERT INTO database_info (id, database_id) VALUES (1, ?)", [random_source.token_hex(16)])
    db.execute(
        """
        CREATE TABLE secrets (
            owner_kind TEXT NOT NULL CHECK (owner_kind IN ('smtp', 'user')),
            owner_key TEXT NOT NULL COLLATE NOCASE,
            name TEXT NOT NULL DEFAULT 'password' CHECK (name = 'password'),
            key_id TEXT NOT NULL CHECK (length(key_id) = 16),
            sealed BLOB NOT NULL CHECK (typeof(sealed) = 'blob' AND length(sealed) > 28),
            bound_login TEXT NOT NULL,
            bound_server TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (owner_kind, owner_key, name)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE legacy_passwords (
            owner_kind TEXT NOT NULL CHECK (owner_kind IN ('smtp', 'user')),
            owner_key TEXT NOT NULL COLLATE NOCASE,
            staged_token TEXT,
            saved_by TEXT,
            PRIMARY KEY (owner_kind, owner_key)
        )
        """
    )
    _secrets_go_with_rows(db)
    # Every row with a login may have a password in some admin's keyring.
    db.execute(
        "INSERT INTO legacy_passwords (owner_kind, owner_key) "
        "SELECT 'smtp', name FROM smtp_settings WHERE username IS NOT NULL"
    )
    db.execute(
        "INSERT INTO legacy_passwords (owner_kind, owner_key) "
        "SELECT 'user', user_code FROM user_email_settings WHERE smtp_username IS NOT NULL"
    )
    # The old journal: a committed change is the truth for its account, a
    # committed removal means there is no password; anything else was never
    # part of a saved row.  Rows in odd shapes are simply not matched.
    for prefix, kind in (("smtp:", "smtp"), ("user:", "user")):
        db.execute(
            f"""
            UPDATE legacy_passwords SET staged_token = (
                SELECT token FROM password_journal
                WHERE state = 'committed' AND action = 'set' AND account = '{prefix}' || owner_key
            ) WHERE owner_kind = '{kind}'
            """
        )
        db.execute(
            f"""
            DELETE FROM legacy_passwords WHERE owner_kind = '{kind}' AND EXISTS (
                SELECT 1 FROM password_journal
                WHERE state = 'committed' AND action = 'clear' AND account = '{prefix}' || owner_key
            )
            """
        )
    db.execute("DROP TABLE password_journal")
    _who_saved_legacy_passwords(db)


def _secrets_go_with_rows(db: Database) -> None:
    for table, kind, key in (("smtp_settings", "smtp", "name"), ("user_email_settings", "user", "user_code")):
        db.execute(
            f"""
            CREATE TRIGGER {table}_secrets_go_with_row AFTER DELETE ON {table} BEGIN
                DELETE FROM secrets WHERE owner_kind = '{kind}' AND owner_key = OLD.{key};
                DELETE FROM legacy_passwords WHERE owner_kind = '{kind}' AND owner_key = OLD.{key};
            END
            """
        )


def _who_saved_legacy_passwords(db: Database) -> None:
    """Narrow the legacy list with the audit trail: a record created again
    without a password since its last password change has none, and a
    password is looked for only in the keyring of the admin who saved it."""
    kinds = {"smtp": "SMTP definition", "user": "User email settings"}
    for row in list(db.query("SELECT owner_kind, owner_key FROM legacy_passwords")):
        last = next(
            db.query(
                """
                SELECT who, json_extract(changes, '$.password') AS password FROM audit_log
                WHERE kind = ? AND record_key = ? COLLATE NOCASE
                  AND (action = 'create' OR json_extract(changes, '$.password') IS NOT NULL)
                ORDER BY id DESC LIMIT 1
                """,
                [kinds[row["owner_kind"]], row["owner_key"]],
            ),
            None,
        )
        where = "owner_kind = ? AND owner_key = ?"
        args = [row["owner_kind"], row["owner_key"]]
        if last is None:
            continue  # saved before the audit trail existed: anyone's keyring may hold it
        if last["password"] is None:
            db.execute(f"DELETE FROM legacy_passwords WHERE {where} AND staged_token IS NULL", args)
        else:
            db.execute(f"UPDATE legacy_passwords SET saved_by = ? WHERE {where}", [last["who"], *args])


@migrations()
def m006_rules_for_other_tools(db: Database) -> None:
    """The domain's field rules as triggers (see storage/constraints.py):
    rows already stored stay as they are and are reported as needing attention."""
    from fincon_tui.storage.constraints import triggers

    for statement in triggers():
        db.execute(statement)


@migrations()
def m007_row_identity(db: Database) -> None:
    """A random id per created row: a record deleted and created again under
    the same name is another row, even though its version starts at 1 again."""
    for table in ("smtp_settings", "user_email_settings"):
        db.execute(f"ALTER TABLE {table} ADD COLUMN row_id TEXT")
        db.execute(f"UPDATE {table} SET row_id = lower(hex(randomblob(8)))")


#: SQLite's application_id for fincon-tui databases ("FCNT"): lets the quick
#: check before the first paint recognise one from its header alone.
APPLICATION_ID = 0x46434E54


@migrations()
def m008_application_id(db: Database) -> None:
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")


#: What `secrets.name` may be: a password, or what an OAuth 2.0 login keeps.
SECRET_NAMES = ("password", "client_secret", "refresh_token", "service_account")


@migrations()
def m009_oauth_logins(db: Database) -> None:
    """OAuth 2.0 (XOAUTH2) logins for Microsoft 365 and Google.

    A login method per definition and per user's own login ('P' password,
    'M' Microsoft 365, 'G' Google), the app registration's tenant and
    client id, and `secrets` holding client secrets, refresh tokens and
    service-account keys next to passwords, each with its expiry when
    known.  SQLite cannot relax a CHECK, so `secrets` is rebuilt (rows,
    sealed bytes and the delete triggers unchanged)."""
    for column in (
        "login_method TEXT NOT NULL DEFAULT 'P' CHECK (login_method IN ('P', 'M', 'G'))",
        "tenant TEXT CHECK (tenant IS NULL OR length(tenant) BETWEEN 1 AND 100)",
        "client_id TEXT CHECK (client_id IS NULL OR length(client_id) BETWEEN 1 AND 200)",
    ):
        db.execute(f"ALTER TABLE smtp_settings ADD COLUMN {column}")
    db.execute(
        "ALTER TABLE user_email_settings ADD COLUMN login_method TEXT NOT NULL DEFAULT 'P' "
        "CHECK (login_method IN ('P', 'M', 'G'))"
    )
    names = ", ".join(f"'{name}'" for name in SECRET_NAMES)
    db.execute(
        f"""
        CREATE TABLE secrets_new (
            owner_kind TEXT NOT NULL CHECK (owner_kind IN ('smtp', 'user')),
            owner_key TEXT NOT NULL COLLATE NOCASE,
            name TEXT NOT NULL DEFAULT 'password' CHECK (name IN ({names})),
            key_id TEXT NOT NULL CHECK (length(key_id) = 16),
            sealed BLOB NOT NULL CHECK (typeof(sealed) = 'blob' AND length(sealed) > 28),
            bound_login TEXT NOT NULL,
            bound_server TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            expires_at TEXT,
            PRIMARY KEY (owner_kind, owner_key, name)
        )
        """
    )
    db.execute(
        "INSERT INTO secrets_new (owner_kind, owner_key, name, key_id, sealed, bound_login, bound_server, "
        "updated_at) SELECT owner_kind, owner_key, name, key_id, sealed, bound_login, bound_server, "
        "updated_at FROM secrets"
    )
    for table in ("smtp_settings", "user_email_settings"):  # they name `secrets`, which goes for a moment
        db.execute(f"DROP TRIGGER {table}_secrets_go_with_row")
    db.execute("DROP TABLE secrets")
    db.execute("ALTER TABLE secrets_new RENAME TO secrets")
    _secrets_go_with_rows(db)


@migrations()
def m010_user_login_method_as_definition(db: Database) -> None:
    """A user's own Login Method may be empty (NULL): their own login then
    goes the way their definition's does, as every user's did until now, so
    the 'P' that m009 gave every row becomes NULL.  SQLite cannot relax NOT
    NULL, so the table is rebuilt from its own CREATE statement (rows, row
    ids, versions, the index and every trigger naming it kept as they are)."""
    old_column = "login_method TEXT NOT NULL DEFAULT 'P' CHECK (login_method IN ('P', 'M', 'G'))"
    new_column = "login_method TEXT CHECK (login_method IS NULL OR login_method IN ('P', 'M', 'G'))"
    table = "user_email_settings"
    (create,) = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]).fetchone()
    if old_column not in create:
        raise RuntimeError(f"{table}.login_method is not as m009 made it")
    dependents = db.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL "
        f"AND (tbl_name = '{table}' OR sql LIKE '%{table}%') ORDER BY type DESC, name"
    ).fetchall()
    for kind, name, _ in dependents:
        if kind == "trigger":
            db.execute(f"DROP TRIGGER {name}")
    db.execute(create.replace(old_column, new_column).replace(f"CREATE TABLE {table}", f"CREATE TABLE {table}_new", 1))
    db.execute(f"INSERT INTO {table}_new SELECT * FROM {table}")
    db.execute(f"UPDATE {table}_new SET login_method = NULL WHERE login_method = 'P'")
    db.execute(f"DROP TABLE {table}")
    db.execute(f"ALTER TABLE {table}_new RENAME TO {table}")
    for _, _, sql in dependents:
        db.execute(sql)


@migrations()
def m011_audit_by_record(db: Database) -> None:
    """Each audit entry belongs to its record for good: `audit_log.row_id`
    is the row_id of the record it was written for, whatever key that has
    since, and `record_key` the key it had then.  Rows without a row_id, or
    with another row's (inserted or copied by other tools), get one of
    their own, now and by trigger from now on; the entries an older version
    wrote are attached where the trail tells (storage/audit_owners.py)."""
    from fincon_tui.storage.audit_owners import attach_old_entries

    db.execute("ALTER TABLE audit_log ADD COLUMN row_id TEXT")
    db.execute("CREATE INDEX audit_log_row ON audit_log (kind, row_id)")
    for table in ("smtp_settings", "user_email_settings"):
        needs_one = (f"NEW.row_id IS NULL OR EXISTS (SELECT 1 FROM {table} AS other "
                     "WHERE other.row_id = NEW.row_id AND other.rowid <> NEW.rowid)")
        db.execute(
            f"UPDATE {table} AS t SET row_id = lower(hex(randomblob(8))) WHERE row_id IS NULL OR EXISTS ("
            f"SELECT 1 FROM {table} AS other WHERE other.row_id = t.row_id AND other.rowid < t.rowid)"
        )
        db.execute(f"CREATE INDEX {table}_row_id ON {table} (row_id)")
        for name, event in (("insert", "INSERT"), ("update", "UPDATE OF row_id")):
            db.execute(
                f"CREATE TRIGGER {table}_row_id_{name} AFTER {event} ON {table} WHEN {needs_one} BEGIN "
                f"UPDATE {table} SET row_id = lower(hex(randomblob(8))) WHERE rowid = NEW.rowid; END"
            )
    attach_old_entries(db, {"SMTP definition": ("smtp_settings", "name"),
                            "User email settings": ("user_email_settings", "user_code")})


@migrations()
def m012_rules_check_what_changes(db: Database) -> None:
    """An update is checked on the values it changes only: a legacy row
    (stored before m006) whose name and another value break the rules can
    be renamed, its other values carried over as stored, then mended; m006's
    update triggers checked every value and refused the rename."""
    from fincon_tui.storage.constraints import update_triggers

    for name, statement in update_triggers().items():
        db.execute(f"DROP TRIGGER {name}")
        db.execute(statement)


@migrations()
def m013_rules_from_declaration(db: Database) -> None:
    """Every declared field's rule as a trigger (storage/constraints.py):
    m006 gave the text fields theirs; Authenticate, Port, Use TLS, Time Out,
    the login methods, Tenant ID, Client ID and the user code had m001-m009's
    column CHECKs alone, which let another tool write a tenant or client ID
    with spaces.  A later step that adds or changes a declared field calls
    `refresh_rules` again."""
    refresh_rules(db)


@migrations()
def m014_rules_on_every_python(db: Database) -> None:
    """The rules re-made with the characters pinned to Unicode 15.1
    (domain/refused_characters.py): m013 took them from the running
    Python's Unicode, so a database made with Python 3.11 (Unicode 14.0)
    let seven format characters through that one made with 3.13 refused."""
    refresh_rules(db)


@migrations()
def m016_name_folded(db: Database) -> None:
    """SMTP Names unique as fincon-tui folds them (NFC, then casefold:
    records.fold) by the database itself, as on PostgreSQL: NOCASE folds
    ASCII alone, so 'Straße' and 'STRASSE' were told apart by the app's code
    only.  `name_folded` holds the fold under a unique index.  Rows that
    already fold alike (written by another tool) stay: the oldest keeps the
    fold, the others keep NULL and need attention (rename them)."""
    from fincon_tui.storage.records import fold

    db.execute("ALTER TABLE smtp_settings ADD COLUMN name_folded TEXT")
    taken: set[object] = set()
    for rowid, name in db.execute("SELECT rowid, name FROM smtp_settings ORDER BY rowid").fetchall():
        folded = fold(name) if isinstance(name, str) else None
        if folded is None or folded in taken:
            continue
        taken.add(folded)
        db.execute("UPDATE smtp_settings SET name_folded = ? WHERE rowid = ?", [folded, rowid])
    db.execute("CREATE UNIQUE INDEX smtp_settings_name_folded ON smtp_settings (name_folded)")
    _fold_for_other_tools(db)


def _fold_for_other_tools(db: Database) -> None:
    """A row another tool inserts or renames without `name_folded` gets it
    where SQLite can fold alone (an ASCII name: lower()), else NULL, so a
    stale fold never finds the wrong record; the app finds NULL ones by
    folding them itself.  fincon-tui writes the fold with every name."""
    ascii_name = "NEW.name NOT GLOB '*[^ -~]*'"
    db.execute(
        f"CREATE TRIGGER smtp_settings_name_folded_insert AFTER INSERT ON smtp_settings "
        f"WHEN NEW.name_folded IS NULL AND {ascii_name} BEGIN "
        "UPDATE smtp_settings SET name_folded = lower(NEW.name) WHERE rowid = NEW.rowid; END"
    )
    db.execute(
        "CREATE TRIGGER smtp_settings_name_folded_rename AFTER UPDATE OF name ON smtp_settings "
        "WHEN NEW.name IS NOT OLD.name AND NEW.name_folded IS OLD.name_folded BEGIN "
        f"UPDATE smtp_settings SET name_folded = CASE WHEN {ascii_name} THEN lower(NEW.name) END "
        "WHERE rowid = NEW.rowid; END"
    )


@migrations()
def m017_hosts(db: Database) -> None:
    """The hosts that used the database and the key id each last loaded
    (`key status`, and `key rotate` waits for them), and the key a rotation
    has staged: every host loads it before the secrets are sealed with it."""
    db.execute(
        """
        CREATE TABLE hosts (
            host TEXT NOT NULL PRIMARY KEY,
            key_id TEXT CHECK (key_id IS NULL OR length(key_id) = 16),
            seen_at TEXT NOT NULL,
            seen_by TEXT NOT NULL
        )
        """
    )
    db.execute("ALTER TABLE database_info ADD COLUMN staged_key_id TEXT "
               "CHECK (staged_key_id IS NULL OR length(staged_key_id) = 16)")


@migrations()
def m018_login_tests(db: Database) -> None:
    """The results of login tests (F6, option 8, `smtp test`, `check`), the
    last 20 of each record, by its row_id: a table of their own, so that a
    test never bumps a record's version nor writes its audit trail."""
    db.execute(
        """
        CREATE TABLE login_tests (
            id INTEGER PRIMARY KEY,
            record_kind TEXT NOT NULL CHECK (record_kind IN ('smtp', 'user')),
            row_id TEXT NOT NULL,
            record_key TEXT NOT NULL,
            tested_at TEXT NOT NULL,
            tested_by TEXT NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'failed')),
            step TEXT NOT NULL DEFAULT '',
            message TEXT NOT NULL DEFAULT '',
            certificate_expires TEXT,
            secret_expires TEXT
        )
        """
    )
    db.execute("CREATE INDEX login_tests_by_record ON login_tests (record_kind, row_id, id)")


@migrations()
def m019_rows_before_rules(db: Database) -> None:
    """The rows stored before a rule they break existed, by row_id: what a
    list checks against the rules (storage/constraints.py rules_broken),
    rather than every row.  A row written since is held by the triggers
    (an insert checks every value, an update what it changes)."""
    db.execute(
        """
        CREATE TABLE rows_before_rules (
            owner_kind TEXT NOT NULL CHECK (owner_kind IN ('smtp', 'user')),
            row_id TEXT NOT NULL,
            PRIMARY KEY (owner_kind, row_id)
        )
        """
    )
    note_rows_before_rules(db)


@migrations()
def m020_spf_verdicts(db: Database) -> None:
    """What the last `check --dns` found of each record's sender domains'
    SPF, one row per record by its row_id: a table of its own (a run that
    does not connect records no login test, and a verdict is replaced, not
    kept as a history), so that it never bumps a record's version nor
    writes its audit trail."""
    db.execute(
        """
        CREATE TABLE spf_verdicts (
            record_kind TEXT NOT NULL CHECK (record_kind IN ('smtp', 'user')),
            row_id TEXT NOT NULL,
            record_key TEXT NOT NULL,
            checked_at TEXT NOT NULL,
            domain TEXT NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'fails')),
            finding TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (record_kind, row_id)
        )
        """
    )


@migrations()
def m021_key_order_indexes(db: Database) -> None:
    """PostgreSQL's own (postgres/schema.py): indexes that its lists' key
    order (COLLATE "C") can read.  SQLite reads its lists in that order
    from the indexes it has had since m001 (name COLLATE NOCASE, user_code)."""


class DeclaredColumns(NamedTuple):
    """A step both engines render from the declarations (domain/smtp_fields.py,
    domain/user_fields.py): it adds the declared fields' columns to `table`
    (storage/field_rules.py column_definition), then makes the rules again,
    so that the new fields' rules hold and their stored rows are noted."""

    name: str
    table: str
    columns: tuple[str, ...]

    def statements(self) -> list[str]:
        from fincon_tui.storage.field_rules import column_definition

        return [f"ALTER TABLE {self.table} ADD COLUMN {column_definition(self.table, column)}"
                for column in self.columns]


#: The engine-neutral steps, in order; PostgreSQL's schema (postgres/schema.py)
#: places each among its own steps by name, as here.
DECLARED_STEPS: list[DeclaredColumns] = []


def declared_columns(name: str, table: str, *columns: str) -> None:
    """Register the step `name` that adds the columns of the fields
    `columns`, declared for `table`, on both engines: a new plain field's
    whole migration is a line below the last step.  Without columns, the
    step renders the rules again: a declared rule changed."""
    step = DeclaredColumns(name, table, columns)

    def run(db: Database) -> None:
        add_declared_columns(db, step)

    run.__name__ = name
    migrations(name=name)(run)
    DECLARED_STEPS.append(step)


def add_declared_columns(db: Database, step: DeclaredColumns) -> None:
    """`step` on SQLite: its columns, then the rules of every declared field."""
    for statement in step.statements():
        db.execute(statement)
    refresh_rules(db)


# The next step: `declared_columns("m022_...", "smtp_settings", "new_field")` for a
# declared field's column, else `@migrations()` and a function (and one of the
# same name in postgres/schema.py).


def refresh_rules(db: Database) -> None:
    """The rule triggers re-made from the declarations as they are now, and
    (from m019 on) the rows stored that break them noted."""
    from fincon_tui.storage.constraints import rule_triggers

    for name, statement in rule_triggers(_columns(db)).items():
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
        db.execute(statement)
    if db["rows_before_rules"].exists():
        note_rows_before_rules(db)


def note_rows_before_rules(db: Database) -> None:
    """Note each stored row that breaks a declared rule as they are now
    (once a step: SQLite evaluates every rule over every row)."""
    from fincon_tui.storage.constraints import rules_broken
    from fincon_tui.storage.field_rules import OWNER_KINDS

    columns = _columns(db)
    for table, kind in OWNER_KINDS.items():
        db.execute(f"INSERT OR IGNORE INTO rows_before_rules (owner_kind, row_id) "
                   f"SELECT '{kind}', r.row_id FROM {table} AS r "
                   f"WHERE r.row_id IS NOT NULL AND {rules_broken(table, 'r', columns)}")


def _columns(db: Database) -> dict[str, set[str]]:
    """The record tables' columns as this step finds them: a declared field
    whose column a later step adds has no rule before it (refresh_rules)."""
    from fincon_tui.storage.field_rules import OWNER_KINDS

    return {table: set(db[table].columns_dict) for table in OWNER_KINDS}
