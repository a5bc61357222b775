"""Will the mail arrive?  A sender domain's SPF and DMARC, as `check --dns` reads them.

A server that takes the test email says nothing of whether customers'
servers will take invoices from that sender: they ask the sender domain's
SPF record whether the server it came through may send for it, and its
DMARC record what to do when not.  For each sender domain this module asks:

- SPF exists, authorises the definition's mail server (Microsoft 365 and
  Google through their published include, any other relay through its own
  addresses, A and AAAA), and needs at most 10 DNS look-ups (RFC 7208
  4.6.4: a receiver treats more as a permanent error);
- DMARC exists (`_dmarc.<domain>`, or the organisational domain's), and
  which policy it sets.

checkdmarc fetches and parses the records: it follows include and redirect,
resolves a and mx terms, counts the look-ups and names syntax errors.  It
does not say whether one address passes, so `_verdict` walks the tree it
built, in order, as RFC 7208 section 5 evaluates it: the first term that
matches decides; an include matches when its record passes.  Terms that
need the message itself (exists, ptr, macros) leave the answer open, and the
finding says so rather than guessing.

Everything here is a WARNING at most (never CRITICAL): DNS is the mail's
future, not its present.  Each finding names the record to add or change.
Every look-up of a run ends by its deadline: it runs in a daemon thread that
nobody joins, like `network.resolve`, and a domain that has not answered by
then is a finding of its own ("no answer"), never a hang.  What DNS says is
quoted through `shown`, never trusted as terminal control.

The resolver is the system's, or the server in $FINCON_TUI_DNS_SERVER
(`127.0.0.1:5353`, `[::1]:5353`), which the tests point at a server of
their own.  checkdmarc and dnspython load on the first check.
"""

from __future__ import annotations

import ipaddress
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from fincon_tui._exceptions import ConfigError
from fincon_tui.domain import providers
from fincon_tui.domain.visible import shown

if TYPE_CHECKING:
    import dns.resolver

#: host:port of the one DNS server to ask instead of the system's resolvers.
DNS_SERVER_ENV = "FINCON_TUI_DNS_SERVER"
#: RFC 7208 4.6.4: more DNS-querying terms than this is a permanent error.
MAX_LOOKUPS = 10
#: How much of a record a finding quotes.
RECORD_SHOWN = 200

OK = "OK"
WARNING = "WARNING"

T = TypeVar("T")
#: One SPF tree as checkdmarc's parse_spf_record returns it (TypedDicts there).
Tree = dict[str, Any]


@dataclass(frozen=True)
class DnsFinding:
    """What one look-up found for a sender domain; status OK or WARNING."""

    status: str
    domain: str
    #: 'spf' or 'dmarc'.
    step: str
    message: str
    #: The record to add or change; '' when nothing is to be done.
    hint: str = ""
    #: For SPF: 'pass' when the domain authorises the mail server, 'fail'
    #: when receivers would fail mail from it (no SPF, an SPF error, the
    #: server not authorised), '' when DNS could not tell.
    spf: str = ""
    #: For SPF that fails: the finding in a few words, for a form's line.
    brief: str = ""

    @property
    def ok(self) -> bool:
        return self.status == OK


def dns_server(raw: str | None = None) -> tuple[str, int] | None:
    """The (address, port) of $FINCON_TUI_DNS_SERVER (or `raw`), None when unset.
    ConfigError naming the variable when it is not an IP address with a port."""
    text = (os.environ.get(DNS_SERVER_ENV, "") if raw is None else raw).strip()
    if not text:
        return None
    host, colon, port = text.rpartition(":")
    if not colon:
        host, port = text, "53"
    host = host.removeprefix("[").removesuffix("]")
    try:
        address = str(ipaddress.ip_address(host))
        number = int(port)
    except ValueError:
        number = 0
    if not 1 <= number <= 65535:
        raise ConfigError(f"{DNS_SERVER_ENV} must be an IP address and port, such as 127.0.0.1:5353 "
                          f"or [::1]:5353 (it is {shown(text)})")
    return address, number


class _Pending(Generic[T]):
    """One look-up in a daemon thread nobody joins: its result once done."""

    def __init__(self, work: Callable[[], T]) -> None:
        self._done = threading.Event()
        self._result: T | None = None
        self._error: BaseException | None = None

        def run() -> None:
            try:
                self._result = work()
            except Exception as error:  # handed to whoever waits
                self._error = error
            finally:
                self._done.set()

        threading.Thread(target=run, name="sender DNS", daemon=True).start()

    def wait(self, deadline: float) -> T | None:
        """The result, or None when the deadline passes first; re-raises the look-up's error."""
        if not self._done.wait(max(0.0, deadline - time.monotonic())):
            return None
        if self._error is not None:
            raise self._error
        return self._result


