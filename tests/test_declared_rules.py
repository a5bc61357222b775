"""The fields are declared once (domain/smtp_fields.py, domain/user_fields.py),
and everything that checks a value agrees with the declaration: a fresh
database has the declared columns and the rules rendered from them, and on
random text the form's check, the CLI's and the database's accept and refuse
the same values, in the same words (the database checks a host name's and
an address's shape only: SQL knows no IDNA or email grammar)."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import definition

from fincon_tui._exceptions import FieldError, FormInvalid
from fincon_tui.cli import main
from fincon_tui.domain import smtp, user_fields, users
from fincon_tui.domain.declaration import Declaration, Field, fields_maker
from fincon_tui.domain.fields import FormChecker
from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.domain.value_rules import Email, Host, Text, WholeNumber, YesNo
from fincon_tui.domain.visible import visible
from fincon_tui.storage import field_rules
from fincon_tui.storage.constraints import rule_triggers
from fincon_tui.storage.field_rules import DECLARATIONS, all_rules
from fincon_tui.storage.migrations import DeclaredColumns
from fincon_tui.storage.smtp_repo import SmtpRepository
from fincon_tui.storage.translate import database_error

#: Columns every record table has besides its declared fields.
BOOKKEEPING = {"created_at", "updated_at", "version", "row_id", "name_folded"}

#: A definition and a user whose every field is set, the definition by
#: Microsoft 365 so that Tenant ID and Client ID are in use.
SMTP_BASE = dict(name="OFFICE", mail_server="smtp.office365.com", authenticate="Y", username="bob@corp.example",
                 port="587", use_tls="Y", timeout_seconds="30", bcc="", login_method="M",
                 tenant="contoso.onmicrosoft.com", client_id="0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0")
USER_BASE = dict(user_code="ALICE", smtp_name="OFFICE", smtp_username="", login_method="", sender_name="Alice",
                 sender_email="alice@corp.example", job_title="", telephone="",
                 **{key: "" for key in user_fields.USER_DEFINED_KEYS})
BASES = {"smtp": (smtp.DECLARED, SMTP_BASE), "user": (users.DECLARED, USER_BASE)}

#: Values each field takes, so that random text meets accepted values too.
TAKEN = ["OFFICE", "smtp.example.com", "10.0.0.1", "audit@corp.example", "Y", "N", "P", "M", "G", "587", "30",
         "+27 21 555 0100", "contoso.onmicrosoft.com", "Zürich relay", "ALICE", "a.b_c-1", " padded ", ""]


@pytest.fixture
def database(db_path):
    from fincon_tui.storage.database import open_database

    open_database(db_path).close()
    return db_path


#: The type of the value each kind of rule checks a field into.
CLEAN_TYPES = {WholeNumber: "int", YesNo: "bool"}


@pytest.mark.parametrize("declared", DECLARATIONS, ids=lambda declared: declared.table)
def test_the_records_attributes_are_the_declared_fields(declared) -> None:
    """The record class beside the fields (domain/smtp_fields.py,
    domain/user_fields.py) has an attribute for each stored field, of its
    rule's type, and no other: fails if a field is added to one alone."""
    attributes = {field.name: field.type for field in dataclasses.fields(declared.record)}
    expected = {f.name: CLEAN_TYPES.get(type(f.rule), "str") for f in declared.stored if f.member is None}
    for f in declared.stored:
        if f.member is not None:
            expected[f.member[0]] = "tuple[str, ...]"
    assert attributes == expected
    members = [f for f in declared.stored if f.member is not None]
    for attribute in {f.member[0] for f in members}:
        count = sum(f.member[0] == attribute for f in members)
        default = next(field.default for field in dataclasses.fields(declared.record) if field.name == attribute)
        assert sorted(f.member[1] for f in members if f.member[0] == attribute) == list(range(count))
        assert len(default) == count


def _accepted(kind: str) -> tuple[Declaration, object]:
    """The declaration of `kind` and a record of it as Accept builds it,
    each User Defined field holding a value of its own."""
    declared, base = BASES[kind]
    values = {**base, **{key: f"value {n}" for n, key in enumerate(user_fields.USER_DEFINED_KEYS)
                         if key in base}}
    form = FormChecker(values, declared.labels)
    declared.check(form)
    return declared, declared.build(form.done())


@pytest.mark.parametrize("kind", BASES)
def test_a_stored_record_held_as_checked_holds_each_fields_value_by_name(kind) -> None:
    """Declaration.trusted, whose values the lists' rules between fields
    read (a copy of the record's attributes, a tuple's spread out), holds
    what each field's getter reads, the User Defined fields each in its place."""
    declared, record = _accepted(kind)
    expected = {f.name: getattr(record, f.member[0])[f.member[1]] if f.member else getattr(record, f.name)
                for f in declared.stored}
    assert declared.trusted(record).clean == expected


