"""The SQLite engine of the store (storage/store.py): one file, one connection."""
