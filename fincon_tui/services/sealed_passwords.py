"""Passwords (and OAuth 2.0 secrets) kept in the database, sealed with the data key.

Each password is sealed (AES-GCM) for its binding: its record, the login
it goes with and the mail server it is sent to.  It is written, re-bound
or removed inside the transaction of its row, so a save, a delete or a
restore from backup moves a row and its password together.  A row changed
behind fincon-tui's back no longer matches the binding: its password is
refused, never sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from fincon_tui._exceptions import (
    PasswordUnusable,
    SealBroken,
    SecretStoreError,
    StorageError,
)
from fincon_tui.domain.password_binding import (
    PasswordBinding,
    PasswordChange,
    PasswordOwner,
)
from fincon_tui.domain.secret_kinds import SecretKind
from fincon_tui.keystore import cipher
from fincon_tui.keystore.vault import FoundKey, PasswordVault
from fincon_tui.storage import secret_rows as rows

if TYPE_CHECKING:
    from sqlite_utils import Database


class Passwords:
    """Read, seal, re-bind and remove the passwords of one database."""

    def __init__(self, db: Database, vault: PasswordVault) -> None:
        self.db = db
        self.vault = vault
        self._keys: dict[str, FoundKey] = {}

    @property
    def database_id(self) -> str:
        return rows.database_id(self.db)

    # -- reading --------------------------------------------------------------------

    def has(self, owner: PasswordOwner, name: SecretKind = SecretKind.PASSWORD) -> bool:
        """Whether a password (or secret `name`) is stored for `owner` (no key needed to tell)."""
        return rows.exists(self.db, owner, name)

    def names(self, owners: Iterable[PasswordOwner]) -> dict[PasswordOwner, frozenset[SecretKind]]:
        """Which secrets are stored for each of `owners`, in one query, none opened."""
        return rows.names(self.db, owners)

    def get(self, owner: PasswordOwner, name: SecretKind = SecretKind.PASSWORD) -> str | None:
        """The password (or secret `name`), if one is stored; PasswordUnusable
        or KeyMissing say why a stored one cannot be used."""
        sealed = rows.get(self.db, owner, name)
        if sealed is None:
            legacy = rows.legacy(self.db, owner) if name is SecretKind.PASSWORD else None
            return self._from_old_keyring(legacy) if legacy else None
        now = rows.bound_now(self.db, owner)
        if now is None:
            return None
        if (now.login, now.server) != (sealed.binding.login, sealed.binding.server):
            what = name.word
            raise PasswordUnusable(
                f"enter the {what} again: the {what} of {now.owner.describe()} was saved for "
                f"{sealed.binding.describe()}, but the record now says {sealed.binding.what_changed(now)} "
                "(changed outside fincon-tui)"
            )
        return self.unseal(sealed)

    def problem(self, owner: PasswordOwner) -> str | None:
        """Why the stored password of `owner` cannot be used, or None."""
        try:
            self.get(owner)
        except (SecretStoreError, StorageError) as error:
            return str(error)
        return None

    def key_for(self, key_id: str) -> FoundKey:
        """The key with this id, found once per process (KeyMissing if none)."""
        if key_id not in self._keys:
            self._keys[key_id] = self.vault.find(self.database_id, key_id)
        return self._keys[key_id]

    def unseal(self, sealed: rows.SealedPassword) -> str:
        """The password in `sealed`, opened for the binding it was sealed for."""
        key = self.key_for(sealed.key_id)
        try:
            return cipher.unseal(
                key.key, sealed.sealed, sealed.binding.associated_data(self.database_id, sealed.name)
            )
        except SealBroken:
            what = sealed.name.word
            raise PasswordUnusable(
                f"enter the {what} again: the {what} of {sealed.binding.owner.describe()} does not "
                "decrypt (altered or damaged outside fincon-tui)"
            ) from None

    def _from_old_keyring(self, legacy: rows.LegacyPassword) -> str:
        """A password an older version left in this admin's keyring;
        PasswordUnusable names whose keyring holds it otherwise."""
        if self.vault.backend().usable:
            for account in legacy_accounts(legacy):
                value = self.vault.keyring_get(account)
                if value is not None:
                    return value
        who = legacy.saved_by or "another admin"
        raise PasswordUnusable(
            f"enter the password again, or let {who} start fincon-tui once: the password of "
            f"{legacy.owner.describe()} was saved by an older fincon-tui in {who}'s keyring, and "
            f"moves into the database when {who} next starts fincon-tui"
        )

    # -- writing, inside the caller's write transaction -----------------------------

    def remember(self, found: FoundKey | None = None) -> None:
        """Note a key just stored (or, with None, forget every key found so far)."""
        if found is None:
            self._keys.clear()
        else:
            self._keys[found.id] = found

    def current_key(self) -> FoundKey:
        """The key new passwords are sealed with; the first save creates it
        (or adopts the one in a configured key file) and records its id."""
        key_id = rows.key_id(self.db)
        if key_id is not None:
            return self.key_for(key_id)
        database_id = self.database_id
        found = self.vault.any_key(database_id)
        if found is None:
            home = self.vault.home(database_id)
            found = FoundKey(cipher.new_key(), home)
            self.vault.add(home, database_id, found.key)
        rows.set_key_id(self.db, found.id)
        self.remember(found)
        return found

    def seal(
        self, binding: PasswordBinding, secret: str, key: FoundKey | None = None, *,
        name: SecretKind = SecretKind.PASSWORD, expires_at: str | None = None,
    ) -> rows.SealedPassword:
        key = key or self.current_key()
        sealed = cipher.seal(key.key, secret, binding.associated_data(self.database_id, name))
        return rows.SealedPassword(binding, key.id, sealed, name, expires_at)

    def put(self, binding: PasswordBinding, name: SecretKind, secret: str, expires_at: str | None = None) -> None:
        """Seal and store the secret `name` (inside the caller's transaction)."""
        rows.put(self.db, self.seal(binding, secret, name=name, expires_at=expires_at))

    def apply(
        self, change: PasswordChange, before: PasswordBinding | None, after: PasswordBinding,
        name: SecretKind = SecretKind.PASSWORD,
    ) -> bool:
        """Carry out what Accept does to the password (or secret `name`); True
        if the kept secrets were re-bound to a new login or mail server."""
        if change.action == "set":
            rows.put(self.db, self.seal(after, change.value, name=name, expires_at=change.expires_at))
        elif change.action == "clear":
            rows.remove(self.db, after.owner, name)
        elif before is not None:
            return self.rebind(before, after, name)
        return False

    def rebind(self, before: PasswordBinding, after: PasswordBinding, name: SecretKind = SecretKind.PASSWORD) -> bool:
        """Re-seal a kept secret for the record's new binding.  Only a
        secret that matched the row as it was is carried over: one that a
        change outside fincon-tui made unusable stays unusable."""
        sealed = rows.get(self.db, before.owner, name)
        if sealed is None or sealed.binding == after:
            return False
        if sealed.binding != before:
            return False
        secret = self.unseal(sealed)
        rows.remove(self.db, before.owner, name)
        rows.put(self.db, self.seal(after, secret, name=name, expires_at=sealed.expires_at))
        return True

    def expiries(self, owner: PasswordOwner) -> dict[SecretKind, str | None]:
        """Each stored secret's name and expiry (None when not known)."""
        return {sealed.name: sealed.expires_at for sealed in rows.of_owner(self.db, owner)}

    def move(self, old: PasswordOwner, new: PasswordOwner) -> bool:
        """Re-seal the secrets of a renamed record (its password, client
        secret, refresh token) for its new key; the login and server they
        are bound to stay as they were (so a secret that a change outside
        fincon-tui made unusable stays unusable).  True if it had any."""
        found = rows.of_owner(self.db, old)
        for sealed in found:
            secret = self.unseal(sealed)
            rows.remove(self.db, old, sealed.name)
            moved = PasswordBinding(new, sealed.binding.login, sealed.binding.server)
            rows.put(self.db, self.seal(moved, secret, name=sealed.name, expires_at=sealed.expires_at))
        return bool(found)


def legacy_accounts(legacy: rows.LegacyPassword) -> list[str]:
    """Keyring usernames an older version kept this password under."""
    staged = [f"staged:{legacy.staged_token}"] if legacy.staged_token else []
    return [*staged, f"{legacy.owner.kind}:{legacy.owner.key}"]
