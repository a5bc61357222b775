"""Whose login is used when a user sends through an SMTP definition, how,
and whether it is complete: the one place every list, form, command and
mail test asks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from fincon_tui._exceptions import FieldError, LoginMissing
from fincon_tui.domain.login_methods import METHODS, PASSWORD, SIGN_IN_WAYS, own_way, way
from fincon_tui.domain.password_binding import PasswordOwner, smtp_owner, user_owner
from fincon_tui.domain.secret_kinds import SecretKind
from fincon_tui.domain.smtp import SmtpDefinition, own_method_problem, validate_name
from fincon_tui.domain.users import validate_user_code
from fincon_tui.domain.visible import shell_word

#: The kinds of secret stored for each owner, as the rows tell it: none is opened.
SecretNames = Mapping[PasswordOwner, frozenset[SecretKind]]


@dataclass(frozen=True)
class Login:
    """A username, whose secrets go with it, and how it logs in."""

    username: str
    password_owner: PasswordOwner
    source: Literal["user", "definition"]
    definition_name: str
    #: P, M or G: a user's own login with no method of its own takes the definition's.
    method: str = PASSWORD
    #: The user's own Login Method as set ('' when it is the definition's).
    own_method: str = ""

    @property
    def uses_oauth(self) -> bool:
        return self.method != PASSWORD

    def describe(self) -> str:
        where = (
            "from user settings"
            if self.source == "user"
            else f"from SMTP definition {self.definition_name}"
        )
        how = f", {METHODS.get(self.method, self.method)}" if self.method != PASSWORD or self.own_method else ""
        return f"{self.username}{how} ({where})"


def effective_login(
    definition: SmtpDefinition, user_code: str = "", user_username: str = "", user_method: str = "",
    *, secrets: SecretNames | None = None,
) -> Login | None:
    """The user's own login when set, else the definition's shared one;
    None when the definition does not authenticate.  A user's own login
    logs in by `user_method`, or the definition's method when that is
    empty.  Raises LoginMissing naming the user and the definition when a
    login is needed but absent; with `secrets` (which are stored), also when
    the login is not complete (`check_complete`).  Without, it only says
    which login: signing in is how a sign-in's secret comes."""
    if not definition.authenticate:
        return None
    if user_code and user_username:
        method = user_method or definition.login_method
        login = Login(user_username, user_owner(user_code), "user", definition.name, method, user_method)
    elif definition.username:
        login = Login(definition.username, smtp_owner(definition.name), "definition", definition.name,
                      definition.login_method)
    else:
        who = f"User {user_code} has" if user_code else "No user was given and"
        raise LoginMissing(
            f"{who} no SMTP login, and SMTP definition {definition.name} has no shared one",
            reason=f"SMTP definition {definition.name} has no shared login, and the user has none of their own",
        )
    if secrets is not None:
        check_complete(definition, login, secrets)
    return login


def check_complete(definition: SmtpDefinition, login: Login, secrets: SecretNames) -> None:
    """LoginMissing unless `login` can log in: a user's own Login Method
    that goes with the definition, and every secret its way needs (a
    password; for OAuth the definition's client secret or service-account
    key, and the mailbox's sign-in where one signs in)."""
    owner, shared = login.password_owner, smtp_owner(definition.name)
    problem = own_method_problem(definition, login.own_method) if login.source == "user" else None
    if problem:
        raise LoginMissing(f"User {owner.key}'s Login Method {problem}", f"Login Method {login.own_method}",
                           f"Login Method {problem}", login)
    own, held = secrets.get(owner, frozenset()), secrets.get(shared, frozenset())
    if login.method == PASSWORD:
        if SecretKind.PASSWORD not in own:
            whose = (f"the login {login.username} of SMTP definition {definition.name}" if owner.kind == "smtp"
                     else f"User {owner.key}'s own login {login.username}")
            raise LoginMissing(f"{whose} has no password: {_where(owner, 'enter it', 'set', '--password-stdin')}",
                               "password", "no password", login)
        return
    how = own_way(login.own_method, definition.login_method, held) if login.source == "user" else way(
        definition.login_method, held)
    if how == "installed app" and SecretKind.CLIENT_SECRET not in held:
        reason = f"SMTP definition {definition.name} holds no OAuth client secret"
        if SecretKind.SERVICE_ACCOUNT_KEY in held:  # a user's own G: the key would act as the mailbox instead
            fix = f"only a service-account key, which acts as User {owner.key}'s mailbox with an empty Login Method"
            raise LoginMissing(f"{reason} ({fix})", "client secret", reason, login)
        where = _where(shared, "enter one as Client Secret", "set", "--client-secret-stdin")
        raise LoginMissing(f"{reason} nor a service-account key: {where}", "client secret", reason, login)
    if how in SIGN_IN_WAYS and SecretKind.REFRESH_TOKEN not in own:
        raise LoginMissing(f"{login.username} is not signed in yet: {sign_in_where(owner)}", "sign-in",
                           "not signed in yet", login)


def sign_in_where(owner: PasswordOwner) -> str:
    """Where the mailbox of `owner` is signed in (again), in the TUI and the CLI."""
    return _where(owner, "Sign in", "sign-in")


def _where(owner: PasswordOwner, do: str, command: str, *options: str) -> str:
    """'Do on SMTP Settings X, or run `fincon-tui smtp COMMAND X OPTIONS`';
    for a key stored before the rules, which nothing saves under, 'rename
    it first (…), then do on SMTP Settings'.  The key as a shell reads it."""
    screen, kind = ("SMTP Settings", "smtp") if owner.kind == "smtp" else ("User Email Settings", "user")
    if _refused_key(owner):
        rename = " ".join(["fincon-tui", kind, "rename", shell_word(owner.key), "NEW-NAME"])
        return f"rename it first (7=Rename in the Work with list, or run `{rename}`), then {do[0].lower()}{do[1:]} " \
               f"on {screen}"
    run = " ".join(["fincon-tui", kind, command, shell_word(owner.key), *options])
    return f"{do} on {screen} {owner.key}, or run `{run}`"


def _refused_key(owner: PasswordOwner) -> bool:
    """Whether the key of `owner` is one its form refuses (stored before the rules)."""
    try:
        (validate_name if owner.kind == "smtp" else validate_user_code)(owner.key)
    except FieldError:
        return True
    return False
