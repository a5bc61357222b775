"""What screens may ask of the app, as a type: the services, the database
thread and key labels.  Screens reach them through `FinconScreen.services`
(or `services_of(widget)`) instead of untyped `self.app` attributes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from fincon_tui.services.mail_checks import MailChecks
    from fincon_tui.services.smtp_settings import SmtpSettings
    from fincon_tui.services.user_settings import UserSettings
    from fincon_tui.ui.db_thread import DatabaseThread


class AppServices(Protocol):
    """The part of FinconApp that screens use."""

    smtp: SmtpSettings
    users: UserSettings
    database: DatabaseThread
    mail_checks: MailChecks

    def key_label(self, binding_id: str, *, short: bool = False) -> str:
        """How the keys of a binding are written ('F12/Esc'), as mapped;
        `short` keeps the F-keys only ('F12')."""
        ...


def services_of(node: DOMNode) -> AppServices:
    """The app of `node`, typed as what screens need from it."""
    return cast("AppServices", node.app)
