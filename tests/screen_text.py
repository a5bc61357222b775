"""What the terminal shows, as text: for checking that nothing is cut off."""

from __future__ import annotations

import io

from rich.console import Console


def screen_lines(app) -> list[str]:
    """The screen as the terminal shows it now, one string per row."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, record=True,
                      color_system=None, legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    lines = console.export_text(styles=False).splitlines()
    return [line.ljust(width) for line in lines[:height]]


def screen_text(app) -> str:
    """The rows joined by spaces, with runs of blanks squeezed: wrapped
    sentences read as one."""
    return " ".join(" ".join(screen_lines(app)).split())
