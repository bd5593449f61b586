from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest

from budstikke.backups import actions, archive, drill, targets
from budstikke.tenants.testing import Personas
from tests.specimens.models import Contact

pytestmark = pytest.mark.django_db(transaction=True)


def test_stored_files_are_backed_up_but_a_keys_dir_inside_them_is_not(
    personas: Personas, backup_dirs: Path, settings: Any
) -> None:
    media = backup_dirs / "data" / "media"
    (media / "signatures").mkdir(parents=True)
    (media / "signatures" / "pod-1.png").write_bytes(b"\x89PNG signature")
    settings.KEYS_DIR = media / "keys"  # a careless layout: the keys inside the media folder
    Contact.objects.create(tenant=personas.tenant_a, name="Jens Juul")  # creates KEK + keyring
    assert any((media / "keys").iterdir())

    run = actions.create_backup()

    path = targets.configured().fetch(run.backup_id, backup_dirs)
    with tempfile.TemporaryDirectory() as tmp:
        extracted = drill.extract(path, Path(tmp))
        names = sorted(
            p.relative_to(extracted.media).as_posix()
            for p in extracted.media.rglob("*")
            if p.is_file()
        )
    assert names == ["signatures/pod-1.png"]
    assert extracted.media_files == 1


def test_writing_a_key_file_into_an_archive_is_refused(
    backup_dirs: Path, settings: Any, db: None
) -> None:
    key_file = Path(settings.KEYS_DIR) / "kek-0001.key"
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.write_bytes(b"not really a key")
    with pytest.raises(archive.KeyMaterialError):
        archive.write(backup_dirs / "x.bsb", {}, [("media/kek", key_file)])
