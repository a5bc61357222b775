"""Passwords in the OS keyring (never in the database)."""
