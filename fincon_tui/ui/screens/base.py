"""The frame every full screen shares: title, body, message line, key legend."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.containers import Vertical

from fincon_tui.ui.app_services import AppServices, services_of
from fincon_tui.ui.textual_internals import SparingScreen
from fincon_tui.ui.widgets.chrome import MessageLine, TitleBar
from fincon_tui.ui.widgets.key_legend import KeyLegend
from fincon_tui.ui.widgets.too_small import SizeGuard, TooSmall, guarded_by_size

if TYPE_CHECKING:
    from fincon_tui.ui.help_text import HelpText


@guarded_by_size
class FinconScreen(SparingScreen[None]):
    """A screen with a menu path title, a message line and the F-key legend
    (or, on too small a terminal, a note that says so)."""

    PATH = ""
    #: What F1 shows above the screen's keys.
    HELP_TEXT: ClassVar[HelpText] = ()

    def __init__(self) -> None:
        super().__init__()
        self.size_guard = SizeGuard(self)

    def compose(self) -> ComposeResult:
        yield TitleBar(self.PATH)
        with Vertical(id="body"):
            yield from self.compose_body()
        yield MessageLine()
        yield KeyLegend()
        yield TooSmall()

    def compose_body(self) -> ComposeResult:
        yield from ()

    @property
    def services(self) -> AppServices:
        """The app's services, database thread and key labels."""
        return services_of(self)

    @property
    def message(self) -> MessageLine:
        return self.query_one(MessageLine)

    def has_unsaved_changes(self) -> bool:
        """Whether leaving now would lose something typed."""
        return False