@dataclass
class _Records:
    """One domain's SPF and DMARC results as checkdmarc gives them, with
    the addresses of the hosts its SPF's mx terms name."""

    spf: dict[str, Any]
    dmarc: dict[str, Any]
    mx_addresses: dict[str, list[str]] = field(default_factory=dict)


class SenderDns:
    """The DNS checks of one run: each sender domain and each relay is
    looked up once (whatever number of records send from it), and every
    look-up ends by `deadline` (a time.monotonic() value)."""

    def __init__(self, deadline: float, server: tuple[str, int] | None = None, *, from_env: bool = True) -> None:
        self.deadline = deadline
        self.server = server if server is not None or not from_env else dns_server()
        self._lock = threading.Lock()
        self._domains: dict[str, _Pending[_Records]] = {}
        self._relays: dict[str, _Pending[list[str]]] = {}

    def start(self, domain: str, mail_server: str) -> None:
        """Begin the look-ups `check` needs, without waiting for them (so
        that they go on while the login tests do)."""
        self._domain(domain)
        if providers.find(mail_server) is None:
            self._relay(mail_server)

    def check(self, domain: str, mail_server: str) -> tuple[DnsFinding, ...]:
        """The SPF and DMARC findings of `domain` for mail sent through
        `mail_server`; waits for the look-ups until the deadline at most."""
        domain = domain.strip().rstrip(".").lower()
        pending = self._domain(domain)
        try:
            records = pending.wait(self.deadline)
        except TimeoutError:
            records = None
        except Exception as error:  # whatever the library raised: a finding, never a traceback
            message = f"could not be checked: {shown(str(error) or type(error).__name__)}"
            return (DnsFinding(WARNING, domain, "spf", f"SPF of {shown(domain)} {message}"),
                    DnsFinding(WARNING, domain, "dmarc", f"DMARC of {shown(domain)} {message}"))
        if records is None:
            message = f"no answer from DNS for {shown(domain)} within the deadline"
            hint = "check that the domain's name servers answer, or give the run a longer --deadline"
            return (DnsFinding(WARNING, domain, "spf", f"SPF unknown: {message}", hint),
                    DnsFinding(WARNING, domain, "dmarc", f"DMARC unknown: {message}", hint))
        return (self._spf_finding(domain, records, mail_server.strip()), _dmarc_finding(domain, records.dmarc))

    # ------------------------------------------------------------ look-ups

    def _domain(self, domain: str) -> _Pending[_Records]:
        key = domain.strip().rstrip(".").lower()
        with self._lock:
            if key not in self._domains:
                self._domains[key] = _Pending(lambda: self._look_up(key))
            return self._domains[key]

    def _relay(self, host: str) -> _Pending[list[str]]:
        key = host.strip().lower()
        with self._lock:
            if key not in self._relays:
                self._relays[key] = _Pending(lambda: self._addresses(key))
            return self._relays[key]

    def resolver(self) -> dns.resolver.Resolver:
        """A dnspython resolver with the time left to the deadline as lifetime."""
        import dns.nameserver
        import dns.resolver

        if self.server is None:
            resolver = dns.resolver.Resolver()
        else:
            resolver = dns.resolver.Resolver(configure=False)
            resolver.nameservers = [dns.nameserver.Do53Nameserver(*self.server)]
        left = max(0.05, self.deadline - time.monotonic())
        resolver.lifetime = left
        resolver.timeout = min(1.0, left)  # a lost datagram is asked again within the lifetime
        return resolver

    def _look_up(self, domain: str) -> _Records:
        import checkdmarc.dmarc
        import checkdmarc.spf
        import dns.exception
        import dns.resolver

        resolver = self.resolver()
        try:  # whether the domain answers at all: dnspython's exceptions say it, checkdmarc's text does not
            resolver.resolve(domain, "TXT")
        except (dns.exception.Timeout, dns.resolver.NoNameservers) as error:
            raise TimeoutError(domain) from error
        except dns.exception.DNSException:
            pass  # NXDOMAIN, no TXT: checkdmarc words it
        timeout = resolver.lifetime
        spf = checkdmarc.spf.check_spf(domain, resolver=self.resolver(), timeout=timeout, retries=0)
        dmarc = checkdmarc.dmarc.check_dmarc(domain, resolver=self.resolver(), timeout=timeout, retries=0)
        records = _Records(dict(spf), dict(dmarc))
        for host in _mx_hosts(spf.get("parsed")):
            records.mx_addresses[host] = self._addresses(host)
        return records

    def _addresses(self, host: str) -> list[str]:
        """The A and AAAA addresses of `host` ([] when it has none)."""
        import dns.exception

        try:
            return [str(ipaddress.ip_address(host))]
        except ValueError:
            pass
        found: list[str] = []
        for kind in ("A", "AAAA"):
            try:
                found += [record.to_text() for record in self.resolver().resolve(host, kind)]
            except dns.exception.Timeout as error:
                raise TimeoutError(host) from error
            except dns.exception.DNSException:
                pass
        return found

    def _relay_addresses(self, host: str) -> list[str] | None:
        """The relay's addresses, None when DNS did not answer in time."""
        try:
            return self._relay(host).wait(self.deadline)
        except TimeoutError:
            return None

    # ------------------------------------------------------------ SPF

    def _spf_finding(self, domain: str, records: _Records, mail_server: str) -> DnsFinding:
        spf = records.spf
        provider = providers.find(mail_server)
        include = provider.spf_include if provider is not None else ""
        record = spf.get("record")
        if not record:
            if spf.get("error") and "does not exist" not in str(spf["error"]):
                return _spf_warning(domain, f"SPF of {shown(domain)} could not be read: {shown(str(spf['error']))}",
                                    "check the domain's TXT records")
            return self._missing_spf(domain, mail_server, include, provider)
        lookups = spf.get("dns_lookups") or 0
        if lookups > MAX_LOOKUPS:
            return _spf_fails(
                domain, f"SPF of {shown(domain)} needs {lookups} DNS look-ups, more than the {MAX_LOOKUPS} "
                "receivers allow (RFC 7208): they treat it as an error, as if there were no SPF",
                f"shorten the TXT record of {shown(domain)}: drop unused include: terms, or replace some "
                "with the ip4:/ip6: ranges they list", f"{shown(domain)} needs {lookups} DNS look-ups (10 at most)")
        if spf.get("error"):
            return _spf_fails(domain, f"SPF of {shown(domain)} is not valid: {shown(str(spf['error']))}",
                              f"correct the TXT record of {shown(domain)}: {_quoted(record)}",
                              f"{shown(domain)} has an SPF record that is not valid")
        tree: Tree = spf.get("parsed") or {}
        if include and provider is not None:
            if _includes(tree, include):
                return DnsFinding(OK, domain, "spf", f"SPF of {shown(domain)} authorises {provider.name} "
                                  f"(include:{include})", spf="pass")
            return _spf_fails(
                domain, f"SPF of {shown(domain)} does not authorise {provider.name} (no include:{include})",
                f"change the TXT record of {shown(domain)} to {_quoted(_with_term(record, f'include:{include}'))}",
                f"{shown(domain)} does not authorise {provider.name}")
        addresses = self._relay_addresses(mail_server)
        if addresses is None:
            return _spf_warning(domain, f"SPF of {shown(domain)} unknown: no answer from DNS for the mail server "
                                f"{shown(mail_server)} within the deadline", "give the run a longer --deadline")
        if not addresses:
            return _spf_warning(domain, f"SPF of {shown(domain)} unknown: the mail server {shown(mail_server)} "
                                "has no address in DNS", "check the Mail Server's name")
        verdicts = {address: _verdict(tree, ipaddress.ip_address(address), records.mx_addresses)
                    for address in addresses}
        refused = [address for address, verdict in verdicts.items() if verdict not in ("pass", None)]
        open_ = [address for address, verdict in verdicts.items() if verdict is None]
        if refused:
            verdict = verdicts[refused[0]]
            return _spf_fails(
                domain, f"SPF of {shown(domain)} does not authorise the mail server {shown(mail_server)} "
                f"({', '.join(refused)}): receivers see {verdict}",
                f"change the TXT record of {shown(domain)} to "
                f"{_quoted(_with_term(record, _address_terms(refused)))}",
                f"{shown(domain)} does not authorise {shown(mail_server)}")
        if open_:
            return _spf_warning(
                domain, f"SPF of {shown(domain)} may or may not authorise the mail server {shown(mail_server)}: "
                "it uses exists, ptr or macro terms, which depend on the message",
                f"to be sure, add {_address_terms(open_)} to the TXT record of {shown(domain)}")
        return DnsFinding(OK, domain, "spf", f"SPF of {shown(domain)} authorises the mail server "
                          f"{shown(mail_server)} ({', '.join(addresses)})", spf="pass")

    def _missing_spf(self, domain: str, mail_server: str, include: str,
                     provider: providers.Provider | None) -> DnsFinding:
        if include and provider is not None:
            term = f"include:{include}"
        else:
            addresses = self._relay_addresses(mail_server)
            term = _address_terms(addresses) if addresses else f"a:{mail_server}"
        return _spf_fails(domain, f"{shown(domain)} has no SPF record: receivers cannot tell its mail from forgery",
                          f'add TXT "v=spf1 {shown(term)} -all" to {shown(domain)}',
                          f"{shown(domain)} has no SPF record")


