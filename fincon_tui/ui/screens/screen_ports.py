"""What the collaborators of a maintenance form (Form) and of a "Work
with" list (ListScreen) see of the screen that holds them, and of each
other.  The screens satisfy these protocols (mypy checks it where each
collaborator is made), so that no collaborator imports its screen."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar, overload

from fincon_tui.ui.db_thread import WorkerNode

if TYPE_CHECKING:
    from textual.css.query import DOMQuery
    from textual.screen import Screen
    from textual.widget import Widget

    from fincon_tui._exceptions import FieldError
    from fincon_tui.domain.password_binding import PasswordChange
    from fincon_tui.services.record_store import Loaded, RecordService, Saved
    from fincon_tui.services.work_lists import ListPage
    from fincon_tui.storage.records import Stored
    from fincon_tui.storage.waiting import Waiting
    from fincon_tui.ui.app_services import AppServices
    from fincon_tui.ui.db_thread import DatabaseThread
    from fincon_tui.ui.screens.list_start import Done, Start
    from fincon_tui.ui.widgets.chrome import MessageLine
    from fincon_tui.ui.widgets.columns import Column
    from fincon_tui.ui.widgets.inputs import FieldInput, PasswordInput
    from fincon_tui.ui.widgets.list_rows import OptionInput

W = TypeVar("W", bound="Widget")

#: Validates (values, password change, the changes of SECRETS) into a
#: record, or raises FormInvalid.
Parser = Callable[["dict[str, str]", "PasswordChange", "dict[str, PasswordChange]"], Any]
#: Accept's write: (record, password change, the record as read, the changes of SECRETS).
Writer = Callable[[Any, "PasswordChange", "Stored[Any] | None", "dict[str, PasswordChange]"], "Saved[Any]"]


@dataclass(frozen=True)
class Prompt:
    """An F4 look-up list for one field: which records, in which columns."""

    title: str
    service: Callable[[Any], RecordService[Any]]
    columns: tuple[Column, ...]
    #: The table's column shown in each, the key first (Records.listing).
    read: tuple[str, ...]


class ScreenPart(WorkerNode, Protocol):
    """What every collaborator uses of its Textual screen."""

    PATH: str

    @property
    def focused(self) -> Widget | None: ...
    @property
    def message(self) -> MessageLine: ...
    @property
    def services(self) -> AppServices: ...
    @property
    def database(self) -> DatabaseThread: ...
    @overload
    def query(self, selector: str | None = None) -> DOMQuery[Widget]: ...
    @overload
    def query(self, selector: type[W]) -> DOMQuery[W]: ...
    def query_one(self, selector: str, expect_type: type[W]) -> W: ...
    def dismiss(self, result: Any = None) -> object: ...


class FieldsPart(Protocol):
    """DetailFields (record_fields.py)."""

    baseline: dict[str, str]

    @property
    def keys(self) -> list[str]: ...
    def fill(self, values: dict[str, str]) -> None: ...
    def explain(self, error: FieldError) -> str: ...
    def refuse(self, *errors: FieldError) -> None: ...
    def forget_errors(self) -> None: ...


class SecretsPart(Protocol):
    """SecretFields (secret_fields.py)."""

    @property
    def password_field(self) -> PasswordInput: ...
    @property
    def had_password(self) -> bool: ...
    def stored(self, key: str) -> bool: ...
    def password_change(self) -> PasswordChange: ...
    def changes(self) -> dict[str, PasswordChange]: ...
    def show_stored(self, has_password: bool) -> None: ...


class KeyPart(Protocol):
    """KeyField (key_field.py)."""

    def enter(self) -> None: ...
    def open(self, values: dict[str, str], loaded: Loaded[Any] | None) -> None: ...
    def close(self, keep_key: bool) -> None: ...


class OpeningPart(Protocol):
    """Standalone or Listed (listed_form.py)."""

    def copies(self, *names: str) -> bool | None: ...
    def writer(self) -> Writer: ...
    def finish(self, message: str) -> None: ...
    def test_ended(self, text: str, level: str) -> None: ...


class TestsPart(Protocol):
    """MailTests (mail_tests.py)."""

    def test_login(self) -> None: ...


class Form(ScreenPart, Protocol):
    """RecordFormScreen, as its collaborators see it."""

    KEY: ClassVar[str]
    LABELS: ClassVar[dict[str, str]]
    NEW_DEFAULTS: ClassVar[dict[str, str]]
    CREATE_QUESTION: ClassVar[str]
    PROMPTS: ClassVar[dict[str, Prompt]]
    SECRETS: ClassVar[dict[str, frozenset[str]]]
    loaded: Loaded[Any] | None
    told_stale: tuple[str | None, int] | None
    is_open: bool
    waiting: Waiting | None

    @property
    def fields(self) -> FieldsPart: ...
    @property
    def secrets(self) -> SecretsPart: ...
    @property
    def key_field(self) -> KeyPart: ...
    @property
    def opening(self) -> OpeningPart: ...
    @property
    def mail_tests(self) -> TestsPart | None: ...
    @property
    def service(self) -> RecordService[Any]: ...
    @property
    def password_field(self) -> PasswordInput: ...
    def field(self, key: str) -> FieldInput: ...
    def form_values(self) -> dict[str, str]: ...
    def key(self, binding_id: str) -> str: ...
    def validate_key(self, raw: str) -> str: ...
    def parser(self) -> Parser: ...
    def saved_report(self) -> Callable[[Saved[Any]], str]: ...
    async def show_store_info(self) -> None: ...
    def has_unsaved_changes(self) -> bool: ...
    def leave_or_ask(self, then: Callable[[], object]) -> None: ...
    def login_tested(self) -> None: ...


class TypedPart(Protocol):
    """TypedOptions (typed_options.py)."""

    def next_option(self, result: Done | None) -> None: ...


class RowPart(Protocol):
    """RowOptions (row_options.py)."""

    def carry_out(self, option: str, row: Any) -> None: ...


class ListScreen(ScreenPart, Protocol):
    """WorkWithScreen, as its collaborators see it."""

    KIND_NAME: ClassVar[str]
    KEY: ClassVar[str]
    KEY_MAX: ClassVar[int]
    LABELS: ClassVar[dict[str, str]]
    OPTIONS: ClassVar[dict[str, str]]
    page: ListPage[Any] | None
    waiting: Waiting | None

    @property
    def typed_options(self) -> TypedPart: ...
    @property
    def row_options(self) -> RowPart: ...
    @property
    def service(self) -> RecordService[Any]: ...
    @property
    def options(self) -> list[OptionInput]: ...
    def form(self, start: Start) -> Screen[Any]: ...
    def order(self, key: str) -> bytes: ...
    def first_key(self) -> str: ...
    def load(self, key: str, direction: str, focus_row: int | None = None) -> None: ...
