"""Where good backups are kept: a local directory or S3-compatible object storage.

A backup exists in a target once its manifest exists; the manifest is written last, after
the archive is in place and verified, so an interrupted store leaves nothing that counts.
"""

from __future__ import annotations

import json
import os
import re
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings

from budstikke.core import env

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client

ARCHIVE_SUFFIX = ".bsb"
MANIFEST_SUFFIX = ".manifest.json"
BACKUP_ID = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{6}$")


class TargetError(Exception):
    """The backup target could not store, list, fetch or delete."""


@dataclass(frozen=True)
class Manifest:
    id: str
    created_at: str
    engine: str
    size: int
    sha256: str
    migrations: list[str]
    tables: dict[str, int]
    media: dict[str, int]
    key: dict[str, Any]
    verified_at: str
    format: int = 1
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def created(self) -> datetime:
        return datetime.fromisoformat(self.created_at)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=1, sort_keys=True).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        data = json.loads(raw)
        return cls(**data)


def check_id(backup_id: str) -> str:
    if not BACKUP_ID.match(backup_id):
        raise TargetError(f"{backup_id!r} is not a backup id (like 20260101T020000Z-1a2b3c)")
    return backup_id


class Target(ABC):
    @abstractmethod
    def describe(self) -> str: ...

    @abstractmethod
    def store(self, manifest: Manifest, archive: Path) -> None:
        """Keep `archive` (consumed: moved or uploaded) and then its manifest."""

    @abstractmethod
    def manifests(self) -> list[Manifest]: ...

    @abstractmethod
    def fetch(self, backup_id: str, workdir: Path) -> Path:
        """A local path to the archive (the stored file itself, or a download in workdir)."""

    @abstractmethod
    def delete(self, backup_id: str) -> None: ...

    def manifest(self, backup_id: str) -> Manifest:
        check_id(backup_id)
        for found in self.manifests():
            if found.id == backup_id:
                return found
        raise TargetError(f"no good backup {backup_id} in {self.describe()}")


def _atomic_write(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    partial.chmod(0o600)
    os.replace(partial, path)


class LocalTarget(Target):
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def describe(self) -> str:
        return str(self.directory)

    def _archive(self, backup_id: str) -> Path:
        return self.directory / f"{check_id(backup_id)}{ARCHIVE_SUFFIX}"

    def _manifest(self, backup_id: str) -> Path:
        return self.directory / f"{check_id(backup_id)}{MANIFEST_SUFFIX}"

    def store(self, manifest: Manifest, archive: Path) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        final = self._archive(manifest.id)
        os.replace(archive, final)
        _atomic_write(self._manifest(manifest.id), manifest.to_json())
        fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def manifests(self) -> list[Manifest]:
        if not self.directory.is_dir():
            return []
        found = []
        for path in self.directory.glob(f"*{MANIFEST_SUFFIX}"):
            backup_id = path.name.removesuffix(MANIFEST_SUFFIX)
            if not BACKUP_ID.match(backup_id) or not self._archive(backup_id).is_file():
                continue
            try:
                found.append(Manifest.from_json(path.read_bytes()))
            except (ValueError, TypeError):
                continue
        return sorted(found, key=lambda m: m.created_at)

    def fetch(self, backup_id: str, workdir: Path) -> Path:
        path = self._archive(backup_id)
        if not path.is_file():
            raise TargetError(f"no archive for backup {backup_id} in {self.describe()}")
        return path

    def delete(self, backup_id: str) -> None:
        self._manifest(backup_id).unlink(missing_ok=True)
        self._archive(backup_id).unlink(missing_ok=True)


class S3Target(Target):
    def __init__(self, bucket: str, prefix: str, client: S3Client | None = None) -> None:
        self.bucket = bucket
        self.prefix = prefix
        self._client = client

    @property
    def client(self) -> S3Client:
        if self._client is None:
            import boto3

            self._client = boto3.client(
                "s3",
                endpoint_url=settings.BACKUP_S3_ENDPOINT,
                region_name=settings.BACKUP_S3_REGION,
                aws_access_key_id=settings.BACKUP_S3_ACCESS_KEY_ID,
                aws_secret_access_key=env.optional("BUDSTIKKE_BACKUP_S3_SECRET_ACCESS_KEY"),
            )
        return self._client

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def _call(self, what: str, func: Any, **kwargs: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return func(**kwargs)
        except (BotoCoreError, ClientError) as exc:
            raise TargetError(f"S3 could not {what}: {type(exc).__name__} {exc}") from None

    def store(self, manifest: Manifest, archive: Path) -> None:
        key = f"{self.prefix}{manifest.id}{ARCHIVE_SUFFIX}"
        self._call(
            "upload", self.client.upload_file, Filename=str(archive), Bucket=self.bucket, Key=key
        )
        head = self._call("check the upload", self.client.head_object, Bucket=self.bucket, Key=key)
        if head["ContentLength"] != manifest.size:
            raise TargetError("S3 holds a different size than was uploaded")
        self._call(
            "write the manifest",
            self.client.put_object,
            Bucket=self.bucket,
            Key=f"{self.prefix}{manifest.id}{MANIFEST_SUFFIX}",
            Body=manifest.to_json(),
            ContentType="application/json",
        )
        archive.unlink()

    def manifests(self) -> list[Manifest]:
        paginator = self.client.get_paginator("list_objects_v2")
        keys: set[str] = set()
        pages = self._call(
            "list", lambda: list(paginator.paginate(Bucket=self.bucket, Prefix=self.prefix))
        )
        for page in pages:
            keys.update(item["Key"] for item in page.get("Contents", []))
        found = []
        for key in sorted(keys):
            name = key.removeprefix(self.prefix)
            backup_id = name.removesuffix(MANIFEST_SUFFIX)
            if not name.endswith(MANIFEST_SUFFIX) or not BACKUP_ID.match(backup_id):
                continue
            if f"{self.prefix}{backup_id}{ARCHIVE_SUFFIX}" not in keys:
                continue
            body = self._call(
                "read a manifest", self.client.get_object, Bucket=self.bucket, Key=key
            )
            try:
                found.append(Manifest.from_json(body["Body"].read()))
            except (ValueError, TypeError):
                continue
        return sorted(found, key=lambda m: m.created_at)

    def fetch(self, backup_id: str, workdir: Path) -> Path:
        path = workdir / f"{check_id(backup_id)}{ARCHIVE_SUFFIX}"
        path.unlink(missing_ok=True)
        self._call(
            "download",
            self.client.download_file,
            Bucket=self.bucket,
            Key=f"{self.prefix}{backup_id}{ARCHIVE_SUFFIX}",
            Filename=str(path),
        )
        return path

    def delete(self, backup_id: str) -> None:
        for suffix in (MANIFEST_SUFFIX, ARCHIVE_SUFFIX):
            self._call(
                "delete",
                self.client.delete_object,
                Bucket=self.bucket,
                Key=f"{self.prefix}{check_id(backup_id)}{suffix}",
            )


def configured() -> Target:
    if settings.BACKUP_TARGET == "s3":
        return S3Target(str(settings.BACKUP_S3_BUCKET), settings.BACKUP_S3_PREFIX)
    return LocalTarget(Path(settings.BACKUP_DIR))
