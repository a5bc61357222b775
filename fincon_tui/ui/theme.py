"""The green-phosphor themes: one for terminals with 256 or more colours,
one in the 16 ANSI colours (TERM=linux, TERM=xterm, the Linux console) that
such a terminal shows as it is set up.  styles/app.tcss names the colours by
variable, so both themes share every rule; what 16 colours cannot show
(a dark field background) is drawn with underline or reverse instead."""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from typing import Literal

from textual.theme import Theme

GREEN_SCREEN = Theme(
    name="fincon-green",
    primary="#33ff33",
    secondary="#00cc00",
    accent="#ffff55",
    warning="#ffff55",
    error="#ff5555",
    success="#55ff55",
    foreground="#33ff33",
    background="#000000",
    surface="#000000",
    panel="#003300",
    dark=True,
    variables={
        "bar-background": "#003300",
        "bar-foreground": "#33ff33",
        "bar-accent": "#ffff55",
        "field-background": "#003300",
        "field-foreground": "#ffffff",
        "field-focus-background": "#007a00",
        "field-closed-background": "#001a00",
        "field-closed-foreground": "#008f00",
        "selection-foreground": "#000000",
        "button-background": "#003300",
        "button-foreground": "#33ff33",
        "button-closed-foreground": "#006600",
    },
)

GREEN_SCREEN_16 = Theme(
    name="fincon-green-16",
    ansi=True,
    primary="ansi_bright_green",
    secondary="ansi_green",
    accent="ansi_bright_yellow",
    warning="ansi_bright_yellow",
    error="ansi_bright_red",
    success="ansi_bright_green",
    foreground="ansi_bright_green",
    background="ansi_black",
    surface="ansi_black",
    panel="ansi_black",
    boost="ansi_black",
    dark=True,
    variables={
        # what Textual's own widgets ask of an ANSI theme (as its ansi-dark has)
        "ansi-background": "ansi_black",
        "ansi-foreground": "ansi_bright_green",
        "border-blurred": "ansi_black",
        "block-cursor-foreground": "ansi_black",
        "block-cursor-background": "ansi_bright_green",
        "input-cursor-background": "ansi_bright_green",
        "input-cursor-foreground": "ansi_black",
        "input-cursor-text-style": "none",
        "input-selection-background": "ansi_bright_green",
        "input-selection-foreground": "ansi_black",
        "screen-selection-background": "ansi_bright_green",
        "screen-selection-foreground": "ansi_black",
        "bar-background": "ansi_green",
        "bar-foreground": "ansi_black",
        "bar-accent": "ansi_black",
        "field-background": "ansi_black",
        "field-foreground": "ansi_bright_white",
        "field-focus-background": "ansi_green",
        "field-closed-background": "ansi_black",
        "field-closed-foreground": "ansi_green",
        "selection-foreground": "ansi_black",
        "button-background": "ansi_green",
        "button-foreground": "ansi_black",
        "button-closed-foreground": "ansi_green",
    },
)


ColorSystem = Literal["auto", "standard", "256", "truecolor", "windows"]
#: The values of TEXTUAL_COLOR_SYSTEM that Rich knows; others mean "auto".
_COLOR_SYSTEMS: tuple[ColorSystem, ...] = ("auto", "standard", "256", "truecolor", "windows")


def terminal_colours(environ: Mapping[str, str] | None = None) -> int:
    """16 or 256: the colours the terminal shows, as Rich (and so Textual)
    reads them from TERM, COLORTERM and TEXTUAL_COLOR_SYSTEM."""
    from rich.console import Console

    env = dict(os.environ if environ is None else environ)
    chosen = env.get("TEXTUAL_COLOR_SYSTEM", "auto")
    system: ColorSystem = next((known for known in _COLOR_SYSTEMS if known == chosen), "auto")
    console = Console(file=io.StringIO(), force_terminal=True, color_system=system, _environ=env)
    return 256 if console.color_system in ("256", "truecolor") else 16