@pytest.mark.parametrize("kind", BASES)
def test_a_row_read_as_a_record_is_the_record_its_class_makes(kind) -> None:
    """Declaration.reader gives a list's record its attributes at once
    (fields_maker) instead of through the class's __init__: the same record,
    equal, alike and as frozen; so is the Stored made around it."""
    from fincon_tui.storage.records import Stored, stored_reader

    declared, record = _accepted(kind)
    columns = {**declared.to_columns(record), "created_at": "then", "updated_at": "now", "version": 3, "row_id": "r"}
    names = list(columns)[::-1]  # a query's columns in any order
    row = tuple(columns[name] for name in names)
    read = declared.reader(names)
    assert read is not None and read(row) == record and repr(read(row)) == repr(record)
    assert vars(read(row)) == vars(record) and list(vars(read(row))) == list(vars(record))
    with pytest.raises(dataclasses.FrozenInstanceError):
        read(row).__setattr__(declared.key, "other")
    made = stored_reader(names, read, lambda _: pytest.fail("by mapping"))(row)
    assert made == Stored(record, "then", "now", 3, "r") and vars(made) == vars(Stored(record, "then", "now", 3, "r"))


def test_fields_maker_makes_only_what_init_would_make_alike() -> None:
    """None for a class whose __init__ does more than give each field's value."""

    @dataclasses.dataclass(frozen=True)
    class Checked:
        value: int

        def __post_init__(self) -> None:
            raise ValueError

    @dataclasses.dataclass(frozen=True)
    class Derived:
        value: int
        twice: int = dataclasses.field(init=False, default=0)

    @dataclasses.dataclass(frozen=True, slots=True)
    class Slotted:
        value: int

    @dataclasses.dataclass
    class Mutable:
        value: int

    @dataclasses.dataclass(frozen=True)
    class Plain:
        value: int
        other: str = ""

    assert [fields_maker(cls) for cls in (Checked, Derived, Slotted, Mutable, int)] == [None] * 5
    made = fields_maker(Plain)
    assert made is not None and made({"value": 1, "other": "x"}) == Plain(1, "x")

def test_a_fresh_database_has_the_declared_columns(database) -> None:
    """Fails if a column is added to the declaration or to the schema alone."""
    conn = sqlite3.connect(database)
    for declared in DECLARATIONS:
        columns = {name: (kind, bool(notnull))
                   for _, name, kind, notnull, _, _ in conn.execute(f"PRAGMA table_info({declared.table})")}
        assert set(columns) - BOOKKEEPING == {field.name for field in declared.stored}, declared.table
        for field in declared.stored:
            kind = "INTEGER" if isinstance(field.rule, WholeNumber) else "TEXT"
            assert columns[field.name] == (kind, field.rule.required), (declared.table, field.name)
    conn.close()


def test_a_fresh_database_has_the_declared_rules_and_no_others(database) -> None:
    """Fails if a rule is added to the declaration without the migration
    step that renders it, or to the schema by hand."""
    conn = sqlite3.connect(database)
    made = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_rules_%'"))
    conn.close()
    assert made == rule_triggers()


#: Fields declared after every step so far, as the next ones will be: an
#: optional one, and one that requires a value (its column takes the default).
LATER = Field("later_field", "Later Field", Text(20), default="")
LATER_NUMBER = Field("later_number", "Later Number", WholeNumber(1, 9), default="3")
#: The step that adds their columns, as a new field's is written (storage/migrations.py).
LATER_STEP = DeclaredColumns("m999_later_fields", "smtp_settings", ("later_field", "later_number"))


@pytest.fixture
def a_later_field(monkeypatch: pytest.MonkeyPatch) -> None:
    later = Declaration(smtp.SmtpDefinition, smtp.DECLARED.kind, smtp.DECLARED.table,
                        (*smtp.DECLARED.fields, LATER, LATER_NUMBER))
    monkeypatch.setattr(field_rules, "DECLARATIONS", (later, users.DECLARED))


