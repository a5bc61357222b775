"""The SMTP definition's rules across fields."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fincon_tui._exceptions import FormInvalid, describe
from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.domain.smtp import (
    LABELS,
    NEW_DEFAULTS,
    SmtpDefinition,
    parse_definition,
)

KEEP = PasswordChange.keep()


def form(**overrides: str) -> dict[str, str]:
    values = {"name": "OFFICE", **NEW_DEFAULTS, "mail_server": "smtp.example.com"}
    values.update(overrides)
    return values


def errors_of(values: dict[str, str], password: PasswordChange = KEEP, had: bool = False):
    with pytest.raises(FormInvalid) as caught:
        parse_definition(values, password, had_password=had)
    return [(e.field, e.message) for e in caught.value.errors]


def test_defaults_with_a_server_make_a_valid_definition() -> None:
    definition = parse_definition(form(), KEEP)
    assert definition == SmtpDefinition(
        name="OFFICE",
        mail_server="smtp.example.com",
        authenticate=True,
        username="",
        port=587,
        use_tls=True,
        timeout_seconds=30,
        bcc="",
    )
    assert definition.users_bring_login


def test_form_values_round_trip() -> None:
    definition = parse_definition(form(username="bob", bcc="audit@corp.example"), KEEP)
    assert parse_definition(definition.form_values(), KEEP) == definition


def test_name_is_trimmed_and_limited() -> None:
    assert parse_definition(form(name="  Office 365  "), KEEP).name == "Office 365"
    assert errors_of(form(name="x" * 41)) == [("name", "is too long (41 characters, at most 40)")]
    assert errors_of(form(name="   ")) == [("name", "is required")]


def test_every_wrong_field_is_listed_in_screen_order() -> None:
    found = errors_of(
        form(bcc="nobody", port="0", mail_server="", use_tls="X", timeout_seconds="301")
    )
    assert [field for field, _ in found] == [
        "mail_server",
        "port",
        "use_tls",
        "timeout_seconds",
        "bcc",
    ]


def test_authenticate_n_refuses_a_username() -> None:
    assert errors_of(form(authenticate="N", username="bob")) == [
        ("username", "must be empty when Authenticate is N (no login is used)")
    ]


def test_authenticate_n_refuses_a_password_typed_or_kept() -> None:
    expected = [("password", "must be empty when Authenticate is N (no login is used)")]
    assert errors_of(form(authenticate="N"), PasswordChange.set("pw")) == expected
    assert errors_of(form(authenticate="N"), KEEP, had=True) == expected
    # clearing the stored password makes it valid
    parse_definition(form(authenticate="N"), PasswordChange.clear(), had_password=True)


def test_authenticate_n_refuses_username_and_password_at_once() -> None:
    """Both, so that one Accept names everything to clear (not one per Accept)."""
    assert [field for field, _ in errors_of(form(authenticate="N", username="bob"), KEEP, had=True)] == [
        "username", "password"
    ]


def test_password_without_username_is_refused() -> None:
    assert errors_of(form(), PasswordChange.set("secret")) == [
        ("username", "is required when a password is given")
    ]


def test_authenticate_y_without_username_means_users_bring_their_own() -> None:
    definition = parse_definition(form(authenticate="Y", username=""), KEEP)
    assert definition.users_bring_login
    shared = parse_definition(form(username="bob"), PasswordChange.set("pw"))
    assert not shared.users_bring_login


def test_password_with_control_characters_is_refused_and_never_echoed() -> None:
    found = errors_of(form(username="bob"), PasswordChange.set("se\ncret"))
    assert found == [("password", "contains a control character; retype it")]
    assert "se\ncret" not in repr(PasswordChange.set("se\ncret"))


def test_password_spaces_are_kept() -> None:
    assert PasswordChange.set("  pass word ").value == "  pass word "


def test_describe_names_the_field() -> None:
    with pytest.raises(FormInvalid) as caught:
        parse_definition(form(port="70000"), KEEP)
    assert describe(caught.value.first, LABELS) == "Port must be from 1 to 65535 (not 70000)"
    assert str(caught.value) == "Port must be from 1 to 65535 (not 70000)"


@given(st.dictionaries(st.sampled_from(list(LABELS)), st.text(max_size=60)))
def test_any_form_either_fails_with_field_errors_or_yields_a_valid_definition(values) -> None:
    try:
        definition = parse_definition(values, KEEP)
    except FormInvalid as invalid:
        assert invalid.errors and all(error.field in LABELS for error in invalid.errors)
    else:
        assert 1 <= len(definition.name) <= 40
        assert 1 <= definition.port <= 65535
        assert 1 <= definition.timeout_seconds <= 300
        assert definition.authenticate or not definition.username


#: Texts a stored definition's fields hold: empty, or not (the rules between fields read no more of them).
_TEXTS = st.sampled_from(["", "bob", "x", "corp.example", "0b1c2d3e"])


@given(authenticate=st.booleans(), username=_TEXTS, method=st.sampled_from("PMG"), tenant=_TEXTS,
       client_id=_TEXTS, server=st.sampled_from(["smtp.example.com", "smtp.office365.com"]),
       name=st.sampled_from(["OFFICE", "M365"]), had_password=st.booleans(), had_secret=st.booleans())
def test_a_stored_definition_is_checked_by_its_shape_as_by_its_values(
    authenticate, username, method, tenant, client_id, server, name, had_password, had_secret,
) -> None:
    """check_stored runs the rules between fields once a shape (what they
    read: _shape) over a stand-in: it says of every definition what the
    rules say over its own values, the same errors in the same words."""
    from fincon_tui.domain.smtp import DECLARED, _together, check_stored

    stored = SmtpDefinition(name=name, mail_server=server, authenticate=authenticate, username=username, port=587,
                            use_tls=True, timeout_seconds=30, bcc="", login_method=method, tenant=tenant,
                            client_id=client_id)
    plain = DECLARED.trusted(stored)
    _together(plain, KEEP, had_password, KEEP, had_secret)
    expected = [(e.field, describe(e, LABELS)) for e in FormInvalid(plain.errors, LABELS).errors]
    try:
        check_stored(stored, had_password=had_password, had_secret=had_secret)
    except FormInvalid as invalid:
        assert [(e.field, describe(e, LABELS)) for e in invalid.errors] == expected
    else:
        assert expected == []
