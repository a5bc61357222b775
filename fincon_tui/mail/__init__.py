"""Real SMTP use of the definitions: login test and test email (no Textual)."""