def _rule_triggers_made(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_rules_%'"))


def test_a_field_declared_later_gets_its_column_and_rule_from_its_declared_step(db_path, a_later_field) -> None:
    """The steps before it (m013, m014, m019) render the rules of the
    columns they find: fails if one renders a field whose column is not
    there yet, which no step could then add.  The engine-neutral step adds
    the columns as declared (a row stored takes a required one's default)
    and renders their rules (PostgreSQL's: test_postgres_schema)."""
    from fincon_tui.storage.database import open_database
    from fincon_tui.storage.migrations import add_declared_columns

    db = open_database(db_path)
    assert not any("later_" in sql for sql in _rule_triggers_made(db.conn).values())
    SmtpRepository(db).insert(definition())
    add_declared_columns(db.utils, LATER_STEP)
    made = _rule_triggers_made(db.conn)
    columns = {name: (kind, notnull, default) for _, name, kind, notnull, default, _
               in db.execute("PRAGMA table_info(smtp_settings)").fetchall()}
    stored = db.execute("SELECT later_field, later_number FROM smtp_settings").fetchall()
    db.close()
    assert made == rule_triggers() and "NEW.later_field" in made["smtp_settings_rules_insert"]
    assert "NEW.later_number" in made["smtp_settings_rules_insert"]
    assert columns["later_field"] == ("TEXT", 0, None) and columns["later_number"] == ("INTEGER", 1, "3")
    assert stored == [(None, 3)]


def test_a_required_field_added_later_needs_a_default_its_rule_takes(monkeypatch) -> None:
    no_default = Field("later_required", "Later Required", Text(20, required=True), default="")
    later = Declaration(smtp.SmtpDefinition, smtp.DECLARED.kind, smtp.DECLARED.table,
                        (*smtp.DECLARED.fields, no_default))
    monkeypatch.setattr(field_rules, "DECLARATIONS", (later, users.DECLARED))
    with pytest.raises(ValueError, match=r"smtp_settings\.later_required is required: its default"):
        DeclaredColumns("m999_later", "smtp_settings", ("later_required",)).statements()
    with pytest.raises(ValueError, match=r"smtp_settings\.password is a secret"):
        DeclaredColumns("m999_later", "smtp_settings", ("password",)).statements()


def run_cli(path, *args: str) -> tuple[int, str]:
    """The CLI as a shell runs it, in this process (a process each would take minutes)."""
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            code = main(["--db", str(path), *args])
        except SystemExit as exit_:
            code = exit_.code
    return int(code or 0), err.getvalue()


def form_says(kind: str, field: str, raw: str) -> str | None:
    """What the form says on Accept of the base record with `field` typed
    as `raw`: None if it saves, else its refusal."""
    base = BASES[kind][1]
    values = dict(base, **{field: raw})
    try:
        if kind == "smtp":
            smtp.parse_definition(values, PasswordChange.keep())
        else:
            definition = smtp.parse_definition(SMTP_BASE, PasswordChange.keep())
            found = definition if raw.strip().casefold() == "office" or field != "smtp_name" else None
            users.parse_user_settings(values, PasswordChange.keep(), found)
    except FormInvalid as invalid:
        return str(invalid)
    return None


@pytest.fixture(scope="module")
def seeded_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("declared") / "fincon.db"
    for kind in ("smtp", "user"):
        set_all(path, kind)
    return path


def set_all(path, kind: str) -> None:
    declared, base = BASES[kind]
    options = [f"{f.option.flag}={base.get(f.name, '')}" for f in declared.options]
    code, said = run_cli(path, kind, "set", base[declared.key], *options)
    assert code == 0, said


CLI_FIELDS = [(kind, field.name) for kind, (declared, _) in BASES.items() for field in declared.options]


@given(target=st.sampled_from(CLI_FIELDS), raw=st.one_of(st.text(max_size=70), st.sampled_from(TAKEN)))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_cli_refuses_what_the_form_refuses_in_its_words(seeded_path, target, raw: str) -> None:
    kind, name = target
    declared, base = BASES[kind]
    expected = form_says(kind, name, raw)
    code, said = run_cli(seeded_path, kind, "set", base[declared.key], f"{declared.field(name).option.flag}={raw}")
    if expected is None:
        assert code == 0, said
        set_all(seeded_path, kind)  # the next example starts from the base record again
    else:
        assert code == 2 and visible(expected) in said, (expected, said)


def stores(declared, name: str, value) -> bool:
    """Whether the field's own rule keeps exactly `value` (None: empty) in its column."""
    try:
        clean = declared.check_one(name, "" if value is None else str(value))
    except FieldError:
        return False
    return declared.field(name).rule.to_column(clean) == value


def column_values(rule):
    if isinstance(rule.rule, WholeNumber):
        return st.one_of(st.integers(-5, 70_000), st.text(alphabet="abcxyz ", min_size=1, max_size=5))
    text = st.one_of(st.text(max_size=70), st.sampled_from(TAKEN))
    return text if rule.required else st.one_of(st.none(), text)


@st.composite
def rule_and_value(draw):
    rule = draw(st.sampled_from([rule for rule in all_rules() if rule.link is None]))
    return rule, draw(column_values(rule))


@given(case=rule_and_value())
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_database_takes_what_the_fields_rule_keeps_and_says_the_declared_words(seeded_path, case) -> None:
    rule, value = case
    declared = next(d for d in DECLARATIONS if d.table == rule.table)
    conn = sqlite3.connect(seeded_path)  # a plain connection, as another tool has
    try:
        if rule.column == "authenticate":  # m001's CHECK: no username without Authenticate
            conn.execute("UPDATE smtp_settings SET username = NULL")
        conn.execute(f"UPDATE {rule.table} SET {rule.column} = ?", [value])
        taken, message = True, None
    except sqlite3.IntegrityError as error:
        taken, message = False, str(database_error(error))
    finally:
        conn.rollback()
        conn.close()
    if isinstance(rule.rule, (Host, Email)):
        # SQL knows no IDNA or email grammar: the database checks the shape
        # (storage/constraints.py), so it takes all the domain keeps, and some more.
        assert taken or not stores(declared, rule.column, value), (rule.column, value, message)
    else:
        assert taken == stores(declared, rule.column, value), (rule.column, value, message)
    if not taken and message and "refused by the database's rules" in message:
        said = rule.message.replace("NULL or ", "empty or ")
        assert message == f"{declared.labels[rule.column]} refused by the database's rules ({said})"
