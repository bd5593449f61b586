"""What can go wrong in the vault, as exceptions callers can tell apart.

Every error is a `VaultError`; none of them carries key material or plaintext.
"""

from __future__ import annotations


class VaultError(Exception):
    """Base of every vault error."""


class KeyProviderError(VaultError):
    """The key-encryption key (KEK) cannot be reached or is misconfigured."""


class DecryptionFailed(VaultError):  # noqa: N818 - a name that reads as the event
    """The ciphertext does not open under this context: tampered, moved to another row,
    field or tenant, or sealed for another purpose."""


class MalformedCiphertext(DecryptionFailed):
    """The stored value is not a vault ciphertext at all (truncated, unknown format)."""


class KeyVersionUnavailable(VaultError):  # noqa: N818 - a name that reads as the event
    """The ciphertext names a key version the keyring no longer holds (retired)."""


class TenantKeyDestroyed(VaultError):  # noqa: N818 - a name that reads as the event
    """The tenant's data keys were crypto-shredded; its data can never be read again."""


class MissingTenantContext(VaultError):  # noqa: N818 - a name that reads as the event
    """An encrypted value was read or written without knowing which tenant it belongs to."""


class EncryptedFieldMisuse(VaultError):  # noqa: N818 - a name that reads as the event
    """An operation that cannot work on ciphertext (lookup by value, `update()` with a
    plaintext value): search with a blind index, write with `save()`."""
