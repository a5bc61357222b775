"""Sealing passwords with AES-256-GCM (the `cryptography` package).

A sealed value is the 12-byte random nonce followed by the ciphertext and
its tag.  `cryptography` is imported here only, when a password is read
or written, so start-up does not pay for it.
"""

from __future__ import annotations

import os

from fincon_tui._exceptions import SealBroken

NONCE_BYTES = 12
KEY_BYTES = 32


def new_key() -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def key_id(key: bytes) -> str:
    """A key's public fingerprint: names it without revealing it."""
    import hashlib

    return hashlib.sha256(b"fincon-tui key id\x00" + key).hexdigest()[:16]


def seal(key: bytes, secret: str, associated_data: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, secret.encode("utf-8"), associated_data)


def unseal(key: bytes, sealed: bytes, associated_data: bytes) -> str:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        plain = AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated_data)
    except (InvalidTag, ValueError):
        raise SealBroken() from None
    return plain.decode("utf-8")
