"""Blocking token calls off the event loop, abandonable.

Each call runs in a daemon thread that nobody joins (like the resolver in
mail/network.py): a caller that gives up (Esc, the session's deadline)
moves on at once; the thread ends on its own, and `then` still gets its
result, so a refresh token rotated meanwhile is not lost."""

from __future__ import annotations

import asyncio
import functools
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import requests

T = TypeVar("T")


def ca_bundle() -> str | bool:
    """What the token endpoints' certificates are verified against:
    $SSL_CERT_FILE when set (as for the SMTP server), else $REQUESTS_CA_BUNDLE,
    else requests' own CA bundle."""
    return os.environ.get("SSL_CERT_FILE") or os.environ.get("REQUESTS_CA_BUNDLE") or True


def http_session(timeout: float | None = None) -> requests.Session:
    """A requests session that verifies with ca_bundle() (requests would let
    $REQUESTS_CA_BUNDLE override a session's own setting) and, given a
    `timeout`, waits at most that long for each answer.  Proxies still come
    from the environment."""
    import requests

    class Session(requests.Session):
        def merge_environment_settings(
            self, url: str, proxies: dict[str, str] | None, stream: bool | None, verify: Any, cert: Any
        ) -> dict[str, Any]:
            settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
            if verify is None:
                settings["verify"] = self.verify
            return settings

        def request(self, method: str, url: Any, *args: Any, **kwargs: Any) -> requests.Response:
            if timeout is not None:
                kwargs.setdefault("timeout", timeout)
            return super().request(method, url, *args, **kwargs)

    session = Session()
    session.verify = ca_bundle()
    return session


async def in_thread(call: Callable[[], T], then: Callable[[T], None] | None = None) -> T:
    """`call()` in a daemon thread; `then(result)` runs in that thread after
    it, whether or not anybody still waits."""
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[T] = loop.create_future()

    def settle(outcome: Callable[[], None]) -> None:
        if not answer.done():
            outcome()

    def work() -> None:
        outcome: Callable[[], None]
        try:
            result = call()
            if then is not None:
                then(result)
        except BaseException as exc:  # handed to the waiting coroutine
            outcome = functools.partial(answer.set_exception, exc)
        else:
            outcome = functools.partial(answer.set_result, result)
        try:
            loop.call_soon_threadsafe(settle, outcome)
        except RuntimeError:  # the loop is closed: nobody waits any more
            pass

    threading.Thread(target=work, name="fincon-oauth", daemon=True).start()
    return await answer
