"""A token call that failed on the network, in the app's words.

requests and urllib3 describe a failure as their whole chain of wrapped
errors ("HTTPSConnectionPool(host=...): Max retries exceeded ...").  Here
it becomes one sentence naming what failed with which host (resolve,
connect, TLS), read by the rule the SMTP side uses too
(_network_errors.py), with a hint for the proxy or SSL_CERT_FILE where
they can be the cause.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from fincon_tui._exceptions import TokenFailure
from fincon_tui._network_errors import NetworkFailure, causes, network_failure

#: Where requests finds a proxy for an https address, in the order it looks.
PROXY_VARIABLES = ("https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")
#: Where the token calls find the CAs they trust (oauth/threads.py, ca_bundle).
CA_VARIABLES = ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")
KIND = "token_endpoint_unreachable"


@contextmanager
def reaching(url: str, timeout: float) -> Iterator[None]:
    """Runs token calls to `url`'s host; a network failure leaves as a TokenFailure (`unreachable`)."""
    try:
        yield
    except OSError as error:  # requests' and urllib3's errors are OSErrors
        raise unreachable(error, url, timeout) from None


def _host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}" if parts.port not in (None, 443) else str(parts.hostname)


def _proxy(url: str) -> tuple[str, str] | None:
    """The variable and the proxy (without any user name or password) that `url` goes through."""
    from requests.utils import should_bypass_proxies

    for name in PROXY_VARIABLES:
        value = os.environ.get(name, "").strip()
        if value:
            if should_bypass_proxies(url, no_proxy=None):
                return None
            parts = urlsplit(value if "://" in value else f"http://{value}")
            port = f":{parts.port}" if parts.port else ""
            return name, f"{parts.scheme}://{parts.hostname}{port}"
    return None


def _through_proxy(error: BaseException) -> bool:
    """Whether the failure was the proxy's (urllib3 could not use it)."""
    from urllib3.exceptions import ProxyError

    return any(isinstance(cause, ProxyError) for cause in causes(error))


def _trust_hint() -> str:
    for name in CA_VARIABLES:
        if os.environ.get(name):
            return f"{name} is {os.environ[name]}: it must hold the CA that issued this certificate"
    return ("if a proxy or firewall here inspects TLS, point SSL_CERT_FILE at its CA certificate (PEM); "
            "else try again later")


def _network_hint(proxy: tuple[str, str] | None) -> str:
    if proxy is None:
        return ("check this computer's network; if it reaches the internet only through a proxy, set "
                "HTTPS_PROXY (http://proxy:port)")
    return f"check this computer's network (the token calls go through the proxy {proxy[1]}, from {proxy[0]})"


def _words(failure: NetworkFailure, host: str, timeout: float) -> tuple[str, bool]:
    """What failed, and whether it is about TLS (the trust hint) rather than the network."""
    kind, reason = failure.kind, failure.reason
    said = {
        "unknown host": (f"cannot resolve {host}", False),
        "no DNS answer": (f"the name server gave no answer for {host}", False),
        "refused": (f"cannot connect to {host}: connection refused", False),
        "unreachable": (f"cannot connect to {host}: {reason}", False),
        "timed out": (f"no answer from {host} within {timeout:g} seconds", False),
        "closed": (f"{host} closed the connection ({reason})", False),
        # No TLS at all where it was due: no certificate to trust, so no CA hint.
        "plain text": (f"{host} answered in plain text, not TLS (OpenSSL: {reason})", False),
        "certificate untrusted": (f"the TLS certificate of {host} is not trusted ({reason})", True),
        "certificate expired": (f"the TLS certificate of {host} has expired ({reason})", True),
        "certificate not yet valid": (f"the TLS certificate of {host} is not valid yet ({reason})", True),
        "certificate for another host": (f"the TLS certificate shown for {host} is another host's", True),
    }
    return said.get(kind, (f"the TLS connection with {host} failed (OpenSSL: {reason})", True))


def unreachable(error: BaseException, url: str, timeout: float) -> TokenFailure:
    """`error` from a token call to `url` as a TokenFailure that names what failed."""
    host, proxy = _host(url), _proxy(url)
    failure = network_failure(error)
    if proxy is not None and _through_proxy(error):
        said = f"connection {failure.kind}" if failure and failure.kind in ("refused", "timed out") else (
            failure.reason if failure else "no connection")
        return TokenFailure(KIND, f"cannot connect to {host} through the proxy {proxy[1]} ({said})",
                            f"check the proxy in {proxy[0]}, or unset it if this network needs none")
    if failure is None:
        return TokenFailure(KIND, f"cannot reach {host} ({type(error).__name__})", _network_hint(proxy))
    message, tls = _words(failure, host, timeout)
    if failure.kind in ("certificate expired", "certificate not yet valid"):
        return TokenFailure(KIND, message, "check this computer's date and time; " + _trust_hint())
    return TokenFailure(KIND, message, _trust_hint() if tls else _network_hint(proxy))
