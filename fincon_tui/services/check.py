"""`fincon-tui check`: every definition, and every user with a login of
their own, checked for what would stop invoices going out, in the
monitoring plugin convention (Nagios, Icinga, Zabbix, Checkmk).

One entry point, `MailHealth.check` (the CLI's, and the TUI's later),
in two halves that a front end with a database thread can call apart:
`plan` reads the records and opens their secrets (the database thread),
`test` runs the login tests (an event loop).

Without connecting (`plan`), for each record:

- its login is complete (`effective_login`, the rule of the lists and
  forms) and its secrets open with this machine's key: a login that
  cannot work is CRITICAL; a key this machine does not have is UNKNOWN
  (the record could not be checked here, which says nothing of it);
- the secrets and sign-ins it uses expire after `warn_days`
  (`oauth_logins.expiring_secrets`, the rule of `smtp test`): WARNING
  within `warn_days`, CRITICAL within `critical_days` or expired;
- a Microsoft 365 password login is a WARNING naming OAuth 2.0
  (`providers.m365_password_flag`);
- a user linked to a definition that cannot serve them is CRITICAL
  (`work_lists.login_used`, the rule of the Work with list).

With `connect`, `test` runs the login test of each record as `smtp test`
does (`MailChecks.login_test`: connect, TLS, log in, QUIT, nothing sent),
at most CONCURRENT at a time, each within its own Time Out, all within
`deadline` seconds of the start: a test that did not end by then is
UNKNOWN, never OK.  A failed test is CRITICAL; a server certificate that
expires within the days is WARNING or CRITICAL.  A definition with Use
TLS = N is not logged in to (the password would cross unencrypted): a
WARNING.

A record's findings are plain `Finding`s, so that other checks (the
sender domains' DNS) can add theirs to a `RecordCheck`.  Statuses combine
as the Monitoring Plugins' `max_state_alt` does: CRITICAL > WARNING >
UNKNOWN > OK.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import IntEnum
from typing import TYPE_CHECKING, Literal

from fincon_tui._exceptions import CannotTest, KeyMissing, LoginMissing, SecretStoreError, StorageError
from fincon_tui.domain.expiry import CRITICAL_DAYS, WARN_DAYS
from fincon_tui.domain.login import Login, effective_login
from fincon_tui.domain.password_binding import PasswordOwner, smtp_owner, user_owner
from fincon_tui.domain.providers import m365_password_flag
from fincon_tui.domain.visible import visible
from fincon_tui.services.oauth_logins import expires_within, expiries, expiring_secrets, used_expiries
from fincon_tui.storage.records import fold

if TYPE_CHECKING:
    from fincon_tui.domain.smtp import SmtpDefinition
    from fincon_tui.domain.users import UserEmailSettings
    from fincon_tui.keystore.vault import PasswordVault
    from fincon_tui.mail.outcome import Outcome
    from fincon_tui.mail.transcript import Transcript
    from fincon_tui.services.mail_checks import MailChecks, Prepared
    from fincon_tui.storage.records import SpfVerdict, Stored
    from fincon_tui.storage.store import Store

#: Login tests run at the same time, at most.
CONCURRENT = 4
#: The whole run's deadline unless given (seconds).
DEADLINE = 60.0
#: How often the front end is told again where the tests are (seconds).
TELL_EVERY = 0.5


class Status(IntEnum):
    """A monitoring plugin's states, as its exit status."""

    OK = 0
    WARNING = 1
    CRITICAL = 2
    UNKNOWN = 3


#: How bad each status is when statuses combine (max_state_alt).
_RANK = {Status.OK: 0, Status.UNKNOWN: 1, Status.WARNING: 2, Status.CRITICAL: 3}


def worst(statuses: Sequence[Status]) -> Status:
    """The status that wins: CRITICAL > WARNING > UNKNOWN > OK (OK of none)."""
    return max(statuses, key=_RANK.__getitem__, default=Status.OK)


Kind = Literal["smtp", "user"]


