"""How a definition's connection is secured, worked out without loading
the SMTP client (`smtp list`, `smtp show` and the Work with list need it)."""

from __future__ import annotations

import os

from fincon_tui.domain.smtp import SmtpDefinition

#: Ports where Use TLS = Y means TLS from the first byte (RFC 8314).
IMPLICIT_TLS_ENV = "FINCON_TUI_IMPLICIT_TLS_PORTS"


def implicit_tls_ports() -> frozenset[int]:
    """465, or the comma-separated ports in $FINCON_TUI_IMPLICIT_TLS_PORTS."""
    raw = os.environ.get(IMPLICIT_TLS_ENV, "465")
    return frozenset(int(part) for part in raw.split(",") if part.strip().isdigit())


def security(definition: SmtpDefinition, ports: frozenset[int] | None = None) -> str:
    """How the connection is secured: 'implicit TLS', 'STARTTLS' or 'none'
    (`ports`: implicit_tls_ports(), read once for a list of definitions)."""
    if not definition.use_tls:
        return "none"
    return "implicit TLS" if definition.port in (implicit_tls_ports() if ports is None else ports) else "STARTTLS"