def _spf_warning(domain: str, message: str, hint: str) -> DnsFinding:
    """SPF that DNS could not tell (no answer, an open term): a WARNING, no verdict."""
    return DnsFinding(WARNING, domain, "spf", message, hint)


def _spf_fails(domain: str, message: str, hint: str, brief: str) -> DnsFinding:
    """SPF that receivers would fail for mail from the record's server."""
    return DnsFinding(WARNING, domain, "spf", message, hint, spf="fail", brief=brief)


def _quoted(record: str) -> str:
    return f'"{shown(record, RECORD_SHOWN)}"'


def _with_term(record: str, term: str) -> str:
    """`record` with `term` first after its version (`v=spf1`)."""
    version, _, rest = record.partition(" ")
    return f"{version} {term} {rest}".rstrip()


def _address_terms(addresses: Iterable[str]) -> str:
    return " ".join(f"ip{ipaddress.ip_address(address).version}:{address}" for address in addresses)


def _terms(tree: Tree | None) -> Iterable[Tree]:
    """The terms of `tree` and of every record it includes or redirects to, depth first."""
    if not tree:
        return
    for term in tree.get("mechanisms") or ():
        yield term
        yield from _terms(term.get("parsed"))
    redirect = tree.get("redirect")
    if redirect:
        yield from _terms(redirect.get("parsed"))


