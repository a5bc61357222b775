"""The secrets service: passwords and OAuth 2.0 secrets kept in the
database, sealed with the data key.  It alone seals, opens, re-binds and
removes them; the record services tell it what a save or a copy
(secret_changes.saved), a rename (`move`) or a delete (`remove`) did, and
never touch the rows.

Each secret is sealed (AES-GCM) for its binding: its record, the login
it goes with and the mail server it is sent to.  It is written, re-bound
or removed inside the transaction of its row, so a save, a delete or a
restore from backup moves a row and its secrets together.  A row changed
behind fincon-tui's back no longer matches the binding: its secret is
refused, never sent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from fincon_tui._exceptions import (
    PasswordUnusable,
    SealBroken,
    SecretStoreError,
    StorageError,
)
from fincon_tui.domain.password_binding import PasswordBinding, PasswordOwner
from fincon_tui.domain.secret_holders import HOLDERS
from fincon_tui.domain.secret_kinds import SecretKind
from fincon_tui.keystore import cipher
from fincon_tui.keystore.vault import FoundKey, PasswordVault
from fincon_tui.storage.records import LegacyPassword, SealedPassword

if TYPE_CHECKING:
    from fincon_tui.storage.store import Store


class Passwords:
    """The secrets of one database: read, sealed, re-bound and removed here only."""

    def __init__(self, store: Store, vault: PasswordVault) -> None:
        self.store = store
        self.rows = store.secrets
        self.vault = vault
        self._keys: dict[str, FoundKey] = {}

    @property
    def database_id(self) -> str:
        return self.store.info.database_id()

    # -- reading --------------------------------------------------------------------

    def has(self, owner: PasswordOwner, name: SecretKind = SecretKind.PASSWORD) -> bool:
        """Whether a password (or secret `name`) is stored for `owner` (no key needed to tell)."""
        return self.rows.exists(owner, name)

    def names(self, owners: Iterable[PasswordOwner]) -> dict[PasswordOwner, frozenset[SecretKind]]:
        """Which secrets are stored for each of `owners`, in one query, none opened."""
        return self.rows.names(owners)

    def get(self, owner: PasswordOwner, name: SecretKind = SecretKind.PASSWORD) -> str | None:
        """The password (or secret `name`), if one is stored; PasswordUnusable
        or KeyMissing say why a stored one cannot be used."""
        sealed = self.rows.get(owner, name)
        if sealed is None:
            legacy = self.rows.legacy(owner) if name is SecretKind.PASSWORD else None
            return self._from_old_keyring(legacy) if legacy else None
        now = self.bound_now(owner)
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

    def bound_now(self, owner: PasswordOwner) -> PasswordBinding | None:
        """Where the stored record of `owner` would send its secrets today
        (None: no record), read as domain.secret_holders declares it."""
        holder = HOLDERS[owner.kind]
        stored = (self.store.smtp if owner.kind == "smtp" else self.store.users).get(owner.key)
        if stored is None:
            return None
        record, sent_by = stored.record, stored.record
        if holder.server_via:
            definition = self.store.smtp.get(getattr(record, holder.server_via))
            if definition is None:
                return None
            sent_by = definition.record
        return PasswordBinding.of(PasswordOwner(owner.kind, stored.key), getattr(record, holder.login) or "",
                                  getattr(sent_by, holder.server))

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

    def unseal(self, sealed: SealedPassword) -> str:
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

    def _from_old_keyring(self, legacy: LegacyPassword) -> str:
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
        key_id = self.key_id()
        if key_id is not None:
            return self.key_for(key_id)
        database_id = self.database_id
        found = self.vault.any_key(database_id)
        if found is None:
            home = self.vault.home(database_id)
            found = FoundKey(cipher.new_key(), home)
            self.vault.add(home, database_id, found.key)
        self.name_key(found.id)
        self.remember(found)
        return found

    def seal(
        self, binding: PasswordBinding, secret: str, key: FoundKey | None = None, *,
        name: SecretKind = SecretKind.PASSWORD, expires_at: str | None = None,
    ) -> SealedPassword:
        key = key or self.current_key()
        sealed = cipher.seal(key.key, secret, binding.associated_data(self.database_id, name))
        return SealedPassword(binding, key.id, sealed, name, expires_at)

    def put(self, binding: PasswordBinding, name: SecretKind, secret: str, expires_at: str | None = None) -> None:
        """Seal and store the secret `name` (inside the caller's transaction)."""
        self.rows.put(self.seal(binding, secret, name=name, expires_at=expires_at))

    def follow(self, before: PasswordBinding, after: PasswordBinding) -> bool:
        """Re-seal every kept secret of a record for its new login or mail
        server; True if its password was."""
        rebound = False
        for sealed in self.rows.of_owner(before.owner):
            moved = self._rebind(before, after, sealed.name)
            rebound = rebound or (moved and sealed.name is SecretKind.PASSWORD)
        return rebound

    def sign_out(self, owner: PasswordOwner) -> bool:
        """Remove the sign-in (refresh token) of `owner`; True if it had one."""
        if not self.has(owner, SecretKind.REFRESH_TOKEN):
            return False
        self.remove(owner, SecretKind.REFRESH_TOKEN)
        return True

    def remove(self, owner: PasswordOwner, name: SecretKind | None = None) -> None:
        """Remove the secret `name` of `owner`, or with None every one it has
        (its record is deleted)."""
        self.rows.remove(owner, name)

    def _rebind(self, before: PasswordBinding, after: PasswordBinding, name: SecretKind) -> bool:
        """Re-seal a kept secret for the record's new binding.  Only a
        secret that matched the row as it was is carried over: one that a
        change outside fincon-tui made unusable stays unusable."""
        sealed = self.rows.get(before.owner, name)
        if sealed is None or sealed.binding == after:
            return False
        if sealed.binding != before:
            return False
        secret = self.unseal(sealed)
        self.rows.remove(before.owner, name)
        self.rows.put(self.seal(after, secret, name=name, expires_at=sealed.expires_at))
        return True

    def rekey(self, new: FoundKey, keep_key: Callable[[], None],
              progress: Callable[[int, int], None] | None = None) -> Counter[SecretKind]:
        """Re-seal every secret with the key `new`, inside the caller's
        transaction: all are opened and sealed again first, then `keep_key`
        stores the new key, then the rows are written and name it.  How many
        of each kind; `progress(done, total)` after each secret re-sealed."""
        stored = self.rows.all_sealed()
        resealed = []
        for sealed in stored:
            resealed.append(self.seal(sealed.binding, self.unseal(sealed), new, name=sealed.name,
                                      expires_at=sealed.expires_at))
            if progress is not None:
                progress(len(resealed), len(stored))
        keep_key()
        for sealed in resealed:
            self.rows.put(sealed)
        self.store.info.set_key_id(new.id)
        return Counter(sealed.name for sealed in resealed)

    def adopt(self, legacy: LegacyPassword, value: str | None, mine: bool) -> bool:
        """Seal a password an older version kept in a keyring (`value`, read
        from this admin's; `mine` if this admin saved it) for its record as
        it is now, inside the caller's transaction; drop the entry when there
        is nothing to move anywhere.  True if it moved."""
        if self.rows.legacy(legacy.owner) is None:
            return False  # another admin moved or replaced it meanwhile
        binding = self.bound_now(legacy.owner)
        if binding is None or not binding.login or (value is None and mine):
            self.rows.drop_legacy(legacy.owner)  # nothing to move, anywhere
        elif value is not None:
            self.rows.put(self.seal(binding, value))
            return True
        return False

    def keeper(self, binding: PasswordBinding, name: SecretKind) -> Callable[[str, str | None], bool]:
        """A function that seals (with the key found now, in this thread) and
        stores a new value of the secret `name` later, from another thread
        (a refresh token rotated in a token thread), while the row still has
        it for `binding`; True if it did."""
        key, database_id, replace = self.current_key(), self.database_id, self.store.secret_replacer()

        def keep(secret: str, expires_at: str | None) -> bool:
            sealed = cipher.seal(key.key, secret, binding.associated_data(database_id, name))
            return replace(SealedPassword(binding, key.id, sealed, name, expires_at))

        return keep

    def summary(self) -> str:
        """The forms' line on how passwords are kept: where their key is (a
        key file configured for a new one names it), or that the first one
        saved makes it.  It asks the keyring only where the key may be in it,
        as finding the key at start did: a database without a key and without
        a key file loads no keyring library (2.8 MiB with the SMTP form open,
        issue 26)."""
        key_id = self.key_id()
        try:
            if key_id is not None:
                where = self.key_for(key_id).source
            elif self.vault.key_file is not None:
                where = self.vault.home(self.database_id)
            else:
                return "Passwords: encrypted in the database, key made with the first one saved"
        except SecretStoreError as error:
            return f"Passwords: {error}"
        return f"Passwords: encrypted in the database, key in {where.describe()}"

    def key_id(self) -> str | None:
        """The id of the key new secrets are sealed with (None before the first)."""
        return self.store.info.key_id()

    def name_key(self, key_id: str) -> None:
        """Seal new secrets with the key `key_id` (inside the caller's transaction)."""
        self.store.info.set_key_id(key_id)

    def all_sealed(self) -> list[SealedPassword]:
        """Every stored secret, none opened."""
        return self.rows.all_sealed()

    def legacy(self, owner: PasswordOwner | None = None) -> list[LegacyPassword]:
        """The passwords an older version left in admins' keyrings (of `owner`, or every one)."""
        if owner is None:
            return self.rows.all_legacy()
        found = self.rows.legacy(owner)
        return [found] if found else []

    def expiries(self, owner: PasswordOwner) -> dict[SecretKind, str | None]:
        """Each stored secret's name and expiry (None when not known)."""
        return {sealed.name: sealed.expires_at for sealed in self.rows.of_owner(owner)}

    def move(self, old: PasswordOwner, new: PasswordOwner) -> bool:
        """Re-seal the secrets of a renamed record (its password, client
        secret, refresh token) for its new key; the login and server they
        are bound to stay as they were (so a secret that a change outside
        fincon-tui made unusable stays unusable).  True if it had any."""
        found = self.rows.of_owner(old)
        for sealed in found:
            secret = self.unseal(sealed)
            self.rows.remove(old, sealed.name)
            moved = PasswordBinding(new, sealed.binding.login, sealed.binding.server)
            self.rows.put(self.seal(moved, secret, name=sealed.name, expires_at=sealed.expires_at))
        return bool(found)


def legacy_accounts(legacy: LegacyPassword) -> list[str]:
    """Keyring usernames an older version kept this password under."""
    staged = [f"staged:{legacy.staged_token}"] if legacy.staged_token else []
    return [*staged, f"{legacy.owner.kind}:{legacy.owner.key}"]
