"""Work with SMTP Definitions and Work with User Email Settings: their
rows, options and help (what each option does: row_options.py)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from fincon_tui.domain import smtp, users
from fincon_tui.services.oauth_logins import WARN_DAYS
from fincon_tui.ui.screens.smtp_settings import SmtpSettingsScreen
from fincon_tui.ui.screens.user_settings import UserEmailSettingsScreen
from fincon_tui.ui.screens.work_with import WorkWithScreen
from fincon_tui.ui.widgets.columns import Column

if TYPE_CHECKING:
    from textual.screen import Screen

    from fincon_tui.services.smtp_settings import SmtpSettings
    from fincon_tui.services.user_settings import UserSettings
    from fincon_tui.services.work_lists import DefinitionRow, ListPage, UserRow

_HELP_OPTIONS = (
    "Type an option number in front of one or more records and press Enter: the options are carried "
    "out top to bottom, each in its own form or window, and the list is read again when all are done.  "
    "Options typed on other pages count too.  Exit in a form stops the options still to come; Cancel "
    "goes on with the next.",
    ("2=Change", "The record's form, to change and Accept it."),
    ("3=Copy", "Asks for the new key and whether to copy the stored password or client secret, then "
               "opens the form filled from the record; Accept creates the copy.  A signed-in mailbox is "
               "never copied: sign the copy in again."),
    ("4=Delete", "Asks first, naming the stored password, client secret or sign-in that goes too; a "
                 "definition that users are linked to is refused at once, naming them."),
    ("5=Display", "The form, read only."),
    ("7=Rename", "Asks for the new key; the password, the history and (for a definition) the linked "
                 "users go with it.  A record another admin changed since the list was read is not "
                 "renamed: refresh the list first."),
)

#: The most cells of the Last test column ('FAILED STARTTLS 12-06 SPF!').
LAST_TEST_MOST = 26

_HELP_LAST_TEST = (
    "Last test",
    "The last login test (F6 in the form, 8=Test login, or `fincon-tui smtp test` and `check`): OK or "
    "FAILED and the step that failed, and the day; — when never tested.  A failed test, or a secret or "
    f"server certificate that expires within {WARN_DAYS} days, shows the row in the warning colour.  "
    "SPF! after it: the last `fincon-tui check --dns` found a sender domain whose SPF would fail the "
    "record's mail (no SPF record, or one that does not authorise its mail server or provider); the "
    "row is in the warning colour, and the form names the domain.  The next `check --dns` that finds "
    "the SPF fine clears it.",
)

_HELP_KEYS = (
    "Position to: type the first characters of a key and press Enter: the list starts there.  "
    '"More..." at the foot means more records follow, "Bottom" that this is the last page.  '
    "{list.up} and {list.down} move between the option fields, {list.page_down} and {list.page_up} "
    "turn the page.  Each column is as wide as its longest value on the page; where the width cannot "
    "hold them all, {list.view} shows the columns left out (a second view, named in the legend).",
)


class WorkWithDefinitionsScreen(WorkWithScreen):
    PATH = "Mail Settings / Work with SMTP Definitions"
    KIND = "SMTP definition"
    KIND_NAME = "SMTP definition"
    KEY = "name"
    KEY_LABEL = "SMTP Name"
    KEY_MAX = smtp.NAME_MAX
    LABELS = smtp.LABELS
    FORM = SmtpSettingsScreen
    TITLE = "Work with SMTP Definitions"
    OPTIONS = {"2": "Change", "3": "Copy", "4": "Delete", "5": "Display", "7": "Rename", "8": "Test login"}
    #: Last test beside the server, so that at 80 columns a failed test shows without the second view.
    COLUMNS = (Column("SMTP Name", 24), Column("Server:Port", 36, keeps=":"), Column("Last test", LAST_TEST_MOST),
               Column("TLS", 8), Column("Login", 8), Column("Users", 5, right=True))
    HELP_TEXT = (
        "Every SMTP definition with its server and port, how the connection is secured (TLS from "
        "the first byte, STARTTLS, none), whose login it uses (shared, per user, none, or MISSING "
        "when the shared login lacks its password, client secret or sign-in), how many users "
        "are linked to it and its last login test.",
        _HELP_LAST_TEST,
        *_HELP_OPTIONS,
        ("8=Test login", "Asks for an optional user code, then connects and logs in with the stored "
                         "definition, as that user when one is given (sends nothing)."),
        *_HELP_KEYS,
    )

    @property
    def service(self) -> SmtpSettings:
        return self.services.smtp

    def page_reader(self) -> Callable[[str, int, str], ListPage[DefinitionRow]]:
        from fincon_tui.services.work_lists import definitions

        return partial(definitions, self.service)

    def attention(self, row: DefinitionRow) -> bool:
        return bool(row.missing) or row.last_test_warns

    def cells(self, row: DefinitionRow) -> tuple[str, ...]:
        return row.key, row.server_port, row.last_test_cell, row.tls, row.login, str(row.users)

    def create_screen(self) -> Screen[Any]:
        return SmtpSettingsScreen()


class WorkWithUsersScreen(WorkWithScreen):
    PATH = "Mail Settings / Work with User Email Settings"
    KIND = "user email setting"
    KIND_NAME = "User email settings"
    KEY = "user_code"
    KEY_LABEL = "User"
    KEY_MAX = users.USER_CODE_MAX
    LABELS = users.LABELS
    FORM = UserEmailSettingsScreen
    TITLE = "Work with User Email Settings"
    OPTIONS = {"2": "Change", "3": "Copy", "4": "Delete", "5": "Display", "7": "Rename"}
    COLUMNS = (Column("User", users.USER_CODE_MAX), Column("SMTP Def.", 24), Column("Sender Address", 32),
               Column("Login Used", 40), Column("Last test", LAST_TEST_MOST))
    HELP_TEXT = (
        "Every user's email settings: the SMTP definition they send through, their sender "
        "address, the login they send with (their own, the definition's shared one, none, "
        "or MISSING when they cannot send: no login, or one without its password or sign-in) "
        "and the last test of their own login ('shared': see the definition's).",
        _HELP_LAST_TEST,
        *_HELP_OPTIONS,
        *_HELP_KEYS,
    )

    @property
    def service(self) -> UserSettings:
        return self.services.users

    def page_reader(self) -> Callable[[str, int, str], ListPage[UserRow]]:
        from fincon_tui.services.work_lists import users as user_rows

        return partial(user_rows, self.service)

    def order(self, key: str) -> bytes:
        """User codes are stored upper case and ordered as stored."""
        return key.encode("utf-8", "surrogatepass")

    def attention(self, row: UserRow) -> bool:
        return not row.can_send or row.last_test_warns

    def cells(self, row: UserRow) -> tuple[str, ...]:
        record = row.stored.record
        return row.key, record.smtp_name, record.sender_email, row.login_used, row.last_test_cell

    def create_screen(self) -> Screen[Any]:
        return UserEmailSettingsScreen()
