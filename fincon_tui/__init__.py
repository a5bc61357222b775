"""fincon-tui: Fincon Accounting's mail settings as a keyboard-driven terminal app."""

__version__ = "0.1.0"
