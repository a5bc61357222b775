"""The kinds of secret: every one is stored and read back under its name,
and messages name each."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from support import definition, user

from fincon_tui.domain.password_binding import PasswordChange, smtp_owner
from fincon_tui.domain.secret_holders import HOLDERS
from fincon_tui.domain.secret_kinds import SecretKind
from fincon_tui.services.smtp_settings import SmtpSettings
from fincon_tui.services.user_settings import UserSettings


@pytest.mark.engines
def test_the_database_takes_every_kind_under_its_name(store, vault):
    """The `secrets` table's CHECK (migration m009) lists the stored names:
    a kind it did not know would fail to save."""
    smtp = SmtpSettings(store, vault)
    smtp.save(definition(), PasswordChange.keep(), None)
    binding = smtp.binding(smtp.get("OFFICE").record)
    with store.transaction():
        for kind in SecretKind:
            smtp.passwords.put(binding, kind, f"the {kind.word}")
    assert smtp.passwords.names([smtp_owner("OFFICE")])[smtp_owner("OFFICE")] == frozenset(SecretKind)
    for kind in SecretKind:
        assert smtp.passwords.get(smtp_owner("OFFICE"), kind) == f"the {kind.word}"


@pytest.mark.engines
def test_the_declared_binding_is_where_each_service_binds(store, vault):
    """The secrets service reads where a stored record sends its secrets
    from the declaration (domain.secret_holders), through the Store's
    repositories, whatever the engine; the record services bind them from
    the record as they save it: the two agree, for a definition's own login
    and for a user's login through its definition's mail server."""
    smtp, users = SmtpSettings(store, vault), UserSettings(store, vault)
    smtp.save(definition(username="Office@Corp.Example", mail_server="mail.corp.example"), PasswordChange.keep(),
              None)
    users.save(user("ANN", "OFFICE", "ann@corp.example"), PasswordChange.keep(), None)
    for service, key in ((smtp, "OFFICE"), (users, "ANN")):
        record = service.get(key).record
        assert smtp.passwords.bound_now(service.owner(key)) == service.binding(record)
        assert set(service.holding(record).holds) <= set(HOLDERS[service.owner(key).kind].secrets)
    assert smtp.passwords.bound_now(users.owner("ANN")).server == "mail.corp.example"
    assert smtp.passwords.bound_now(users.owner("NOBODY")) is None


def test_messages_name_each_kind():
    assert [kind.nouns for kind in SecretKind] == [
        ("password", "passwords"), ("client secret", "client secrets"), ("sign-in", "sign-ins"),
        ("service-account key", "service-account keys"),
    ]
    assert SecretKind.PASSWORD.delete_word == "stored password"
    assert SecretKind.SERVICE_ACCOUNT_KEY.word == "service account"


#: Where a kind's name may be written out, and why.
_SPELLED_OUT = {
    "domain/secret_kinds.py": "the enum itself",
    "storage/migrations.py": "the schema as each step made it (its CHECK lists the names)",
    "oauth/": "the protocols' own words (grant types, token fields, a Google key's type)",
    "domain/login_methods.py": 'a Google key file says "type": "service_account"',
    # The form's and the CLI's Client Secret field is named client_secret too (one field, either kind).
    "domain/smtp.py": "the Client Secret field's declaration",
    "domain/smtp_fields.py": "the Client Secret field's declaration",
    "ui/screens/smtp_settings.py": "the Client Secret field's widget",
    "ui/screens/listed_form.py": "the Client Secret field of a copy",
    "services/transfer.py": "an import file's client_secret field",
}
_FIELD_MARK = "# the Client Secret field"


def spelled_out_kinds(root: Path) -> list[str]:
    """'path:line: value' for each string literal under `root` that spells a
    kind of secret (other than 'password', which is also a field's name)
    outside the enum and the places `_SPELLED_OUT` names.  Only a literal
    that is the name stands for a kind (an f-string's fixed parts are
    literals of their own); prose that mentions one does not."""
    names = {kind.value for kind in SecretKind} - {SecretKind.PASSWORD.value}
    found = []
    for path in sorted(root.rglob("*.py")):
        where = path.relative_to(root).as_posix()
        if any(where.startswith(allowed) for allowed in _SPELLED_OUT):
            continue
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in sorted(ast.walk(ast.parse(source)), key=lambda node: getattr(node, "lineno", 0)):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and node.value in names and not lines[node.lineno - 1].rstrip().endswith(_FIELD_MARK)):
                found.append(f"{where}:{node.lineno}: {node.value!r}")
    return found


def test_no_kind_of_secret_is_spelled_out_outside_the_enum():
    import fincon_tui

    assert spelled_out_kinds(Path(fincon_tui.__file__).parent) == []


def test_the_scan_finds_a_kind_spelled_out(tmp_path):
    """The scan above can fail: a literal name, as the services wrote them before the enum."""
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "x.py").write_text(
        'def f(p, o):\n    """Takes the refresh_token."""\n    return p.has(o, "refresh_token")\n'
        'KEY = f"refresh_token{1}"\n')
    assert spelled_out_kinds(tmp_path) == [
        "services/x.py:3: 'refresh_token'", "services/x.py:4: 'refresh_token'"]
