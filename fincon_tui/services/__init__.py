"""Use cases that keep the database and the keyring consistent."""
