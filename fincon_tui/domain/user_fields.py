"""A user's email settings' fields, each declared once (domain/declaration.py):
what the form, the CLI, an export and the table derive from, and beside
them the record that holds their checked values, as in
domain/smtp_fields.py.  Light to import, as that one."""

from __future__ import annotations

from dataclasses import dataclass

from fincon_tui.domain.declaration import Declaration, Field, Link, Option
from fincon_tui.domain.login_methods import ALLOWED, METHODS
from fincon_tui.domain.smtp_fields import NAME_MAX, PASSWORD_MAX, USERNAME_MAX
from fincon_tui.domain.value_rules import Choice, Code, Email, Text

USER_CODE_MAX = 20
TEXT_MAX = 60
TELEPHONE_MAX = 30
USER_DEFINED_COUNT = 6

USER_DEFINED_KEYS = tuple(f"user_defined_{n}" for n in range(1, USER_DEFINED_COUNT + 1))

#: Each field once, in screen (and Tab) order, with Fincon's labels.
FIELDS: tuple[Field, ...] = (
    Field("user_code", "User", Code(USER_CODE_MAX, "A-Z0-9._-",
                                    f"takes 1-{USER_CODE_MAX} letters, digits, '.', '_' or '-' (no spaces)"),
          help=f"The user code: 1-{USER_CODE_MAX} letters, digits, '.', '_' or '-'.  "
               "{prompt} lists the users that have settings.",
          column="upper case"),
    Field("smtp_name", "SMTP Definition", Text(NAME_MAX, required=True), default="", hint="{prompt}=List",
          link=Link("smtp_settings", "name", "no SMTP definition has this name"),
          help="The SMTP setting definition this user sends through ({prompt} lists them).",
          option=Option("--smtp-definition", "NAME", "SMTP Definition the user sends through"),
          column="the definition the user sends through (`COLLATE NOCASE`; deleting a linked definition is refused)"),
    Field("smtp_username", "SMTP Username", Text(USERNAME_MAX), default="", hint="optional",
          help_term="SMTP Username, SMTP Password",
          help="The user's own login.  When set it replaces the definition's shared login; when empty the "
               "definition's is used.  The line 'Login used' shows which one applies.",
          option=Option("--smtp-username", "LOGIN",
                        "SMTP Username: the user's own login (empty: the definition's)"),
          column="the user's own login; NULL: the definition's is used"),
    Field("password", "SMTP Password", width=PASSWORD_MAX, hint="optional"),
    Field("login_method", "Login Method", Choice(tuple(METHODS), ALLOWED), default="", hint=ALLOWED,
          typing_hint=f"type {ALLOWED}, or erase it to log in as the definition does",
          help="How the user's own login logs in.  Empty: as the definition does (its app-only access or "
               "service account then acts as this user's mailbox).  P: with the password above.  M (Microsoft "
               "365) or G (Google): the user's own mailbox signs in once with {sign_in}, through the "
               "definition's app registration, so the definition must use the same method; no password then.",
          option=Option("--login-method", "P|M|G", "Login Method of the user's own login: P=Password, "
                        "M=Microsoft 365, G=Google; empty: as the definition"),
          column="how the user's own login logs in; NULL: as the definition's `login_method`"),
    Field("sender_name", "Sender's Name", Text(TEXT_MAX, required=True), default="", hint="required",
          help_term="Sender's Name, Sender's Email Address", help="Who the user's emails are from (both required).",
          option=Option("--sender-name", "TEXT", "Sender's Name")),
    Field("sender_email", "Sender's Email Address", Email(required=True), default="", hint="required",
          option=Option("--sender-email", "ADDR", "Sender's Email Address")),
    Field("job_title", "Sender's Job Title", Text(TEXT_MAX), default="",
          help_term="Job Title, Telephone Number, User Defined 1-6",
          help="Optional text for the document text of emails.",
          option=Option("--job-title", "TEXT", "Sender's Job Title"),
          column="optional document text"),
    Field("telephone", "Sender's Telephone Number",
          Text(TELEPHONE_MAX, low=3, chars="0-9+()./ -", refusal="takes digits, spaces and + ( ) - . / only",
               said=f"3-{TELEPHONE_MAX} of digits, spaces and + ( ) - . /"), default="",
          option=Option("--telephone", "NUMBER", "Sender's Telephone Number")),
    *(Field(key, f"User Defined {n}", Text(TEXT_MAX), default="", member=("user_defined", n - 1),
            option=Option(f"--user-defined-{n}", "TEXT", f"User Defined {n}"), column="optional document text")
      for n, key in enumerate(USER_DEFINED_KEYS, 1)),
)


@dataclass(frozen=True)
class UserEmailSettings:
    """A user's validated email settings (the password lives elsewhere): an
    attribute for each stored field of FIELDS (the User Defined ones in one
    tuple), of its rule's type."""

    user_code: str
    smtp_name: str
    smtp_username: str
    sender_name: str
    sender_email: str
    job_title: str = ""
    telephone: str = ""
    user_defined: tuple[str, ...] = ("",) * USER_DEFINED_COUNT
    #: How the user's own login logs in: P, M, G, or '' for the definition's method.
    login_method: str = ""

    @property
    def key(self) -> str:
        return self.user_code

    def form_values(self) -> dict[str, str]:
        return DECLARED.form_values(self)


DECLARED: Declaration[UserEmailSettings] = Declaration(
    UserEmailSettings, "User email settings", "user_email_settings", FIELDS)
