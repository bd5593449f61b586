"""What a backup holds and how it is packed: a tar stream of the database snapshot and the
stored files, zstd-compressed, then sealed (sealing.py). Written and read as streams.

Members: `database.sqlite3` or `database.pgdump`, then `media/<path>` for every regular
file under the media folder. Nothing under the keys directory is ever added, even when it
lies inside the data or media folder: `add` refuses it outright.
"""

from __future__ import annotations

import hashlib
import shutil
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any, BinaryIO

import zstandard
from django.conf import settings

from budstikke.backups.sealing import SealError, SealReader, SealWriter

DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
MEDIA_PREFIX = "media/"
_COPY_BYTES = 1 << 20


class KeyMaterialError(Exception):
    """Something under the keys directory was about to go into a backup."""


class ArchiveError(Exception):
    """The archive's content is not what a Budstikke backup holds."""


def media_root() -> Path:
    """Stored files (signatures, photos) live here when they live on disk."""
    configured = getattr(settings, "MEDIA_ROOT", "")
    return Path(configured) if configured else Path(settings.DATA_DIR) / "media"


def in_keys_dir(path: Path) -> bool:
    keys_dir = Path(settings.KEYS_DIR).resolve()
    return path.resolve().is_relative_to(keys_dir)


def media_files() -> list[tuple[str, Path]]:
    """(member name, path) of every regular file under the media folder, keys dir excluded,
    symbolic links skipped (they could point anywhere)."""
    root = media_root()
    if not root.is_dir() or in_keys_dir(root):
        return []
    found: list[tuple[str, Path]] = []
    for directory, subdirs, files in root.walk(follow_symlinks=False):
        subdirs[:] = sorted(d for d in subdirs if not in_keys_dir(directory / d))
        for name in sorted(files):
            path = directory / name
            if path.is_symlink() or not path.is_file():
                continue
            found.append((MEDIA_PREFIX + path.relative_to(root).as_posix(), path))
    return found


class _Hashing:
    """A write-through file that counts bytes and hashes them."""

    def __init__(self, sink: BinaryIO) -> None:
        self.sink = sink
        self.size = 0
        self.digest = hashlib.sha256()

    def write(self, data: Any) -> int:
        view = memoryview(data)
        self.sink.write(view)
        self.digest.update(view)
        self.size += view.nbytes
        return view.nbytes


@dataclass(frozen=True)
class Written:
    size: int
    sha256: str


def write(path: Path, header: dict[str, Any], members: list[tuple[str, Path]]) -> Written:
    """Pack, compress and seal `members` into `path` (created 0600)."""
    for _, source in members:
        if in_keys_dir(source):
            raise KeyMaterialError(f"{source} lies in the keys directory")
    with path.open("xb") as raw:
        path.chmod(0o600)
        hashing = _Hashing(raw)
        sealer = SealWriter(hashing, header)  # type: ignore[arg-type]
        compressor = zstandard.ZstdCompressor(level=3, threads=-1)
        with (
            compressor.stream_writer(sealer, closefd=False) as compressed,  # type: ignore[arg-type]
            tarfile.open(fileobj=compressed, mode="w|", format=tarfile.PAX_FORMAT) as tar,
        ):
            for name, source in members:
                info = tar.gettarinfo(str(source), arcname=name)
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                with source.open("rb") as handle:
                    tar.addfile(info, handle)
        sealer.close()
        raw.flush()
        return Written(hashing.size, hashing.digest.hexdigest())


def sha256_of(path: Path) -> Written:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_COPY_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return Written(size, digest.hexdigest())


def header_of(path: Path) -> dict[str, Any]:
    """The archive's header without opening any chunk (not yet authenticated)."""
    from budstikke.backups.sealing import read_header

    with path.open("rb") as handle:
        return read_header(handle)[0]


def _safe_member(member: tarfile.TarInfo) -> str:
    name = member.name
    pure = PurePosixPath(name)
    if not member.isfile() or pure.is_absolute() or ".." in pure.parts:
        raise ArchiveError(f"archive member {name!r} is not a plain relative file")
    if name not in DATABASE_MEMBERS.values() and not name.startswith(MEDIA_PREFIX):
        raise ArchiveError(f"archive member {name!r} is not part of a Budstikke backup")
    return name


@contextmanager
def opened(path: Path) -> Iterator[tuple[dict[str, Any], Iterator[tuple[str, IO[bytes]]]]]:
    """(header, members) of an archive, decrypted and decompressed as they are read.
    Every member must be consumed in order; leaving the block authenticates the rest."""
    with path.open("rb") as raw:
        reader = SealReader(raw)
        decompressor = zstandard.ZstdDecompressor()
        try:
            with (
                decompressor.stream_reader(reader, closefd=False) as plain,  # type: ignore[arg-type]
                tarfile.open(fileobj=plain, mode="r|") as tar,
            ):

                def members() -> Iterator[tuple[str, IO[bytes]]]:
                    for member in tar:
                        name = _safe_member(member)
                        handle = tar.extractfile(member)
                        if handle is None:
                            raise ArchiveError(f"archive member {name!r} has no content")
                        yield name, handle

                yield reader.header, members()
                while plain.read(_COPY_BYTES):
                    pass
            reader.drain()
        except tarfile.TarError as exc:
            raise ArchiveError(f"archive content is not a valid tar stream: {exc}") from None
        except zstandard.ZstdError as exc:
            raise ArchiveError(f"archive content does not decompress: {exc}") from None


def copy_to(handle: IO[bytes], target: Path) -> int:
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("xb") as out:
        target.chmod(0o600)
        shutil.copyfileobj(handle, out, _COPY_BYTES)
        return out.tell()


__all__ = ["ArchiveError", "KeyMaterialError", "SealError", "opened", "write"]