@dataclass(frozen=True)
class Finding:
    """One thing found about a record: how bad, at which step ('login',
    'secret', 'expiry', 'provider', 'link', 'TLS', 'deadline',
    'certificate', 'SPF', 'DMARC', 'DNS', or the login test's own:
    'connect', 'AUTH' ...), what, what to do, and the date something
    expires (ISO) when it is about one.
    Plain text: server text in it has its control characters escaped."""

    status: Status
    step: str
    message: str
    hint: str = ""
    expires: str | None = None

    def __post_init__(self) -> None:
        for name in ("step", "message", "hint"):
            object.__setattr__(self, name, visible(getattr(self, name)))


@dataclass
class RecordCheck:
    """What was found about one record: `kind` 'smtp' (a definition) or
    'user', its key, and its findings; OK when none is worse."""

    kind: Kind
    name: str
    findings: list[Finding] = field(default_factory=list)
    #: What was checked, for an OK record (its login test's message).
    checked: str = ""
    #: The records checked: the definition (a user's own), and the user; for
    #: checks that join theirs (a sender domain's DNS: the From addresses).
    definition: SmtpDefinition | None = field(default=None, repr=False)
    user: UserEmailSettings | None = field(default=None, repr=False)
    #: The record's row_id ('' for a name --only did not find).
    row_id: str = ""
    #: What --dns found of the SPF of each domain the record sends from:
    #: (domain, 'pass', 'fail' or '' when DNS could not tell, the brief finding).
    spf: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def status(self) -> Status:
        return worst([finding.status for finding in self.findings])

    @property
    def main(self) -> Finding | None:
        """The worst finding (the first of the worst), or None when all is OK."""
        bad = [finding for finding in self.findings if finding.status is not Status.OK]
        return max(bad, key=lambda finding: _RANK[finding.status], default=None)

    @property
    def expires(self) -> str | None:
        """The earliest expiry among the findings."""
        return min((finding.expires for finding in self.findings if finding.expires), default=None)

    @property
    def label(self) -> str:
        """How a line names the record: OFFICE, user ALICE."""
        return self.name if self.kind == "smtp" else f"user {self.name}"

    def add(self, *findings: Finding) -> None:
        self.findings.extend(findings)


@dataclass(frozen=True)
class CheckOptions:
    connect: bool = True
    deadline: float = DEADLINE
    warn_days: int = WARN_DAYS
    critical_days: int = CRITICAL_DAYS
    #: Only these definitions and users (by name or user code); all when empty.
    only: tuple[str, ...] = ()
    #: The sender domains' SPF and DMARC too (`SenderDomains`).
    dns: bool = False


@dataclass
class CheckRun:
    """Every record checked, in order: the definitions, then the users."""

    records: list[RecordCheck]

    @property
    def status(self) -> Status:
        if not self.records:
            return Status.UNKNOWN  # nothing checked is never OK
        return worst([record.status for record in self.records])

    def counts(self) -> dict[str, int]:
        """How many records are OK, WARNING, CRITICAL and UNKNOWN."""
        found = {status.name.lower(): 0 for status in Status}
        for record in self.records:
            found[record.status.name.lower()] += 1
        return found

    def summary(self) -> str:
        """'SMTP CRITICAL - 1 critical, 2 warning, 14 ok | ok=14 warning=2 critical=1 unknown=0'."""
        counts = self.counts()
        said = [f"{counts[word]} {word}" for word in ("critical", "warning", "unknown") if counts[word]]
        said.append(f"{counts['ok']} ok")
        text = ", ".join(said) if self.records else "nothing to check: no SMTP definition or user"
        data = " ".join(f"{word}={counts[word]}" for word in ("ok", "warning", "critical", "unknown"))
        return f"SMTP {self.status.name} - {text} | {data}"


@dataclass
class Planned:
    """A record checked without connecting, with its login test prepared
    when it is to connect."""

    record: RecordCheck
    test: Prepared | None = None


#: What a front end is told as the tests go: (records done, records in all, the ones waiting on a server).
Watch = Callable[[int, int, list[str]], None]
#: A check that runs beside the login tests, within the same deadline: given
#: the records and the seconds left, it adds its findings to them; it is
#: cancelled at the deadline (and should have added what it found by then).
Beside = Callable[[list["RecordCheck"], float], Awaitable[None]]


