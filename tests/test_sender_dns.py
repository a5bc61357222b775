"""`check --dns`'s look-ups (fincon_tui/mail/sender_dns.py) against a real DNS
server on 127.0.0.1 (dnslib, tests/dns_server.py): never the internet."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from dns_server import Zone, dns_server
from support import definition

from fincon_tui._exceptions import ConfigError
from fincon_tui.cli.entry import main
from fincon_tui.domain.password_binding import PasswordChange
from fincon_tui.domain.senders import sender_domains
from fincon_tui.domain.smtp import SmtpDefinition
from fincon_tui.domain.users import UserEmailSettings
from fincon_tui.mail.sender_dns import DNS_SERVER_ENV, OK, WARNING, SenderDns
from fincon_tui.mail.sender_dns import dns_server as configured_server
from fincon_tui.services.smtp_settings import SmtpSettings
from fincon_tui.services.user_settings import UserSettings

M365 = "smtp.office365.com"
RELAY = "relay.mail.test"


def _zone() -> Zone:
    zone = Zone()
    # Microsoft's published include, as the provider's own servers answer it.
    zone.add("spf.protection.outlook.com", 'IN TXT "v=spf1 ip4:40.92.0.0/15 ip6:2a01:111:f400::/48 -all"')
    zone.add(RELAY, "IN A 192.0.2.20", "IN AAAA 2001:db8::20")
    # Passing SPF through the provider's include, and DMARC p=reject.
    zone.add("m365.test", 'IN TXT "v=spf1 include:spf.protection.outlook.com -all"')
    zone.add("_dmarc.m365.test", 'IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@m365.test"')
    # The relay through the domain's MX: passes.
    zone.add("viamx.test", 'IN TXT "v=spf1 mx -all"', f"IN MX 10 {RELAY}.")
    zone.add("_dmarc.viamx.test", 'IN TXT "v=DMARC1; p=quarantine"')
    # SPF that lacks the relay; no DMARC.
    zone.add("norelay.test", 'IN TXT "v=spf1 ip4:192.0.2.10 ~all"')
    # No SPF at all (an A record, so the name exists).
    zone.add("nospf.test", "IN A 192.0.2.99")
    # Eleven includes: over the 10-look-up limit.
    for number in range(11):
        zone.add(f"part{number}.test", f'IN TXT "v=spf1 ip4:198.51.100.{number} -all"')
    zone.add("toomany.test", 'IN TXT "v=spf1 ' + " ".join(f"include:part{n}.test" for n in range(11)) + ' -all"')
    # A record that carries terminal control.
    zone.add("hostile.test", 'IN TXT "v=spf1 ip4:192.0.2.20 \\033[2J\\033]0;pwned\\007 -all"')
    zone.silent.add("dead.test")
    return zone


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[Zone, tuple[str, int]]]:
    # Loaded here, not in the first look-up's time: a short deadline is for DNS alone.
    import checkdmarc.dmarc
    import checkdmarc.spf  # noqa: F401

    zone = _zone()
    with dns_server(zone) as address:
        yield zone, address


def _run(server: tuple[Zone, tuple[str, int]], seconds: float = 10.0) -> SenderDns:
    return SenderDns(time.monotonic() + seconds, server[1])


def _by_step(findings: tuple[object, ...]) -> dict[str, object]:
    return {finding.step: finding for finding in findings}  # type: ignore[attr-defined]


def test_provider_include_passes_and_dmarc_policy_is_named(server):
    spf, dmarc = _run(server).check("M365.test", M365)
    assert (spf.status, spf.step) == (OK, "spf")
    assert "authorises Microsoft 365 (include:spf.protection.outlook.com)" in spf.message
    assert (dmarc.status, dmarc.message) == (OK, "DMARC of m365.test: policy reject")


def test_the_same_domain_lacks_the_include_for_google(server):
    spf, _ = _run(server).check("m365.test", "smtp.gmail.com")
    assert spf.status == WARNING
    assert "does not authorise Google Workspace / Gmail (no include:_spf.google.com)" in spf.message
    assert spf.hint == ('change the TXT record of m365.test to '
                        '"v=spf1 include:_spf.google.com include:spf.protection.outlook.com -all"')


def test_a_relay_named_by_the_domains_mx_passes(server):
    spf, dmarc = _run(server).check("viamx.test", RELAY)
    assert spf.status == OK, spf
    assert "authorises the mail server relay.mail.test (192.0.2.20, 2001:db8::20)" in spf.message
    assert dmarc.message == "DMARC of viamx.test: policy quarantine"


def test_spf_without_the_relay_and_no_dmarc(server):
    spf, dmarc = _run(server).check("norelay.test", RELAY)
    assert spf.status == WARNING
    assert spf.message == ("SPF of norelay.test does not authorise the mail server relay.mail.test "
                           "(192.0.2.20, 2001:db8::20): receivers see softfail")
    assert spf.hint == ('change the TXT record of norelay.test to '
                        '"v=spf1 ip4:192.0.2.20 ip6:2001:db8::20 ip4:192.0.2.10 ~all"')
    assert dmarc.status == WARNING
    assert dmarc.message.startswith("norelay.test has no DMARC record")
    assert dmarc.hint.startswith('add TXT "v=DMARC1; p=quarantine" to _dmarc.norelay.test')


def test_no_spf_names_the_record_to_add(server):
    spf, _ = _run(server).check("nospf.test", M365)
    assert spf.status == WARNING
    assert spf.message.startswith("nospf.test has no SPF record")
    assert spf.hint == 'add TXT "v=spf1 include:spf.protection.outlook.com -all" to nospf.test'
    spf, _ = _run(server).check("nospf.test", RELAY)
    assert spf.hint == 'add TXT "v=spf1 ip4:192.0.2.20 ip6:2001:db8::20 -all" to nospf.test'


def test_over_ten_lookups_is_a_warning(server):
    spf, _ = _run(server).check("toomany.test", RELAY)
    assert spf.status == WARNING
    assert "needs 11 DNS look-ups, more than the 10 receivers allow (RFC 7208)" in spf.message
    assert "include:" in spf.hint


def test_a_domain_that_never_answers_ends_by_the_deadline(server):
    zone, _ = server
    spf, dmarc = _run(server, seconds=2.0).check("dead.test", M365)
    assert zone.dropped.is_set()  # the server did get the question, and kept quiet
    for finding, step in ((spf, "spf"), (dmarc, "dmarc")):
        assert finding.status == WARNING
        assert finding.step == step
        assert "no answer from DNS for dead.test within the deadline" in finding.message


def test_each_domain_is_asked_once_per_run(server):
    zone, _ = server
    run = _run(server)
    first = run.check("viamx.test", RELAY)
    asked = sum(count for (name, _), count in zone.asked.items() if name.endswith("viamx.test"))
    again = run.check("VIAMX.test.", "relay.mail.test")
    assert again == first
    assert sum(count for (name, _), count in zone.asked.items() if name.endswith("viamx.test")) == asked


def test_what_dns_says_is_never_terminal_control(server):
    findings = _run(server).check("hostile.test", RELAY)
    text = " ".join(finding.message + finding.hint for finding in findings)
    assert "\x1b" not in text and "\x07" not in text
    assert "\\x1b]0;pwned\\x07" in text  # it arrived, written out


def test_the_dns_server_variable(monkeypatch):
    monkeypatch.delenv(DNS_SERVER_ENV, raising=False)
    assert configured_server() is None
    assert configured_server("127.0.0.1:5353") == ("127.0.0.1", 5353)
    assert configured_server("[::1]:53") == ("::1", 53)
    assert configured_server("192.0.2.1") == ("192.0.2.1", 53)
    for bad in ("ns.example:53", "127.0.0.1:0", "127.0.0.1:x"):
        with pytest.raises(ConfigError, match=DNS_SERVER_ENV):
            configured_server(bad)


def test_sender_domains_are_each_from_address_once():
    definition = SmtpDefinition("OFFICE", M365, True, "Shared@Corp.Example", 587, True, 30, "")
    users = [UserEmailSettings("A", "OFFICE", "", "A", "a@corp.example"),
             UserEmailSettings("B", "OFFICE", "", "B", "b@sales.example"),
             UserEmailSettings("C", "OFFICE", "", "C", "")]
    assert sender_domains(definition, users) == ("corp.example", "sales.example")
    apikey = SmtpDefinition("GRID", "smtp.sendgrid.net", True, "apikey", 587, True, 30, "")
    assert sender_domains(apikey) == ()


def test_check_dns_adds_each_sender_domains_findings(server, db_path, store, vault, capsys, monkeypatch):
    """`check --dns --no-connect` against the server: a definition's record
    gets the domains of its login and its users' Sender Emails; without
    --dns nothing is asked of DNS."""
    zone, (host, port) = server
    smtp = SmtpSettings(store, vault)
    smtp.save(definition(name="OFFICE", mail_server=M365, username="shared@m365.test"),
              PasswordChange.set("pw"), None)
    UserSettings(store, vault).save(UserEmailSettings("CAROL", "OFFICE", "", "Carol", "carol@nospf.test"),
                                    PasswordChange.keep(), None)
    smtp.save(definition(name="RELAY", mail_server=RELAY, username="bob@norelay.test"),
              PasswordChange.set("bob-pw"), None)

    def check(*words: str) -> tuple[int, list[str]]:
        status = main(["--db", str(db_path), "check", "--no-connect", *words])
        return status, capsys.readouterr().out.splitlines()

    monkeypatch.setenv(DNS_SERVER_ENV, f"{host}:{port}")
    asked = sum(zone.asked.values())
    status, lines = check()
    assert sum(zone.asked.values()) == asked and not any("SPF" in line for line in lines)  # off unless asked
    status, lines = check("--dns")
    assert status == 1
    assert lines[0] == "SMTP WARNING - 2 warning, 0 ok | ok=0 warning=2 critical=0 unknown=0"
    assert "WARNING OFFICE: nospf.test has no SPF record: receivers cannot tell its mail from forgery – add TXT " \
           '"v=spf1 include:spf.protection.outlook.com -all" to nospf.test' in lines
    assert any(line.startswith("WARNING OFFICE: nospf.test has no DMARC record") for line in lines)
    assert any(line.startswith("WARNING RELAY: SPF of norelay.test does not authorise the mail server "
                               "relay.mail.test") for line in lines)
    assert not any("m365.test" in line for line in lines[1:])  # its SPF and DMARC are fine: no line
    status, lines = check("--dns", "--json", "--only", "OFFICE")
    findings = json.loads("\n".join(lines))["records"][0]["findings"]
    assert {"status": "OK", "step": "DMARC", "message": "DMARC of m365.test: policy reject", "hint": "",
            "expires": None} in findings

    monkeypatch.setenv(DNS_SERVER_ENV, "dns.example")
    status, lines = check("--dns")
    assert status == 3 and len(lines) == 1
    assert lines[0].startswith(f"SMTP UNKNOWN - {DNS_SERVER_ENV} must be an IP address and port")


@pytest.mark.engines
def test_check_dns_keeps_each_records_spf_verdict(server, store, vault, monkeypatch):
    """What `check --dns` finds of SPF is stored per record through the
    Store (on both engines) without bumping a version or writing history;
    the next run that can tell replaces it, one that finds the SPF fine
    clears the mark, one that cannot tell leaves it, a deletion takes it."""
    from fincon_tui.services.check import CheckOptions, MailHealth
    from fincon_tui.services.login_results import cell, line, warns
    from fincon_tui.services.work_lists import definitions

    zone, (host, port) = server
    monkeypatch.setenv(DNS_SERVER_ENV, f"{host}:{port}")
    smtp, users = SmtpSettings(store, vault), UserSettings(store, vault)
    smtp.save(definition(name="OFFICE", mail_server=M365, username="shared@m365.test"), PasswordChange.set("pw"), None)
    users.save(UserEmailSettings("CAROL", "OFFICE", "", "Carol", "carol@nospf.test"), PasswordChange.keep(), None)
    smtp.save(definition(name="RELAY", mail_server=RELAY, username="bob@norelay.test"), PasswordChange.set("b"), None)
    smtp.save(definition(name="VIA", mail_server=RELAY, username="v@viamx.test"), PasswordChange.set("v"), None)

    def run(**options: object) -> None:
        MailHealth.of(store, vault).check(CheckOptions(**{"connect": False, "dns": True, **options}))

    def verdicts() -> dict[str, object]:
        rows = {stored.key: stored.row_id for stored in smtp.search("", limit=10)}
        found = store.spf_verdicts.latest_for("smtp", rows.values())
        return {key: found.get(row_id) for key, row_id in rows.items()}

    run(dns=False)
    assert set(verdicts().values()) == {None}  # without --dns nothing is stored
    before = {stored.key: (stored.version, len(store.audit.history("smtp", stored.row_id)))
              for stored in smtp.search("", limit=10)}
    run()
    first = verdicts()
    office, relay, via = first["OFFICE"], first["RELAY"], first["VIA"]
    assert (office.fails, office.domain, office.finding) == (True, "nospf.test", "nospf.test has no SPF record")
    assert (relay.fails, relay.domain, relay.finding) == (
        True, "norelay.test", "norelay.test does not authorise relay.mail.test")
    assert (via.fails, via.domain, via.finding) == (False, "viamx.test", "")
    assert {stored.key: (stored.version, len(store.audit.history("smtp", stored.row_id)))
            for stored in smtp.search("", limit=10)} == before  # no version bumped, no history written
    rows = {row.key: row for row in definitions(smtp, "", 10).rows}
    assert [(rows[key].last_test_cell, rows[key].last_test_warns) for key in ("OFFICE", "RELAY", "VIA")] == [
        ("— SPF!", True), ("— SPF!", True), ("—", False)]
    assert line(None, relay).startswith("Last test: never · SPF: norelay.test does not authorise relay.mail.test (")
    assert cell(None, via) == "—" and not warns(None, via) and line(None, via) == "Last test: never"

    smtp.save(definition(name="RELAY", mail_server=RELAY, username="bob@viamx.test"), PasswordChange.keep(),
              smtp.get("RELAY"))
    run()
    second = verdicts()
    assert not second["RELAY"].fails and second["RELAY"].checked_at >= relay.checked_at  # fine now: cleared
    assert second["OFFICE"].fails and second["OFFICE"].checked_at >= office.checked_at  # replaced by the newer run
    assert {row.key: row.last_test_cell for row in definitions(smtp, "", 10).rows}["RELAY"] == "—"

    smtp.save(definition(name="OFFICE", mail_server=M365, username="shared@dead.test"), PasswordChange.keep(),
              smtp.get("OFFICE"))
    users.delete("CAROL", users.get("CAROL"))
    run(deadline=1.0, only=("OFFICE",))  # DNS does not answer for dead.test: the last verdict stands
    assert zone.dropped.is_set() and verdicts()["OFFICE"] == second["OFFICE"]

    smtp.delete("OFFICE", smtp.get("OFFICE"))
    assert store.spf_verdicts.latest_for("smtp", [office.row_id]) == {}
