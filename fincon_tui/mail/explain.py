"""Turn what went wrong in an SMTP session into an Outcome a person can act on.

Each hint names only a cause that fits what was observed: "use port 587" only
when a server answered TLS from the first byte in plain text, "use port 465"
only when a connected server stayed silent where a greeting was due.
"""

from __future__ import annotations

import errno
import socket
import ssl

import aiosmtplib

from fincon_tui._exceptions import StepFailed, TokenFailure
from fincon_tui._network_errors import causes, certificate_failure, resolve_failure, tls_failure
from fincon_tui.domain.smtp import SmtpDefinition
from fincon_tui.mail.outcome import Outcome, seconds
from fincon_tui.mail.provider_replies import known_reply

_TRUST_HINT = "install the issuing CA in the system trust store, or point SSL_CERT_FILE at it"
_STRIPPED_HINT = (
    "the port is not the problem: the server is broken, or something on the way (a firewall, "
    "antivirus or the network provider) strips TLS; tell the mail server's administrator, and "
    "send no password over this network until it is fixed"
)


def one_line(text: str) -> str:
    """A possibly multi-line server reply as one line."""
    return " ".join(part.strip() for part in str(text).splitlines()) or str(text)


def certificate_problem(error: ssl.SSLCertVerificationError, host: str) -> Outcome:
    """Why the server's certificate was not accepted, for STARTTLS and port 465 alike."""
    failure = certificate_failure(error)
    kind, reason = failure.kind, failure.reason
    if kind == "certificate expired":
        return Outcome(False, "TLS", f"the server's certificate has expired ({reason})",
                       "the mail server's administrator must renew the certificate; if it should still be "
                       "valid, check this computer's date and time")
    if kind == "certificate not yet valid":
        return Outcome(False, "TLS", f"the server's certificate is not valid yet ({reason})",
                       "check this computer's date and time")
    if kind == "certificate for another host":
        return Outcome(False, "TLS", f"the server's certificate is for another host, not {host}",
                       "use the host name the certificate was issued for as Mail Server")
    if kind == "certificate untrusted":
        return Outcome(False, "TLS", f"the server's certificate is not trusted ({reason})", _TRUST_HINT)
    return Outcome(False, "TLS", f"the server's certificate was not accepted ({reason})",
                   "tell the mail server's administrator")


def _tls_failed(error: ssl.SSLError, where: str, step: str) -> Outcome:
    failure = tls_failure(error)
    reason, plaintext = failure.reason, failure.kind == "plain text"
    if step not in ("STARTTLS", "connect"):
        return Outcome(False, step, f"the TLS connection with {where} failed during {step} (OpenSSL: {reason})")
    if step == "STARTTLS":
        if plaintext:
            return Outcome(False, "STARTTLS", f"{where} accepted STARTTLS but then answered in plain "
                           f"text instead of TLS (OpenSSL: {reason}); nothing more was sent", _STRIPPED_HINT)
        return Outcome(False, "STARTTLS", f"the TLS handshake after STARTTLS with {where} failed "
                       f"(OpenSSL: {reason}); nothing more was sent",
                       "the server's TLS set-up may be broken or too old; tell its administrator")
    if plaintext:
        return Outcome(False, "TLS", f"{where} expects a plain connection upgraded with STARTTLS, not "
                       f"TLS from the first byte (OpenSSL: {reason})",
                       "use port 587 (or 25) with Use TLS = Y, which means STARTTLS there")
    return Outcome(False, "TLS", f"the TLS handshake with {where} failed (OpenSSL: {reason})",
                   "the server's TLS set-up may be broken or too old; tell its administrator")


def _timed_out(step: str, error: BaseException, definition: SmtpDefinition, mode: str) -> Outcome:
    host, timeout = definition.mail_server, definition.timeout_seconds
    where = f"{host}:{definition.port}"
    if step == "resolve":
        return Outcome(False, step, f"could not resolve {host} within {seconds(timeout)}",
                       "the name server (DNS) does not answer; check this computer's network and DNS settings")
    if step == "connect" and not isinstance(error, aiosmtplib.SMTPException):
        return Outcome(False, step, f"could not connect to {where} within {seconds(timeout)}",
                       "check the Mail Server and the Port; a firewall may drop the connection")
    greeting_due = isinstance(error.__cause__, aiosmtplib.SMTPTimeoutError)
    if step == "connect" and mode == "implicit TLS" and not greeting_due:
        return Outcome(False, "TLS", f"the TLS handshake with {where} got no answer within {seconds(timeout)}",
                       "check the Port (465 speaks TLS from the first byte) and any firewall")
    if step == "connect" and mode != "implicit TLS":
        return Outcome(False, step, f"{where} accepted the connection but sent no answer within "
                       f"{seconds(timeout)}", "the server may speak TLS from the first byte (use port 465 "
                       "with Use TLS = Y), or be overloaded")
    return Outcome(False, step, f"no answer from {where} within {seconds(timeout)} during {step}",
                   "the server stopped answering; it may be overloaded (try again, or raise Time Out)")


