"""OAuth 2.0 for XOAUTH2 logins: Microsoft 365 (msal) and Google (google-auth).

Blocking HTTP (requests) that runs in threads of its own (`threads.py`);
never imports Textual, the database or the key store.
"""