def _nothing(done: int, total: int, waiting: list[str]) -> None:
    return None


class MailHealth:
    """`fincon-tui check` over the stored records (see the module's docstring)."""

    def __init__(self, checks: MailChecks) -> None:
        self.checks = checks
        self.smtp = checks.smtp
        self.users = checks.users
        self.passwords = checks.smtp.passwords

    @classmethod
    def of(cls, store: Store, vault: PasswordVault) -> MailHealth:
        """The check of the records in `store`, its login tests recorded as
        'check run by' the OS account."""
        from fincon_tui.services.mail_checks import MailChecks
        from fincon_tui.services.smtp_settings import SmtpSettings
        from fincon_tui.services.user_settings import UserSettings
        from fincon_tui.storage.audit import who

        by = f"check run by {who()}"
        return cls(MailChecks(SmtpSettings(store, vault), UserSettings(store, vault), tested_by=by))

    def check(self, options: CheckOptions, watch: Watch = _nothing, beside: Sequence[Beside] = ()) -> CheckRun:
        """The whole run: `plan`, then `test` in an event loop of its own,
        with the checks `beside` it, all within `options.deadline`."""
        started = time.monotonic()
        planned = self.plan(options)
        if options.dns:
            with self.smtp.store.read():
                users = [stored.record for stored in self.users.search("", limit=1_000_000_000)]
            beside = (*beside, SenderDomains(users).check)
        left = options.deadline - (time.monotonic() - started)
        run = asyncio.run(self.test(planned, options, left, watch, beside))
        if options.dns:
            keep_spf_verdicts(self.smtp.store, run.records)
        return run

    # -- without connecting ----------------------------------------------------------

    def plan(self, options: CheckOptions) -> list[Planned]:
        """Every record (or those `options.only` names) checked without
        connecting; a login test prepared for each that can have one."""
        with self.smtp.store.read():
            definitions = self.smtp.search("", limit=1_000_000_000)
            users = self.users.search("", limit=1_000_000_000)
        wanted = {fold(name) for name in options.only}
        by_name = {fold(stored.key): stored.record for stored in definitions}
        known = {fold(stored.key) for stored in definitions} | {fold(stored.key) for stored in users}
        planned: list[Planned] = []
        for name in options.only:
            if fold(name) not in known:
                planned.append(Planned(RecordCheck("smtp", name.strip().upper(), [Finding(
                    Status.UNKNOWN, "only", f"--only {name}: no SMTP definition or user has this name or code",
                    "check the name (`fincon-tui smtp list`, `fincon-tui user list`)")])))
        for definition in definitions:
            if not wanted or fold(definition.key) in wanted:
                planned.append(self._plan_definition(definition, options))
        for user in users:
            if not wanted or fold(user.key) in wanted:
                found = self._plan_user(user.record, by_name.get(fold(user.record.smtp_name)), options,
                                        named=bool(wanted), row_id=user.row_id or "")
                if found is not None:
                    planned.append(found)
        return planned

    def _plan_definition(self, stored: Stored[SmtpDefinition], options: CheckOptions) -> Planned:
        definition = stored.record
        record = RecordCheck("smtp", definition.name, definition=definition, row_id=stored.row_id or "")
        try:
            login = effective_login(definition, secrets=self.passwords.names([smtp_owner(definition.name)]))
        except LoginMissing as missing:
            if definition.users_bring_login:  # no shared login: each user's own is checked as the user
                record.checked = "no shared login: each user logs in with their own"
                record.add(*self._expiries(definition, None, options))
                return Planned(record)
            record.add(Finding(Status.CRITICAL, "login", *_what_and_fix(str(missing))))
            return Planned(record)
        return self._plan_login(record, definition, login, None, options)

    def _plan_user(
        self, user: UserEmailSettings, definition: SmtpDefinition | None, options: CheckOptions, named: bool = False,
        row_id: str = "",
    ) -> Planned | None:
        """A user with a login of their own, or one whose definition cannot
        serve them; None for a user who sends with a shared login that works
        (the definition's check covers it), unless `named` by --only: then
        that login is checked as the user's."""
        from fincon_tui.services.work_lists import login_used

        record = RecordCheck("user", user.user_code, definition=definition, user=user, row_id=row_id)
        owners = [user_owner(user.user_code), *([smtp_owner(definition.name)] if definition else [])]
        _, can_send, why = login_used(user, definition, self.passwords.names(owners))
        if not can_send:
            what, fix = _what_and_fix(why)
            record.add(Finding(Status.CRITICAL, "link", f"cannot send: {what}", fix))
            return Planned(record)
        if definition is None or not (named or (user.smtp_username and definition.authenticate)):
            return None
        login = effective_login(definition, user.user_code, user.smtp_username, user.login_method)
        return self._plan_login(record, definition, login, user, options)

    def _plan_login(
        self, record: RecordCheck, definition: SmtpDefinition, login: Login | None, user: UserEmailSettings | None,
        options: CheckOptions,
    ) -> Planned:
        """The checks of a login that is complete, and its login test prepared."""
        flag = m365_password_flag(definition.mail_server, definition.authenticate, login.method) if login else None
        if flag:
            what, _, fix = flag.partition(" – ")
            record.add(Finding(Status.WARNING, "provider", what, f"{fix} (OAuth 2.0)" if fix else "OAuth 2.0"))
        record.add(*self._expiries(definition, login, options))
        unreadable = self._unreadable(definition, login) if login else None
        if unreadable is not None:
            record.add(unreadable)
            return Planned(record)
        if not options.connect:
            record.checked = "login complete (not connected: --no-connect)"
            return Planned(record)
        if login is not None and not definition.use_tls:
            record.add(Finding(Status.WARNING, "TLS", "Use TLS is N: the password would cross the network "
                               "unencrypted, so check did not log in", "set Use TLS = Y"))
            return Planned(record)
        try:
            prepared = self.checks.login_test(definition, user_code=user.user_code if user else "")
        except CannotTest as error:
            record.add(Finding(Status.CRITICAL, "login", str(error)))
            return Planned(record)
        return Planned(record, prepared)

    def _unreadable(self, definition: SmtpDefinition, login: Login) -> Finding | None:
        """Whether the secrets `login` uses open with this machine's key:
        UNKNOWN when the key is missing here, CRITICAL when a secret is
        unusable (altered, or saved for another login or server)."""
        owners: list[PasswordOwner] = [login.password_owner]
        if login.uses_oauth and login.password_owner != smtp_owner(definition.name):
            owners.append(smtp_owner(definition.name))
        for owner, names in self.passwords.names(owners).items():
            for name in sorted(names):
                try:
                    self.passwords.get(owner, name)
                except KeyMissing as error:
                    # The message says where it looked and what to do.
                    return Finding(Status.UNKNOWN, "secret", f"cannot open the stored {name.word}: {error}")
                except (SecretStoreError, StorageError) as error:
                    return Finding(Status.CRITICAL, "secret", f"cannot use the stored {name.word}: {error}")
        return None

    def _expiries(self, definition: SmtpDefinition, login: Login | None, options: CheckOptions) -> list[Finding]:
        if login is None:  # the definition's own OAuth secrets (its users bring their own logins)
            found = expiries(self.passwords, definition) if definition.uses_oauth else {}
        else:
            found = used_expiries(self.passwords, definition, login)
        return [
            Finding(Status.CRITICAL if soon.days_left <= options.critical_days else Status.WARNING, "expiry",
                    soon.message, _renew(soon.name), soon.at.isoformat())
            for soon in expiring_secrets(found, options.warn_days)
        ]

    # -- the login tests -------------------------------------------------------------

    async def test(self, planned: list[Planned], options: CheckOptions, seconds: float,
                   watch: Watch = _nothing, beside: Sequence[Beside] = ()) -> CheckRun:
        """Run the login tests prepared, at most CONCURRENT at a time, and
        the checks `beside` them, and return by `seconds` from now: a test
        not finished by then is UNKNOWN."""
        total = len(planned)
        done = sum(1 for item in planned if item.test is None)
        waiting: dict[int, str] = {}
        slots = asyncio.Semaphore(CONCURRENT)
        watch(done, total, [])

        async def run(index: int, item: Planned) -> None:
            nonlocal done
            assert item.test is not None
            async with slots:
                waiting[index] = item.record.label
                watch(done, total, list(waiting.values()))
                try:
                    outcome = await item.test.run(_quiet())
                finally:
                    waiting.pop(index, None)
            self._judge(item.record, outcome, options)
            done += 1
            watch(done, total, list(waiting.values()))

        tasks = {asyncio.ensure_future(run(index, item)): item for index, item in enumerate(planned)
                 if item.test is not None}
        records = [item.record for item in planned]
        others = [asyncio.ensure_future(other(records, seconds)) for other in beside]

        async def tick() -> None:  # told again now and then: a front end may skip a quick change
            while True:
                await asyncio.sleep(TELL_EVERY)
                watch(done, total, list(waiting.values()))

        ticking = asyncio.ensure_future(tick())
        if tasks or others:
            finished, late = await asyncio.wait([*tasks, *others], timeout=max(seconds, 0))
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
            for task in finished & tasks.keys():
                if task.exception() is not None:  # not checked is never OK
                    tasks[task].record.add(Finding(Status.UNKNOWN, "test", f"the login test could not run: "
                                                   f"{task.exception()}"))
            for task in late & tasks.keys():
                tasks[task].record.add(Finding(
                    Status.UNKNOWN, "deadline", f"the login test did not finish within the deadline of "
                    f"{options.deadline:g} s", "raise --deadline, or look at the server with `fincon-tui smtp test`"))
        ticking.cancel()
        await asyncio.gather(ticking, return_exceptions=True)
        watch(total, total, [])
        return CheckRun(records)

    def _judge(self, record: RecordCheck, outcome: Outcome, options: CheckOptions) -> None:
        if outcome.ok:
            record.checked = outcome.message
        else:
            record.add(Finding(Status.CRITICAL, outcome.step, f"login test failed at {outcome.step}: "
                               f"{outcome.message}", outcome.hint))
        if outcome.note:  # the result could not be recorded: said in --json's findings, not a problem of the mail
            record.add(Finding(Status.OK, "record", outcome.note))
        if outcome.certificate_expires:
            record.add(*_certificate(outcome.certificate_expires, options))


