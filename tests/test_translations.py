"""Danish and English are both complete: every user-facing string has a Danish translation.

Each app keeps its catalogue in `<app>/locale/da/`; project templates use `budstikke/locale/`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
from django.conf import settings


def test_the_danish_catalogue_covers_every_string_in_the_code(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(
        settings.BASE_DIR / "budstikke",
        tree / "budstikke",
        ignore=shutil.ignore_patterns("__pycache__", "*.mo"),
    )
    shutil.copy(settings.BASE_DIR / "manage.py", tree / "manage.py")
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environ |= {
        "BUDSTIKKE_DATA_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "budstikke.settings",
    }
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "da", "--no-location", "--no-obsolete"],
        cwd=tree,
        env=environ,
        check=True,
        capture_output=True,
    )
    catalogues = sorted(tree.glob("budstikke/**/locale/da/LC_MESSAGES/django.po"))
    assert catalogues, "no Danish catalogue found"
    untranslated, fuzzy = [], []
    for path in catalogues:
        catalogue = polib.pofile(str(path))
        name = path.relative_to(tree).parts[1]
        untranslated += [f"{name}: {entry.msgid}" for entry in catalogue.untranslated_entries()]
        fuzzy += [f"{name}: {entry.msgid}" for entry in catalogue.fuzzy_entries()]
    assert untranslated == [], "strings without Danish; run `make messages` and translate them"
    assert fuzzy == [], "fuzzy Danish translations to check"
