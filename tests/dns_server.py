"""A real DNS server on 127.0.0.1 for the tests: dnslib over UDP, on a free port.

It answers from a zone the test writes (name -> records in zone-file text),
says NXDOMAIN for any other name, and drops every query for a name in
`silent` (no answer at all, as a dead name server): the resolver must give
up by its deadline.  It counts the queries it saw per name, so a test can
tell that a domain was asked for once.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from dnslib import QTYPE, RCODE, RR, DNSError, DNSRecord
from dnslib.server import BaseResolver, DNSLogger, DNSServer


@dataclass
class Zone:
    #: name (without the final dot) -> zone-file lines: 'IN TXT "v=spf1 -all"', 'IN A 192.0.2.1'.
    records: dict[str, list[str]] = field(default_factory=dict)
    #: names whose queries are dropped: no answer ever comes.
    silent: set[str] = field(default_factory=set)
    asked: Counter[tuple[str, str]] = field(default_factory=Counter)
    dropped: threading.Event = field(default_factory=threading.Event)

    def add(self, name: str, *lines: str) -> None:
        self.records.setdefault(name.lower().rstrip("."), []).extend(lines)


class _ZoneResolver(BaseResolver):  # type: ignore[misc]
    def __init__(self, zone: Zone) -> None:
        self.zone = zone

    def resolve(self, request: DNSRecord, handler: object) -> DNSRecord:
        name = str(request.q.qname).rstrip(".").lower()
        qtype = QTYPE[request.q.qtype]
        self.zone.asked[(name, qtype)] += 1
        if any(name == silent or name.endswith("." + silent) for silent in self.zone.silent):
            self.zone.dropped.set()
            raise DNSError("dropped on purpose")  # dnslib's handler sends nothing then
        reply = request.reply()
        lines = self.zone.records.get(name)
        if lines is None:
            reply.header.rcode = RCODE.NXDOMAIN
            return reply
        for line in lines:
            for record in RR.fromZone(f"{name}. 60 {line}"):
                if QTYPE[record.rtype] == qtype:
                    reply.add_answer(record)
        return reply


@contextlib.contextmanager
def dns_server(zone: Zone) -> Iterator[tuple[str, int]]:
    """A UDP DNS server for `zone` on 127.0.0.1; yields (host, port)."""
    logger = DNSLogger(log="-request,-reply,-truncated,-error,-recv,-send,-data", logf=lambda _text: None)
    server = DNSServer(_ZoneResolver(zone), address="127.0.0.1", port=0, logger=logger)
    server.start_thread()
    try:
        yield "127.0.0.1", server.server.server_address[1]
    finally:
        server.stop()
        server.server.server_close()