def _includes(tree: Tree, domain: str) -> bool:
    """Whether `tree` includes `domain` with a pass (`include:` or `+include:`)."""
    return any(term.get("mechanism") == "include" and term.get("action") == "pass"
               and str(term.get("value", "")).lower().rstrip(".") == domain for term in _terms(tree))


def _mx_hosts(tree: Tree | None) -> list[str]:
    hosts: list[str] = []
    for term in _terms(tree):
        if term.get("mechanism") == "mx":
            hosts += [str(host.get("hostname", "")) for host in term.get("hosts") or ()]
    return [host for host in dict.fromkeys(hosts) if host]


def _matches(address: ipaddress.IPv4Address | ipaddress.IPv6Address, networks: Iterable[str]) -> bool:
    for network in networks:
        try:
            if address in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue
    return False


def _verdict(tree: Tree, address: ipaddress.IPv4Address | ipaddress.IPv6Address,
             mx_addresses: dict[str, list[str]]) -> str | None:
    """What `tree` says of mail from `address`: 'pass', 'fail', 'softfail' or
    'neutral', or None when a term that needs the message decides first."""
    for term in tree.get("mechanisms") or ():
        kind, value = term.get("mechanism"), str(term.get("value", ""))
        if "%" in value:
            return None  # a macro: expands per message
        if kind in ("ip4", "ip6"):
            networks = [value]
        elif kind == "a":
            networks = list(term.get("addresses") or ())
        elif kind == "mx":
            # checkdmarc keeps the mx term's domain, not its prefix lengths: the hosts' own addresses
            networks = [found for host in term.get("hosts") or ()
                        for found in mx_addresses.get(str(host.get("hostname", "")), [])]
        elif kind == "include":
            included = term.get("parsed")
            if not included:
                return None
            inner = _verdict(included, address, mx_addresses)
            if inner is None:
                return None
            if inner == "pass":
                return str(term.get("action", "pass"))
            continue
        else:  # exists, ptr
            return None
        if _matches(address, networks):
            return str(term.get("action", "pass"))
    redirect = tree.get("redirect")
    if redirect and redirect.get("parsed"):
        return _verdict(redirect["parsed"], address, mx_addresses)
    return str(tree.get("all") or "neutral")


# ---------------------------------------------------------------- DMARC


def _dmarc_finding(domain: str, dmarc: dict[str, Any]) -> DnsFinding:
    record = dmarc.get("record")
    if not record:
        error = str(dmarc.get("error") or "")
        if error and "does not exist" not in error:
            return DnsFinding(WARNING, domain, "dmarc", f"DMARC of {shown(domain)} could not be read: {shown(error)}",
                              f"check the TXT record of _dmarc.{shown(domain)}")
        return DnsFinding(WARNING, domain, "dmarc",
                          f"{shown(domain)} has no DMARC record: receivers such as Gmail and Outlook.com "
                          "expect one from bulk senders",
                          f'add TXT "v=DMARC1; p=quarantine" to _dmarc.{shown(domain)} (p=none to only watch)')
    where = str(dmarc.get("location") or domain)
    source = "" if where == domain else f" (from {shown(where)})"
    if dmarc.get("error"):
        return DnsFinding(WARNING, domain, "dmarc",
                          f"DMARC of {shown(domain)}{source} is not valid: {shown(str(dmarc['error']))}",
                          f"correct the TXT record of _dmarc.{shown(where)}: {_quoted(str(record))}")
    tags = dmarc.get("tags") or {}
    policy = str((tags.get("p") or {}).get("value", "none"))
    return DnsFinding(OK, domain, "dmarc", f"DMARC of {shown(domain)}{source}: policy {shown(policy)}")
