"""The domain's field rules as SQL, for tools that write the tables directly.

Each Rule is one condition that a row must meet, with the message SQLite
raises when it does not.  Migration m006 turns them into BEFORE INSERT /
UPDATE triggers (CHECK constraints cannot be added to an existing table,
and a trigger leaves rows already stored untouched: they are reported as
needing attention and mended in the form).  tests/test_constraints.py
holds each rule against the domain's own validators, so the two cannot
drift apart.

SQLite knows no IDNA, no Unicode case and no email grammar: host names
and addresses are checked for their shape (characters, dots, one @),
which is where a row written by hand goes wrong.
"""

from __future__ import annotations

import sys
import unicodedata
from dataclasses import dataclass


def _characters(test) -> str:
    return "".join(chr(c) for c in range(1, sys.maxunicode + 1) if test(chr(c)))


#: What check_printable refuses: control, format (bidi too) and line/paragraph separators.
UNSAFE = _characters(lambda c: unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp"))
#: What str.strip() removes that is not already unsafe.
SPACES = _characters(lambda c: c.isspace() and unicodedata.category(c) not in ("Cc", "Zl", "Zp"))


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def printable(column: str) -> str:
    """No unsafe character; NUL, which GLOB cannot see past, checked as bytes."""
    return f"{column} NOT GLOB {_literal('*[' + UNSAFE + ']*')} AND instr(CAST({column} AS BLOB), x'00') = 0"


def trimmed(column: str) -> str:
    return f"{column} = trim({column}, {_literal(SPACES)})"


def text(column: str, low: int, high: int) -> str:
    return f"length({column}) BETWEEN {low} AND {high} AND {printable(column)} AND {trimmed(column)}"


def optional(column: str, condition: str) -> str:
    return f"({column} IS NULL OR ({condition}))"


def address(column: str) -> str:
    """One address: something@domain.tld, nothing around it."""
    after = f"substr({column}, instr({column}, '@') + 1)"
    forbidden = _literal('*[][ <>(),;:\\"' + SPACES + UNSAFE + "]*")
    return (
        f"length({column}) <= 254 AND {printable(column)} AND {column} GLOB '?*@?*.?*' "
        f"AND instr({after}, '@') = 0 "
        f"AND {column} NOT GLOB {forbidden} "
        f"AND {after} NOT GLOB '*..*' AND {after} NOT GLOB '.*' AND {after} NOT GLOB '*.'"
    )


def host(column: str) -> str:
    """A host name (lower case, dots between labels, hyphens inside) or an IP address."""
    forbidden = _literal("*[][ /@_" + SPACES + UNSAFE + "]*")
    return (
        f"length({column}) BETWEEN 1 AND 253 AND {printable(column)} AND {column} NOT GLOB '*[A-Z]*' "
        f"AND {column} NOT GLOB {forbidden} "
        f"AND {column} NOT GLOB '*..*' AND {column} NOT GLOB '.*' AND {column} NOT GLOB '*.' "
        f"AND {column} NOT GLOB '-*' AND {column} NOT GLOB '*-' "
        f"AND {column} NOT GLOB '*.-*' AND {column} NOT GLOB '*-.*' "
        f"AND (instr({column}, ':') = 0 OR ({column} NOT GLOB '*[^0-9a-f:.]*' "
        f"AND {column} GLOB '*:*:*'))"
    )


@dataclass(frozen=True)
class Rule:
    table: str
    field: str  # the form field (and domain validator) it mirrors
    condition: str  # over NEW.<column>
    message: str

    def raise_when_broken(self, changed_only: bool = False) -> str:
        """`changed_only` (an update): a value the update keeps as stored is not
        checked again, so a rename carries a row's other legacy values over."""
        text = _literal(f"{self.table}.{self.field}: {self.message}")
        broken = f"NOT coalesce({self.condition}, 0)"
        if changed_only:
            broken += f" AND NEW.{self.field} IS NOT OLD.{self.field} COLLATE BINARY"
        return f"WHEN {broken} THEN RAISE(ABORT, {text})"


def _new(name: str) -> str:
    return f"NEW.{name}"


SMTP = "smtp_settings"
USERS = "user_email_settings"

RULES: list[Rule] = [
    Rule(SMTP, "name", text(_new("name"), 1, 40), "1-40 printable characters, no spaces around"),
    Rule(SMTP, "mail_server", host(_new("mail_server")), "a host name or IP address, nothing else"),
    Rule(SMTP, "username", optional(_new("username"), text(_new("username"), 1, 254)),
         "NULL or 1-254 printable characters"),
    Rule(SMTP, "bcc", optional(_new("bcc"), address(_new("bcc"))), "NULL or one email address"),
    Rule(USERS, "smtp_name",
         f"EXISTS (SELECT 1 FROM smtp_settings WHERE name = {_new('smtp_name')})",
         "no SMTP definition has this name"),
    Rule(USERS, "smtp_username", optional(_new("smtp_username"), text(_new("smtp_username"), 1, 254)),
         "NULL or 1-254 printable characters"),
    Rule(USERS, "sender_name", text(_new("sender_name"), 1, 60), "1-60 printable characters"),
    Rule(USERS, "sender_email", address(_new("sender_email")), "one email address"),
    Rule(USERS, "job_title", optional(_new("job_title"), text(_new("job_title"), 1, 60)),
         "NULL or 1-60 printable characters"),
    Rule(USERS, "telephone",
         optional(_new("telephone"), f"{_new('telephone')} NOT GLOB '*[^0-9+()./ -]*' "
                  f"AND length({_new('telephone')}) BETWEEN 3 AND 30 AND {trimmed(_new('telephone'))}"),
         "NULL or 3-30 of digits, spaces and + ( ) - . /"),
    *(
        Rule(USERS, f"user_defined_{n}", optional(_new(f"user_defined_{n}"), text(_new(f"user_defined_{n}"), 1, 60)),
             "NULL or 1-60 printable characters")
        for n in range(1, 7)
    ),
]


def _rules_trigger(table: str, name: str, changed_only: bool = False) -> str:
    rules = [rule for rule in RULES if rule.table == table]
    whens = "\n            ".join(rule.raise_when_broken(changed_only) for rule in rules)
    event = "INSERT" if name == "insert" else f"UPDATE OF {', '.join(rule.field for rule in rules)}"
    return (f"CREATE TRIGGER {table}_rules_{name} BEFORE {event} ON {table} BEGIN\n"
            f"        SELECT CASE\n            {whens}\n        END;\n    END")


def update_triggers() -> dict[str, str]:
    """Each table's update trigger as m012 makes it: only the values an
    update changes are checked."""
    return {f"{table}_rules_update": _rules_trigger(table, "update", changed_only=True) for table in (SMTP, USERS)}


def triggers() -> list[str]:
    """CREATE TRIGGER statements enforcing RULES on inserts and updates (as
    m006 made them; m012 replaces the update ones), and refusing to delete a
    definition that users are linked to."""
    statements = [_rules_trigger(table, name) for table in (SMTP, USERS) for name in ("insert", "update")]
    statements.append(
        "CREATE TRIGGER smtp_settings_in_use BEFORE DELETE ON smtp_settings "
        "WHEN EXISTS (SELECT 1 FROM user_email_settings WHERE smtp_name = OLD.name) BEGIN "
        "SELECT RAISE(ABORT, 'smtp_settings: users are linked to this definition'); END"
    )
    return statements