def explain(step: str, error: BaseException, definition: SmtpDefinition, mode: str) -> Outcome:
    """Turn an exception from `step` into an Outcome with a hint.
    `mode` is how the connection is secured: 'implicit TLS', 'STARTTLS' or 'none'."""
    host, port = definition.mail_server, definition.port
    where = f"{host}:{port}"
    if isinstance(error, StepFailed) and isinstance(error.outcome, Outcome):
        return error.outcome
    if isinstance(error, TokenFailure):
        return Outcome(False, "token", f"no access token: {error.message}", error.hint)
    if isinstance(error, aiosmtplib.SMTPResponseException) and (known := known_reply(error.message, host)):
        meaning, hint = known
        if isinstance(error, aiosmtplib.SMTPAuthenticationError):
            return Outcome(False, "AUTH", f"authentication rejected: {error.code} {one_line(error.message)}",
                           f"{meaning}: {hint}")
        where_ = {aiosmtplib.SMTPSenderRefused: "MAIL FROM", aiosmtplib.SMTPDataError: "DATA"}.get(type(error), step)
        return Outcome(False, where_, f"{meaning}: {error.code} {one_line(error.message)}", hint)
    for cause in causes(error):
        if isinstance(cause, ssl.SSLCertVerificationError):
            return certificate_problem(cause, host)
        if isinstance(cause, ssl.SSLError):
            return _tls_failed(cause, where, step)
    if isinstance(error, socket.gaierror):
        if resolve_failure(error).kind == "no DNS answer":
            return Outcome(False, "resolve", f"the name server gave no answer for {host}",
                           "check this computer's network and DNS settings")
        return Outcome(False, "resolve", f"cannot resolve host {host}", "check the Mail Server name")
    if isinstance(error, aiosmtplib.SMTPAuthenticationError):
        return Outcome(False, "AUTH", f"authentication rejected: {error.code} {one_line(error.message)}",
                       "check the username and password")
    if isinstance(error, aiosmtplib.SMTPSenderRefused):
        return Outcome(False, "MAIL FROM", f"sender {error.sender} refused: {error.code} "
                       f"{one_line(error.message)}", "the login may not be allowed to send as the sender address")
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        refused = "; ".join(f"{r.recipient}: {r.code} {one_line(r.message)}" for r in error.recipients)
        return Outcome(False, "RCPT TO", f"recipient refused ({refused})", "check the recipient address")
    if isinstance(error, aiosmtplib.SMTPConnectResponseError):
        return Outcome(False, "connect", f"{where} refused the session: {error.code} {one_line(error.message)}")
    if isinstance(error, TimeoutError) or (
        step == "connect" and isinstance(error.__cause__, ConnectionAbortedError)
    ):
        return _timed_out(step, error, definition, mode)
    if isinstance(error, ConnectionRefusedError) or getattr(error, "errno", None) == errno.ECONNREFUSED:
        return Outcome(False, "connect", f"connection refused by {where}",
                       "check the Port, and that the mail server is running")
    if isinstance(error, aiosmtplib.SMTPServerDisconnected) or isinstance(
        error.__cause__, aiosmtplib.SMTPServerDisconnected
    ):
        if step == "STARTTLS" and "upgrading" in str(error):  # aiosmtplib: "... while upgrading transport"
            return Outcome(False, step, f"{where} closed the connection during the TLS handshake "
                           "after STARTTLS; nothing more was sent", _STRIPPED_HINT)
        return Outcome(False, step, f"{where} closed the connection during {step}")
    if isinstance(error, aiosmtplib.SMTPDataError):
        return Outcome(False, "DATA", f"the message was refused: {error.code} {one_line(error.message)}")
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return Outcome(False, step, f"{step} refused: {error.code} {one_line(error.message)}")
    if isinstance(error, OSError) and step == "connect":
        return Outcome(False, "connect", f"cannot connect to {where}: {error.strerror or error}",
                       "check the network and the Mail Server")
    if isinstance(error, OSError):
        return Outcome(False, step, f"{step} failed: {error.strerror or error}")
    return Outcome(False, step, f"{step} failed: {type(error).__name__}: {one_line(str(error))}")
