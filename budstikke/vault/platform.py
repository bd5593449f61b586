"""Platform secrets: values that belong to no tenant (users' TOTP secrets, the e-conomic
app secret, SMS gateway credentials), sealed under the platform DEK.

The purpose is bound into the associated data, so a token sealed for one purpose (say
"mfa.totp") does not open as another ("economic.app_secret").
"""

from __future__ import annotations

import base64
import binascii

from budstikke.vault import envelope, keys
from budstikke.vault.errors import MalformedCiphertext

TEXT_PREFIX = "vault1."


def _context(purpose: str) -> bytes:
    if not purpose or not purpose.isascii() or "|" in purpose:
        raise ValueError("purpose must be a non-empty ASCII name without '|'")
    return f"budstikke/platform|{purpose}".encode("ascii")


def seal(plaintext: bytes, *, purpose: str) -> bytes:
    context = _context(purpose)
    key = keys.current(keys.PLATFORM)
    return envelope.seal(key.aead, key.version, plaintext, context)


def unseal(token: bytes, *, purpose: str) -> bytes:
    """Raises `DecryptionFailed` (tampered, other purpose), `MalformedCiphertext`, or
    `KeyVersionUnavailable`; all are `VaultError`."""
    context = _context(purpose)
    version = envelope.key_version(token)
    return envelope.open_sealed(keys.key(keys.PLATFORM, version).aead, token, context)


def seal_text(plaintext: str, *, purpose: str) -> str:
    """An ASCII token for a CharField/TextField (about 4/3 of len + 33, plus 7)."""
    raw = seal(plaintext.encode("utf-8"), purpose=purpose)
    return TEXT_PREFIX + base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def is_sealed_text(value: str) -> bool:
    return value.startswith(TEXT_PREFIX)


def unseal_text(token: str, *, purpose: str) -> str:
    if not is_sealed_text(token):
        raise MalformedCiphertext("not a sealed platform token")
    body = token.removeprefix(TEXT_PREFIX)
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        raise MalformedCiphertext("sealed token is not valid base64") from None
    try:
        return unseal(raw, purpose=purpose).decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedCiphertext("sealed token does not hold text") from None


def reseal_text(token: str, *, purpose: str) -> str:
    """The same secret under the current platform key version (after `rotate-dek
    --platform`), so the old version can eventually be retired."""
    return seal_text(unseal_text(token, purpose=purpose), purpose=purpose)
