"""SQLite storage through sqlite-utils: schema migrations and repositories."""
