"""Blocking token calls off the event loop, abandonable.

Each call runs in a daemon thread that nobody joins (like the resolver in
mail/network.py): a caller that gives up (Esc, the session's deadline)
moves on at once; the thread ends on its own, and `then` still gets its
result, so a refresh token rotated meanwhile is not lost."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def ca_bundle() -> str | bool:
    """What the token endpoints' certificates are verified against:
    $SSL_CERT_FILE when set (as for the SMTP server), else $REQUESTS_CA_BUNDLE,
    else requests' own CA bundle."""
    return os.environ.get("SSL_CERT_FILE") or os.environ.get("REQUESTS_CA_BUNDLE") or True


def http_session(timeout: float | None = None):
    """A requests session that verifies with ca_bundle() (requests would let
    $REQUESTS_CA_BUNDLE override a session's own setting) and, given a
    `timeout`, waits at most that long for each answer.  Proxies still come
    from the environment."""
    import functools

    import requests

    class Session(requests.Session):
        def merge_environment_settings(self, url, proxies, stream, verify, cert):
            settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
            if verify is None:
                settings["verify"] = self.verify
            return settings

    session = Session()
    session.verify = ca_bundle()
    if timeout is not None:
        session.request = functools.partial(session.request, timeout=timeout)  # type: ignore[method-assign]
    return session


async def in_thread(call: Callable[[], T], then: Callable[[T], None] | None = None) -> T:
    """`call()` in a daemon thread; `then(result)` runs in that thread after
    it, whether or not anybody still waits."""
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[T] = loop.create_future()

    def settle(result, error) -> None:
        if answer.done():
            return
        if error is not None:
            answer.set_exception(error)
        else:
            answer.set_result(result)

    def work() -> None:
        result, error = None, None
        try:
            result = call()
            if then is not None:
                then(result)
        except BaseException as exc:  # handed to the waiting coroutine
            error = exc
        try:
            loop.call_soon_threadsafe(settle, result, error)
        except RuntimeError:  # the loop is closed: nobody waits any more
            pass

    threading.Thread(target=work, name="fincon-oauth", daemon=True).start()
    return await answer
