"""Secrets: the data key that encrypts passwords (kept in the OS keyring or
a key file, never in the database) and the AES-GCM sealing itself."""
