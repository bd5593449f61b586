"""The sealed stream: AES-256-GCM in chunks, so a backup of any size is encrypted and
checked without holding it in memory.

    preamble = MAGIC (8) | header length (4, big-endian) | header (JSON)
    chunk    = final flag (1) | ciphertext length (4) | ciphertext + tag

Each chunk's nonce is the header's random 7-byte prefix, the chunk's counter (4 bytes) and
the final flag (1 byte); the whole preamble is the associated data of every chunk. So a
changed header, a reordered, dropped or repeated chunk, a flipped flag, a cut-off tail or
bytes after the final chunk all fail authentication. The key is derived (HKDF) per archive
from the keyring's `backup` data key and a random salt in the header: distinct from every
tenant's and the platform's keys, and wrapped by the KEK like them.
"""

from __future__ import annotations

import io
import json
import os
import struct
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from budstikke.vault import keys

MAGIC = b"BSTKBK01"
SCOPE = "backup"
CHUNK_BYTES = 1 << 20
_LENGTH = struct.Struct(">I")
_CHUNK = struct.Struct(">BI")
_TAG = 16
_MAX_HEADER = 16 << 20


class SealError(Exception):
    """The archive is not a Budstikke backup, or fails authentication (tampered, cut off)."""


def _key(version: int, salt: bytes) -> AESGCM:
    data_key = keys.key(SCOPE, version)
    return AESGCM(data_key.derive(f"archive/{salt.hex()}"))


def _nonce(prefix: bytes, counter: int, final: bool) -> bytes:
    return prefix + struct.pack(">IB", counter, 1 if final else 0)


class SealWriter(io.RawIOBase):
    """Writes `header` and then encrypted chunks of what is written to it into `sink`."""

    def __init__(self, sink: BinaryIO, header: dict[str, Any]) -> None:
        super().__init__()
        key = keys.current(SCOPE)
        salt, self._prefix = os.urandom(16), os.urandom(7)
        full = {
            **header,
            "seal": {
                "key_scope": SCOPE,
                "key_version": key.version,
                "salt": salt.hex(),
                "nonce_prefix": self._prefix.hex(),
                "chunk_bytes": CHUNK_BYTES,
            },
        }
        body = json.dumps(full, sort_keys=True).encode("utf-8")
        self._aad = MAGIC + _LENGTH.pack(len(body)) + body
        self._aead = _key(key.version, salt)
        self._sink = sink
        self._buffer = bytearray()
        self._counter = 0
        sink.write(self._aad)

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        self._buffer += view
        while len(self._buffer) >= CHUNK_BYTES:
            self._emit(bytes(self._buffer[:CHUNK_BYTES]), final=False)
            del self._buffer[:CHUNK_BYTES]
        return len(view)

    def _emit(self, plaintext: bytes, *, final: bool) -> None:
        sealed = self._aead.encrypt(
            _nonce(self._prefix, self._counter, final), plaintext, self._aad
        )
        self._sink.write(_CHUNK.pack(1 if final else 0, len(sealed)) + sealed)
        self._counter += 1

    def close(self) -> None:
        """Writes the final chunk (possibly empty); the sink stays open."""
        if not self.closed:
            self._emit(bytes(self._buffer), final=True)
            self._buffer.clear()
        super().close()


def read_header(source: BinaryIO) -> tuple[dict[str, Any], bytes]:
    """The archive's header and preamble, not yet authenticated (the first chunk does that)."""
    magic = source.read(len(MAGIC))
    if magic != MAGIC:
        raise SealError("not a Budstikke backup archive (wrong magic bytes)")
    raw_length = source.read(_LENGTH.size)
    if len(raw_length) != _LENGTH.size:
        raise SealError("archive ends inside its header")
    (length,) = _LENGTH.unpack(raw_length)
    if length > _MAX_HEADER:
        raise SealError("archive header is implausibly large")
    body = source.read(length)
    if len(body) != length:
        raise SealError("archive ends inside its header")
    try:
        header = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise SealError("archive header is not JSON") from None
    if not isinstance(header, dict) or not isinstance(header.get("seal"), dict):
        raise SealError("archive header has no seal parameters")
    return header, magic + raw_length + body


class SealReader(io.RawIOBase):
    """Decrypts chunk by chunk; raises `SealError` on the first chunk that does not open,
    and at the end if the final chunk never came or anything follows it."""

    def __init__(self, source: BinaryIO) -> None:
        super().__init__()
        self.header, self._aad = read_header(source)
        seal = self.header["seal"]
        try:
            self._prefix = bytes.fromhex(seal["nonce_prefix"])
            salt = bytes.fromhex(seal["salt"])
            version = int(seal["key_version"])
            self._max = int(seal["chunk_bytes"]) + _TAG
            if seal["key_scope"] != SCOPE or len(self._prefix) != 7:
                raise ValueError
        except (KeyError, ValueError, TypeError):
            raise SealError("archive header has malformed seal parameters") from None
        self._aead = _key(version, salt)
        self._source = source
        self._counter = 0
        self._done = False
        self._pending = b""

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> bytes:
        head = self._source.read(_CHUNK.size)
        if len(head) != _CHUNK.size:
            raise SealError("archive is cut off: the final chunk is missing")
        flag, length = _CHUNK.unpack(head)
        if flag not in (0, 1) or length > self._max or length < _TAG:
            raise SealError(f"chunk {self._counter} has a malformed frame")
        sealed = self._source.read(length)
        if len(sealed) != length:
            raise SealError("archive is cut off inside a chunk")
        final = flag == 1
        try:
            plaintext = self._aead.decrypt(
                _nonce(self._prefix, self._counter, final), sealed, self._aad
            )
        except InvalidTag:
            raise SealError(
                f"chunk {self._counter} fails authentication (tampered, reordered, "
                "or sealed under another key)"
            ) from None
        self._counter += 1
        if final:
            if self._source.read(1):
                raise SealError("bytes follow the final chunk")
            self._done = True
        return plaintext

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        while not self._pending and not self._done:
            self._pending = self._next_chunk()
        count = min(len(view), len(self._pending))
        view[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count

    def drain(self) -> None:
        """Read and authenticate everything left, up to and including the final chunk."""
        while not self._done:
            self._next_chunk()
        self._pending = b""
