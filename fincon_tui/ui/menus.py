"""The menu tree, as data.  Only entries that lead somewhere are listed."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen

from fincon_tui.ui.screens.menu import Menu, MenuEntry


def _smtp_settings() -> Screen[Any]:
    from fincon_tui.ui.screens.smtp_settings import SmtpSettingsScreen

    return SmtpSettingsScreen()


def _user_email_settings() -> Screen[Any]:
    from fincon_tui.ui.screens.user_settings import UserEmailSettingsScreen

    return UserEmailSettingsScreen()


def _work_with_definitions() -> Screen[Any]:
    from fincon_tui.ui.screens.work_lists import WorkWithDefinitionsScreen

    return WorkWithDefinitionsScreen()


def _work_with_users() -> Screen[Any]:
    from fincon_tui.ui.screens.work_lists import WorkWithUsersScreen

    return WorkWithUsersScreen()


MAIL_SETTINGS = Menu(
    path="System / Mail Settings",
    heading="Mail Settings",
    entries=(
        MenuEntry("SMTP Settings", _smtp_settings),
        MenuEntry("User Email Settings", _user_email_settings),
        MenuEntry("Work with SMTP Definitions", _work_with_definitions),
        MenuEntry("Work with User Email Settings", _work_with_users),
    ),
)

SYSTEM = Menu(
    path="System",
    heading="System",
    entries=(MenuEntry("Mail Settings", lambda: MAIL_SETTINGS),),
)

MAIN = Menu(
    path="Main Menu",
    heading="Main Menu",
    entries=(MenuEntry("System", lambda: SYSTEM),),
)