def _certificate(expires: str, options: CheckOptions) -> list[Finding]:
    """A finding when the server certificate expires within the days
    (oauth_logins.expires_within: the rule of the secrets' expiries too)."""
    if not expires_within(expires, options.warn_days):
        return []
    at = date.fromisoformat(expires[:10])
    left = (at - datetime.now(UTC).date()).days
    status = Status.CRITICAL if expires_within(expires, options.critical_days) else Status.WARNING
    when = f"expired on {at}" if left < 0 else f"expires on {at} (in {left} days)"
    return [Finding(status, "certificate", f"the server's certificate {when}",
                    "ask the mail server's operator to renew its certificate", at.isoformat())]


class SenderDomains:
    """`check --dns`, beside the login tests: the SPF and DMARC of every
    domain that the records' mail is sent from (mail/sender_dns.py), each
    domain looked up once, all by the run's deadline.

    A definition's record gets the domains of its login and of its users'
    Sender Emails; a user checked as a record of their own (their own
    login) gets their Sender Email's, and not the definition's record too.
    The findings are WARNING at most ('SPF', 'DMARC'), and OK when
    all is well; a domain that has not answered by the deadline is a WARNING
    that says so."""

    def __init__(self, users: Sequence[UserEmailSettings]) -> None:
        from fincon_tui.mail.sender_dns import dns_server

        self.users = users
        self.server = dns_server()  # a wrong $FINCON_TUI_DNS_SERVER stops the run before it starts

    def senders(self, records: Sequence[RecordCheck]) -> list[tuple[RecordCheck, str, str]]:
        """(record, domain, mail server) for every domain each record sends from."""
        from fincon_tui.domain.senders import address_domain, sender_domains

        own = {fold(record.name) for record in records if record.kind == "user"}
        found: list[tuple[RecordCheck, str, str]] = []
        for record in records:
            definition = record.definition
            if definition is None:
                continue
            if record.kind == "user":
                domains: tuple[str, ...] = (address_domain(record.user.sender_email),) if record.user else ()
            else:
                linked = [user for user in self.users if fold(user.smtp_name) == fold(definition.name)
                          and fold(user.user_code) not in own]
                domains = sender_domains(definition, linked)
            found += [(record, domain, definition.mail_server) for domain in domains if domain]
        return found

    async def check(self, records: list[RecordCheck], seconds: float) -> None:
        """Add each record's DNS findings, by `seconds` from now; those not
        looked up by then get a 'no answer' WARNING."""
        from fincon_tui.mail.sender_dns import SenderDns

        # Ends a little before the run, whose deadline cancels this task.
        dns = SenderDns(time.monotonic() + max(0.0, seconds - min(0.5, seconds / 10)), self.server, from_env=False)
        senders = self.senders(records)
        for _, domain, server in senders:
            dns.start(domain, server)
        done = 0
        try:
            for record, domain, server in senders:
                found = await asyncio.to_thread(dns.check, domain, server)
                record.add(*(Finding(Status[finding.status], finding.step.upper(), finding.message, finding.hint)
                             for finding in found))
                record.spf += [(domain, finding.spf, finding.brief) for finding in found if finding.step == "spf"]
                done += 1
        finally:  # cancelled at the deadline: the rest did not answer in time
            for record, domain, _ in senders[done:]:
                record.spf.append((domain, "", ""))
                record.add(Finding(Status.WARNING, "DNS", f"SPF and DMARC of {domain} unknown: no answer from DNS "
                                   "within the deadline", "give the run a longer --deadline"))


