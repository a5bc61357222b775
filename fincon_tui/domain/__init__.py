"""Pure domain rules: no Textual, no I/O."""
