"""User email settings rules and whose login is used."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support import definition

from fincon_tui._exceptions import FieldError, FormInvalid, LoginMissing
from fincon_tui.domain.login import Login, effective_login
from fincon_tui.domain.password_binding import PasswordChange, PasswordOwner
from fincon_tui.domain.secret_kinds import SecretKind
from fincon_tui.domain.users import (
    LABELS,
    NEW_DEFAULTS,
    parse_user_settings,
    validate_user_code,
)

KEEP = PasswordChange.keep()
SHARED = definition(name="OFFICE", username="shared@corp.example")
USERS_OWN = definition(name="OWN", username="")
NO_AUTH = definition(name="RELAY", authenticate=False, username="")


def form(**overrides: str) -> dict[str, str]:
    values = {
        "user_code": "alice",
        **NEW_DEFAULTS,
        "smtp_name": "office",
        "sender_name": "Alice Smith",
        "sender_email": "alice@corp.example",
    }
    values.update(overrides)
    return values


def errors_of(values, password=KEEP, smtp=SHARED) -> list[tuple[str, str]]:
    with pytest.raises(FormInvalid) as caught:
        parse_user_settings(values, password, smtp)
    return [(e.field, e.message) for e in caught.value.errors]


@pytest.mark.parametrize(("raw", "code"), [("alice", "ALICE"), (" j.doe-2_x ", "J.DOE-2_X"), ("A" * 20, "A" * 20)])
def test_user_codes_are_upper_cased(raw: str, code: str) -> None:
    assert validate_user_code(raw) == code


@pytest.mark.parametrize("raw", ["", "a b", "A" * 21, "al/ice", "émile", "al\tice"])
def test_bad_user_codes_are_refused(raw: str) -> None:
    with pytest.raises(FieldError):
        validate_user_code(raw)


@given(st.text(max_size=30))
def test_user_code_is_either_refused_or_clean(raw: str) -> None:
    try:
        code = validate_user_code(raw)
    except FieldError:
        return
    assert 1 <= len(code) <= 20 and code == code.upper()
    assert set(code) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


def test_valid_settings_take_the_definitions_spelling() -> None:
    user = parse_user_settings(form(smtp_name=" office "), KEEP, SHARED)
    assert (user.user_code, user.smtp_name) == ("ALICE", "OFFICE")
    assert user.key == "ALICE"
    assert parse_user_settings(user.form_values(), KEEP, SHARED) == user


def test_unknown_definition_and_required_fields() -> None:
    assert errors_of(form(smtp_name="nowhere", sender_name="", sender_email="x"), smtp=None) == [
        ("smtp_name", "nowhere does not exist"),
        ("sender_name", "is required"),
        ("sender_email", "is not a valid email address: An email address must have an @-sign."),
    ]
    assert errors_of(form(smtp_name=""), smtp=None) == [("smtp_name", "is required")]


def test_user_password_needs_a_user_username() -> None:
    assert errors_of(form(), PasswordChange.set("pw")) == [
        ("smtp_username", "is required when a password is given")
    ]


def test_no_login_allowed_when_the_definition_does_not_authenticate() -> None:
    assert errors_of(form(smtp_name="RELAY", smtp_username="alice"), smtp=NO_AUTH) == [
        ("smtp_username", "must be empty: SMTP definition RELAY does not authenticate")
    ]


def test_telephone_and_free_text_limits() -> None:
    assert errors_of(form(telephone="call me"))[0][0] == "telephone"
    assert errors_of(form(user_defined_6="x" * 61)) == [
        ("user_defined_6", "is too long (61 characters, at most 60)")
    ]
    user = parse_user_settings(form(telephone="+27 (21) 555-0100", user_defined_2="Cost centre 7"), KEEP, SHARED)
    assert user.telephone == "+27 (21) 555-0100" and user.user_defined[1] == "Cost centre 7"


def test_errors_are_in_screen_order() -> None:
    found = errors_of(form(user_defined_1="\x07", sender_email="", user_code=""))
    assert [field for field, _ in found] == ["user_code", "sender_email", "user_defined_1"]
    assert list(LABELS).index("user_defined_1") > list(LABELS).index("sender_email")


@pytest.mark.parametrize(
    ("smtp", "user_username", "expected"),
    [
        # user login replaces the definition's
        (SHARED, "alice@corp.example", ("alice@corp.example", PasswordOwner("user", "ALICE"), "user")),
        # no user login: the definition's shared one
        (SHARED, "", ("shared@corp.example", PasswordOwner("smtp", "OFFICE"), "definition")),
        # both: the user's wins
        (USERS_OWN, "alice@corp.example", ("alice@corp.example", PasswordOwner("user", "ALICE"), "user")),
        # Authenticate=N: no login at all, whatever the user has
        (NO_AUTH, "alice@corp.example", None),
        (NO_AUTH, "", None),
    ],
)
def test_effective_login(smtp, user_username: str, expected) -> None:
    login = effective_login(smtp, "ALICE", user_username)
    if expected is None:
        assert login is None
    else:
        assert isinstance(login, Login)
        assert (login.username, login.password_owner, login.source) == expected


def test_neither_has_a_login_names_user_and_definition() -> None:
    with pytest.raises(LoginMissing, match="User ALICE has no SMTP login, and SMTP definition OWN"):
        effective_login(USERS_OWN, "ALICE", "")


def test_login_description_says_where_it_comes_from() -> None:
    assert effective_login(SHARED, "ALICE", "").describe() == (
        "shared@corp.example (from SMTP definition OFFICE)"
    )
    assert effective_login(SHARED, "ALICE", "a@x.example").describe() == "a@x.example (from user settings)"


# -- a user's own Login Method -------------------------------------------------------

M365 = definition(name="M365", username="", login_method="M", tenant="contoso.onmicrosoft.com", client_id="mailer")
GOOGLE = definition(name="GMAIL", username="", login_method="G", client_id="gclient")


@pytest.mark.parametrize(("typed", "stored"), [("", ""), (" ", ""), ("p", "P"), ("M", "M"), ("m", "M")])
def test_own_login_method_is_p_m_g_or_empty(typed: str, stored: str) -> None:
    user = parse_user_settings(form(smtp_name="M365", smtp_username="ann@contoso.example", login_method=typed),
                               KEEP, M365)
    assert user.login_method == stored
    assert parse_user_settings(user.form_values(), KEEP, M365) == user


def test_own_login_method_refusals_name_the_field_and_what_to_do() -> None:
    assert errors_of(form(smtp_name="M365", smtp_username="ann", login_method="X"), smtp=M365) == [
        ("login_method", "must be P=Password, M=Microsoft 365, G=Google")]
    assert errors_of(form(smtp_name="M365", login_method="M"), smtp=M365) == [
        ("smtp_username", "is required with Login Method M (the user's own login)")]
    assert errors_of(form(smtp_username="ann", login_method="M")) == [
        ("login_method", "M needs SMTP definition OFFICE to use Login Method M too (its app registration "
                         "signs the user in)")]
    assert errors_of(form(smtp_name="M365", smtp_username="ann", login_method="G"), smtp=M365)[0][0] == "login_method"
    assert errors_of(form(smtp_name="RELAY", login_method="P"), smtp=NO_AUTH) == [
        ("login_method", "must be empty: SMTP definition RELAY does not authenticate")]


def test_an_oauth_login_of_a_user_takes_no_password() -> None:
    own = form(smtp_name="M365", smtp_username="ann@contoso.example")
    assert errors_of({**own, "login_method": "M"}, PasswordChange.set("pw"), M365) == [
        ("password", "must be empty with Login Method M: Microsoft 365 signs in without one")]
    # Empty takes the definition's M: the message says how to keep a password.
    assert errors_of(own, PasswordChange.set("pw"), M365) == [
        ("password", "must be empty with SMTP definition M365's Login Method M (type P here for a password): "
                     "Microsoft 365 signs in without one")]
    user = parse_user_settings({**own, "login_method": "P"}, PasswordChange.set("pw"), M365)
    assert user.login_method == "P"


@pytest.mark.parametrize(
    ("smtp", "own", "method", "described"),
    [
        (M365, "", "M", "ann@x.example, Microsoft 365 (from user settings)"),
        (M365, "P", "P", "ann@x.example, Password (from user settings)"),
        (GOOGLE, "G", "G", "ann@x.example, Google (from user settings)"),
        (SHARED, "", "P", "ann@x.example (from user settings)"),
    ],
)
def test_effective_login_takes_the_users_method_or_the_definitions(smtp, own: str, method: str,
                                                                   described: str) -> None:
    login = effective_login(smtp, "ANN", "ann@x.example", own)
    assert (login.method, login.own_method, login.describe()) == (method, own, described)
    shared = effective_login(definition(name="M365", username="box@x.example", login_method="M"), "ANN", "", own)
    assert (shared.source, shared.method) == ("definition", "M")  # no own username: the method is the definition's


@pytest.mark.parametrize(
    ("own", "method", "stored", "expected"),
    [
        ("", "M", {SecretKind.CLIENT_SECRET}, "app-only"),  # app-only acts as the user's mailbox
        ("", "M", set(), "device code"),
        ("M", "M", {SecretKind.CLIENT_SECRET}, "device code"),  # the user's own mailbox signs in
        ("", "G", {SecretKind.SERVICE_ACCOUNT_KEY}, "service account"),
        ("G", "G", {SecretKind.SERVICE_ACCOUNT_KEY}, "installed app"),
        ("", "G", {SecretKind.CLIENT_SECRET}, "installed app"),
        ("P", "M", set(), "password"),
        ("", "P", set(), "password"),
    ],
)
def test_how_a_users_own_login_goes(own: str, method: str, stored: set[str], expected: str) -> None:
    from fincon_tui.domain.login_methods import own_way

    assert own_way(own, method, stored) == expected


@given(smtp_name=st.sampled_from(["", "OFFICE", "office"]), username=st.sampled_from(["", "ann", "ann@corp.example"]),
       method=st.sampled_from(["", "P", "M", "G"]), had_password=st.booleans(),
       linked=st.one_of(st.none(), st.tuples(st.booleans(), st.sampled_from(["", "shared@corp.example"]),
                                             st.sampled_from("PMG"))))
def test_a_stored_user_is_checked_by_their_shape_as_by_their_values(
    smtp_name, username, method, had_password, linked,
) -> None:
    """check_stored finds once a shape (_passes, over a stand-in) whether a
    stored user passes the rules between fields: it says of every user and
    definition what the rules say over their own values, in the same words."""
    from fincon_tui.domain.users import UserEmailSettings, _check_stored, check_stored

    user = UserEmailSettings("ANN", smtp_name, username, "Ann", "ann@corp.example", login_method=method)
    linked_to = None if linked is None else definition(
        name="OFFICE", authenticate=linked[0], username=linked[1], login_method=linked[2],
        tenant="corp.example" if linked[2] == "M" else "", client_id="app" if linked[2] != "P" else "")

    def said(check) -> str | None:
        try:
            check(user, linked_to, had_password=had_password)
        except FormInvalid as invalid:
            return str(invalid)
        return None

    assert said(check_stored) == said(_check_stored)
