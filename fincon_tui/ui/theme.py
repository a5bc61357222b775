"""The green-phosphor theme: green on black, readable down to 16 colours."""

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
        "footer-background": "#000000",
        "footer-key-foreground": "#ffffff",
        "footer-description-foreground": "#33ff33",
    },
)
