"""The Textual user interface: app, screens, widgets (styles in styles/)."""
