"""Resolve and connect within a time limit, without leaving anything to wait for.

The resolver (`socket.getaddrinfo`) cannot be interrupted.  It runs in a
daemon thread that nobody joins: when the time limit passes the caller moves
on, the thread finishes (or not) on its own, and neither `asyncio.run`'s
shutdown of its default executor nor interpreter exit waits for it.  The
asyncio default executor is never used, because `asyncio.run` joins its
threads at shutdown (without a limit in 3.11, up to 300 s in 3.12 and 3.13)
and `concurrent.futures` joins them again at exit.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import threading
from collections.abc import Callable
from typing import Any

#: Same signature as socket.getaddrinfo; a blocking call is fine.
Lookup = Callable[..., list[tuple[Any, ...]]]
#: What getaddrinfo returns: (family, type, proto, canonname, sockaddr) each.
Addresses = list[tuple[Any, ...]]


async def resolve(host: str, port: int, timeout: float, lookup: Lookup = socket.getaddrinfo) -> Addresses:
    """The TCP addresses of `host`, as getaddrinfo returns them.

    Raises TimeoutError after `timeout` seconds (the lookup thread is
    abandoned, not joined), or the resolver's own error (socket.gaierror)."""
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[Addresses] = loop.create_future()

    def settle(addresses: Addresses | None, error: BaseException | None) -> None:
        if answer.done():  # the caller gave up already
            return
        if error is not None:
            answer.set_exception(error)
        else:
            answer.set_result(addresses or [])

    def look_up() -> None:
        addresses: Addresses | None = None
        error: BaseException | None = None
        try:
            addresses = lookup(host, port, type=socket.SOCK_STREAM)
        except Exception as exc:  # handed to the waiting coroutine
            error = exc
        try:
            loop.call_soon_threadsafe(settle, addresses, error)
        except RuntimeError:  # the event loop is closed: nobody is waiting any more
            pass

    threading.Thread(target=look_up, name=f"resolve {host}", daemon=True).start()
    return await asyncio.wait_for(answer, timeout)


async def connect(addresses: Addresses, timeout: float) -> socket.socket:
    """A non-blocking TCP socket connected to the first of `addresses` that
    answers, all within `timeout` seconds.  Each address gets an equal share
    of the time left, so one that drops packets leaves time for the next.
    Raises the last address's error (TimeoutError when it did not answer)."""
    if not addresses:
        raise OSError("the name has no address")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last_error: BaseException = OSError("no address answered")
    for index, (family, kind, proto, _, address) in enumerate(addresses):
        share = (deadline - loop.time()) / (len(addresses) - index)
        sock = socket.socket(family, kind, proto)
        sock.setblocking(False)
        try:
            # A numeric address: sock_connect needs no look-up (and no executor).
            await asyncio.wait_for(loop.sock_connect(sock, address), share)
        except (OSError, TimeoutError) as error:
            sock.close()
            last_error = error
            continue
        except BaseException:
            sock.close()
            raise
        return sock
    raise last_error


def address_literal(sock: socket.socket) -> str:
    """This end of a connected socket as an SMTP address literal for EHLO
    (RFC 5321 4.1.3): [192.0.2.1] or [IPv6:2001:db8::1].  Unlike the host's
    FQDN it needs no DNS query, so it cannot hang."""
    host = str(sock.getsockname()[0]).split("%", 1)[0]
    ip = ipaddress.ip_address(host)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is None:
            return f"[IPv6:{ip.compressed}]"
        ip = ip.ipv4_mapped
    return f"[{ip}]"
