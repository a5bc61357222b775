"""What failed on the way to a server, whichever library raised it: one
rule for the two adapters that talk to servers (mail: SMTP through
aiosmtplib; oauth: the token endpoints through requests and urllib3), each
of which words the failure for its own messages.

Only the standard library's errors (socket, ssl, OSError) are read, found
anywhere in the chain of causes however a library wrapped them.  Imports
nothing of fincon-tui, like _exceptions.
"""

from __future__ import annotations

import errno
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass

#: OpenSSL reasons for bytes that are not TLS where a TLS record was due.
_PLAINTEXT_REASONS = ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG",
                      "HTTP_REQUEST", "UNKNOWN_PROTOCOL")
#: X509_V_ERR_* codes, as OpenSSL numbers them.
_EXPIRED, _NOT_YET_VALID = 10, 9
_MISMATCH = (62, 64)  # host name mismatch, IP address mismatch
_UNTRUSTED = (2, 18, 19, 20, 21, 27)  # unknown issuer, self-signed, not trusted
_UNREACHABLE = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.EHOSTDOWN}


@dataclass(frozen=True)
class NetworkFailure:
    """`kind`: 'unknown host', 'no DNS answer', 'refused', 'unreachable',
    'timed out', 'closed', 'certificate expired', 'certificate not yet
    valid', 'certificate for another host', 'certificate untrusted',
    'certificate refused', 'plain text' (no TLS where TLS was due) or 'TLS';
    `reason`: the system's or OpenSSL's own words."""

    kind: str
    reason: str

    @property
    def certificate(self) -> bool:
        return self.kind.startswith("certificate")


def causes(error: BaseException | None) -> Iterator[BaseException]:
    """`error`, then what caused it, and so on (at most 8, no loops)."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen and len(seen) < 8:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def certificate_failure(error: ssl.SSLCertVerificationError) -> NetworkFailure:
    """Why a server's certificate was not accepted."""
    reason = str(error.verify_message or error.reason or error)
    code = error.verify_code
    if code == _EXPIRED:
        return NetworkFailure("certificate expired", reason)
    if code == _NOT_YET_VALID:
        return NetworkFailure("certificate not yet valid", reason)
    if code in _MISMATCH or "mismatch" in reason.lower():
        return NetworkFailure("certificate for another host", reason)
    if code in _UNTRUSTED:
        return NetworkFailure("certificate untrusted", reason)
    return NetworkFailure("certificate refused", reason)


def tls_failure(error: ssl.SSLError) -> NetworkFailure:
    """A TLS failure other than the certificate: plain text where TLS was due, or another."""
    reason = str(error.reason or error)
    plaintext = any(mark in reason.upper().replace(" ", "_") for mark in _PLAINTEXT_REASONS)
    return NetworkFailure("plain text" if plaintext else "TLS", reason)


def resolve_failure(error: socket.gaierror) -> NetworkFailure:
    """A name that did not resolve: no name server answered, or the name is unknown."""
    kind = "no DNS answer" if error.errno == socket.EAI_AGAIN else "unknown host"
    return NetworkFailure(kind, str(error.strerror or error))


def network_failure(error: BaseException) -> NetworkFailure | None:
    """What failed on the way to the server, from the first cause in the
    chain that says (a certificate first), or None when none does."""
    chain = list(causes(error))
    for cause in chain:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return certificate_failure(cause)
    for cause in chain:
        if isinstance(cause, ssl.SSLError):
            return tls_failure(cause)
        if isinstance(cause, socket.gaierror):
            return resolve_failure(cause)
        number = getattr(cause, "errno", None)
        reason = str(getattr(cause, "strerror", None) or cause)
        if isinstance(cause, ConnectionRefusedError) or number == errno.ECONNREFUSED:
            return NetworkFailure("refused", reason)
        if number in _UNREACHABLE:
            return NetworkFailure("unreachable", reason)
        if isinstance(cause, TimeoutError):
            return NetworkFailure("timed out", reason)
        if isinstance(cause, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)):
            return NetworkFailure("closed", reason)
    return None
