"""F1 = Help: what the current screen's fields mean and every key it takes."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalGroup, VerticalScroll
from textual.screen import Screen
from textual.widgets import Label, Static

from fincon_tui.ui.key_labels import group_of, keys_label, legend_groups
from fincon_tui.ui.textual_internals import SparingModalScreen


def keys_text(screen: Screen) -> str:
    """'  F10/^S   Accept' lines for every binding the screen answers to."""
    bindings = [entry.binding for entry in screen.active_bindings.values()]
    groups = legend_groups(bindings)
    described = {group_of(b): b.description for b in bindings if b.description}
    lines = [f"  {keys_label(groups[group]):<14} {text}" for group, text in described.items()]
    return "Keys\n" + "\n".join(lines)


class HelpScreen(SparingModalScreen[None]):
    BINDINGS = [Binding("escape,f1,f12", "close", "Close help", id="help_close")]

    def __init__(self, for_screen: Screen) -> None:
        super().__init__()
        self.title_text = f"Help: {getattr(for_screen, 'PATH', '') or 'fincon-tui'}"
        help_text = getattr(for_screen, "HELP", "").strip()
        self.body = f"{help_text}\n\n{keys_text(for_screen)}" if help_text else keys_text(for_screen)

    def compose(self) -> ComposeResult:
        with VerticalGroup(id="help-dialog"):
            yield Label(self.title_text, id="help-title", markup=False)
            with VerticalScroll(id="help-body"):
                yield Static(self.body, markup=False)
            yield Label("Esc/F1=Close  Up/Down/PgUp/PgDn=Scroll", id="help-keys")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
