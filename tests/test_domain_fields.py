"""Field validators: examples a person would type, and hypothesis for the rest."""

from __future__ import annotations

import ipaddress
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fincon_tui._exceptions import FieldError
from fincon_tui.domain import fields
from fincon_tui.domain.value_rules import Email, Host


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("smtp.office365.com", "smtp.office365.com"),
        ("  Mail.Example.COM  ", "mail.example.com"),
        ("localhost", "localhost"),
        ("mail.example.com.", "mail.example.com"),
        ("192.168.1.10", "192.168.1.10"),
        ("2001:db8::25", "2001:db8::25"),
        ("[2001:db8::25]", "2001:db8::25"),
        ("smtp.bücher.de", "smtp.bücher.de"),
    ],
)
def test_host_accepts(raw: str, expected: str) -> None:
    assert fields.host(raw) == expected


@pytest.mark.parametrize(
    ("raw", "hint"),
    [
        ("", "required"),
        ("smtp://mail.example.com", "without a scheme"),
        ("mail.example.com:587", "Port field"),
        ("[2001:db8::25]:587", "Port field"),
        ("mail example.com", "spaces"),
        ("user@mail.example.com", "host name only"),
        ("mail_relay.example.com", "not a valid host name"),
        ("-mail.example.com", "not a valid host name"),
        ("999.1.1.1", "IPv4"),
        ("1.2.3", "IPv4"),
        ("2001:db8:::1", "IPv6"),
        ("a" * 64 + ".com", "not a valid host name"),
        ("mail.ex\x00ample.com", "control character"),
        ("smtp.\u2603\u2603\u2603--.com", "international"),
    ],
)
def test_host_refuses_with_a_hint(raw: str, hint: str) -> None:
    with pytest.raises(FieldError, match=hint):
        fields.host(raw)


@given(st.ip_addresses())
def test_every_ip_address_is_a_valid_host(address) -> None:
    assert ipaddress.ip_address(fields.host(str(address))) == address


_label = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=20)


@given(st.lists(_label, min_size=2, max_size=5))
def test_dns_names_are_accepted_lower_case(labels: list[str]) -> None:
    name = ".".join(["mail", *labels, "example"])
    assert fields.host(name.upper()) == name


@given(st.text())
def test_host_either_refuses_or_returns_a_clean_name(raw: str) -> None:
    try:
        value = fields.host(raw)
    except FieldError as error:
        assert error.message
    else:
        assert value and value == value.strip()
        assert not any(char.isspace() for char in value)
        assert "://" not in value and "/" not in value


@pytest.mark.parametrize(("raw", "expected"), [("y", True), ("Y", True), ("n", False), (" N ", False)])
def test_yes_no(raw: str, expected: bool) -> None:
    assert fields.yes_no(raw) is expected


@given(st.text().filter(lambda t: t.strip().upper() not in ("Y", "N")))
def test_yes_no_refuses_everything_else(raw: str) -> None:
    with pytest.raises(FieldError, match="Y or N"):
        fields.yes_no(raw)


@given(st.integers(min_value=1, max_value=65535))
def test_port_range_accepted(port: int) -> None:
    assert fields.whole_number(str(port), 1, 65535) == port


@given(st.one_of(st.integers(max_value=0), st.integers(min_value=65536)))
def test_port_outside_range_refused(port: int) -> None:
    with pytest.raises(FieldError):
        fields.whole_number(str(port), 1, 65535)


@given(st.text())
def test_whole_number_never_accepts_garbage(raw: str) -> None:
    try:
        number = fields.whole_number(raw, 1, 300)
    except FieldError:
        return
    digits = raw.strip()
    # Leading zeros are digits too ("025" is 25); anything else is refused.
    assert 1 <= number <= 300 and digits.isascii() and digits.isdigit() and int(digits) == number


@pytest.mark.parametrize("raw", ["", "  "])
def test_whole_number_required(raw: str) -> None:
    with pytest.raises(FieldError, match="required"):
        fields.whole_number(raw, 1, 300)


@pytest.mark.parametrize("raw", ["٣٠", "30.0", "-5", "1e2", "+30"])
def test_whole_number_digits_only(raw: str) -> None:
    with pytest.raises(FieldError):
        fields.whole_number(raw, 1, 300)


def test_email_blank_is_allowed_when_optional() -> None:
    assert fields.email_address("  ") == ""


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("audit@corp.example", "audit@corp.example"), (" Audit@CORP.example ", "Audit@corp.example")],
)
def test_email_accepts_and_normalises_domain(raw: str, expected: str) -> None:
    assert fields.email_address(raw) == expected


@pytest.mark.parametrize(
    "raw", ["audit", "audit@", "@corp.example", "a@b@c.example", "a@corp.example, b@corp.example"]
)
def test_email_refuses(raw: str) -> None:
    with pytest.raises(FieldError):
        fields.email_address(raw)


@given(st.emails())
def test_generated_addresses_are_accepted(address: str) -> None:
    # accepted; the domain may come back in Unicode form (xn-- decoded)
    assert fields.email_address(address).split("@")[0] == address.split("@")[0]


@given(st.text(min_size=1))
def test_text_trims_and_limits(raw: str) -> None:
    try:
        value = fields.text(raw, max_length=40, required=True)
    except FieldError:
        return
    assert value == value.strip() and 1 <= len(value) <= 40


@pytest.mark.parametrize("raw", ["tab\there", "new\nline", "esc\x1b[0m", "bidi\u202e"])
def test_control_characters_are_refused(raw: str) -> None:
    with pytest.raises(FieldError, match="control character"):
        fields.text(raw, max_length=40)


@pytest.mark.parametrize("rule", [Host(required=False), Email(required=False)], ids=lambda rule: type(rule).__name__)
def test_an_optional_host_or_address_is_empty_when_left_empty(rule) -> None:
    """As its declaration says (required=False): empty or spaces keep
    nothing, its column NULL; anything else is checked as when required."""
    assert rule.check("") == rule.check("   ") == "" and rule.to_column("") is None
    with pytest.raises(FieldError):
        rule.check("a b")
    with pytest.raises(FieldError):
        type(rule)(required=True).check("")