def spf_verdict(record: RecordCheck, checked_at: str) -> SpfVerdict | None:
    """The record's SPF verdict from what --dns found: it fails when the
    SPF of any domain it sends from fails (the first such names it); it
    passes when every domain's passes; None when DNS could not tell of
    some and none fails (the verdict stored before stands)."""
    from fincon_tui.storage.records import SpfVerdict

    if not record.spf or not record.row_id:
        return None
    failed = [(domain, brief) for domain, verdict, brief in record.spf if verdict == "fail"]
    if failed:
        domain, brief = failed[0]
        return SpfVerdict(record.kind, record.row_id, record.name, checked_at, domain, True, brief)
    if all(verdict == "pass" for _, verdict, _ in record.spf):
        return SpfVerdict(record.kind, record.row_id, record.name, checked_at, record.spf[0][0], False, "")
    return None


def keep_spf_verdicts(store: Store, records: Sequence[RecordCheck]) -> None:
    """Store each record's SPF verdict (`spf_verdict`), replacing its
    earlier one, in one transaction of its own.  A store that refuses (an
    account that may only read) leaves the verdicts as they were and adds
    a note to the records, as a login test's result does: the run's
    result stands."""
    from fincon_tui.storage.records import utc_now

    now = utc_now()
    verdicts = [(record, verdict) for record in records if (verdict := spf_verdict(record, now)) is not None]
    if not verdicts:
        return
    try:
        with store.transaction() as work:
            for _, verdict in verdicts:
                work.spf_verdicts.put(verdict)
    except StorageError as error:
        for record, _ in verdicts:
            record.add(Finding(Status.OK, "record", f"the SPF verdict was not recorded: {error}"))


def _quiet() -> Transcript:
    from fincon_tui.mail.transcript import Transcript

    return Transcript(None)


def _what_and_fix(message: str) -> tuple[str, str]:
    """A LoginMissing message ('… has no password: enter it on …') as what
    is wrong and what to do."""
    head, _, tail = message.partition(": ")
    return (head, tail) if tail and head else (message, "")


def _renew(name: str) -> str:
    if "refresh" in name:
        return "sign the mailbox in again before then (Sign in, or `fincon-tui smtp sign-in`)"
    return "make a new one with the provider and enter it as Client Secret before then"
