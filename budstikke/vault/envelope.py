"""The ciphertext format shared by encrypted fields and platform secrets.

    format (1 byte, 0x01) | key version (4 bytes, big-endian) | nonce (12 bytes) | ciphertext+tag

AES-256-GCM with a fresh random 96-bit nonce per write. The 5-byte header is part of the
associated data, so editing the version or format byte breaks the tag.
"""

from __future__ import annotations

import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from budstikke.vault.errors import DecryptionFailed, MalformedCiphertext

FORMAT_V1 = 0x01
NONCE_BYTES = 12
TAG_BYTES = 16
HEADER = struct.Struct(">BI")
MIN_LENGTH = HEADER.size + NONCE_BYTES + TAG_BYTES


def header(version: int) -> bytes:
    return HEADER.pack(FORMAT_V1, version)


def key_version(blob: bytes) -> int:
    """The key version a ciphertext was written under, without opening it."""
    if len(blob) < MIN_LENGTH or blob[0] != FORMAT_V1:
        raise MalformedCiphertext("not a vault ciphertext")
    version: int = HEADER.unpack_from(blob)[1]
    return version


def seal(aead: AESGCM, version: int, plaintext: bytes, context: bytes) -> bytes:
    head = header(version)
    nonce = os.urandom(NONCE_BYTES)
    return head + nonce + aead.encrypt(nonce, plaintext, head + context)


def open_sealed(aead: AESGCM, blob: bytes, context: bytes) -> bytes:
    """Plaintext of `blob`, whose key version the caller has already used to pick `aead`."""
    head = blob[: HEADER.size]
    nonce = blob[HEADER.size : HEADER.size + NONCE_BYTES]
    try:
        return aead.decrypt(nonce, blob[HEADER.size + NONCE_BYTES :], head + context)
    except InvalidTag:
        raise DecryptionFailed("ciphertext does not open in this context") from None
