from __future__ import annotations

import io
import struct
from typing import Any

import pytest

from budstikke.backups import sealing


def _sealed(payload: bytes, monkeypatch: Any) -> bytes:
    monkeypatch.setattr(sealing, "CHUNK_BYTES", 64)
    sink = io.BytesIO()
    writer = sealing.SealWriter(sink, {"backup_id": "x"})
    writer.write(payload)
    writer.close()
    return sink.getvalue()


def _open(data: bytes) -> bytes:
    reader = sealing.SealReader(io.BytesIO(data))
    out = reader.read()
    reader.drain()
    return out or b""


def _chunks(data: bytes) -> tuple[bytes, list[bytes]]:
    (length,) = struct.unpack(">I", data[8:12])
    at = 12 + length
    preamble, chunks = data[:at], []
    while at < len(data):
        size = struct.unpack(">I", data[at + 1 : at + 5])[0]
        chunks.append(data[at : at + 5 + size])
        at += 5 + size
    return preamble, chunks


@pytest.fixture
def sealed(monkeypatch: Any, db: None) -> bytes:
    return _sealed(bytes(range(256)) * 2, monkeypatch)


def test_it_round_trips(sealed: bytes) -> None:
    assert _open(sealed) == bytes(range(256)) * 2
    assert bytes(range(256)) not in sealed


def test_swapped_chunks_fail(sealed: bytes) -> None:
    preamble, chunks = _chunks(sealed)
    chunks[0], chunks[1] = chunks[1], chunks[0]
    with pytest.raises(sealing.SealError, match="authentication"):
        _open(preamble + b"".join(chunks))


def test_a_dropped_tail_fails(sealed: bytes) -> None:
    preamble, chunks = _chunks(sealed)
    with pytest.raises(sealing.SealError, match="cut off"):
        _open(preamble + b"".join(chunks[:-1]))


def test_a_forged_final_flag_fails(sealed: bytes) -> None:
    preamble, chunks = _chunks(sealed)
    forged = b"\x01" + chunks[2][1:]
    with pytest.raises(sealing.SealError, match="authentication"):
        _open(preamble + chunks[0] + chunks[1] + forged)


def test_an_edited_header_fails(sealed: bytes) -> None:
    edited = sealed.replace(b'"backup_id": "x"', b'"backup_id": "y"')
    with pytest.raises(sealing.SealError, match="authentication"):
        _open(edited)


def test_bytes_after_the_end_fail(sealed: bytes) -> None:
    with pytest.raises(sealing.SealError, match="follow the final chunk"):
        _open(sealed + b"\x00")
