"""Rows of the `smtp_settings` table, mapped to and from SmtpDefinition."""

from __future__ import annotations

from fincon_tui.domain.smtp import SmtpDefinition
from fincon_tui.storage.versioned_table import Repository


class SmtpRepository(Repository[SmtpDefinition]):
    table = "smtp_settings"
    key_column = "name"
    kind = "SMTP definition"
    search_columns = ("name", "mail_server")

    def to_columns(self, definition: SmtpDefinition) -> dict:
        return {
            "name": definition.name,
            "mail_server": definition.mail_server,
            "authenticate": "Y" if definition.authenticate else "N",
            "username": definition.username or None,
            "port": definition.port,
            "use_tls": "Y" if definition.use_tls else "N",
            "timeout_seconds": definition.timeout_seconds,
            "bcc": definition.bcc or None,
            "login_method": definition.login_method,
            "tenant": definition.tenant or None,
            "client_id": definition.client_id or None,
        }

    def from_columns(self, row: dict) -> SmtpDefinition:
        return SmtpDefinition(
            name=row["name"],
            mail_server=row["mail_server"],
            authenticate=row["authenticate"] == "Y",
            username=row["username"] or "",
            port=row["port"],
            use_tls=row["use_tls"] == "Y",
            timeout_seconds=row["timeout_seconds"],
            bcc=row["bcc"] or "",
            login_method=row.get("login_method") or "P",
            tenant=row.get("tenant") or "",
            client_id=row.get("client_id") or "",
        )
