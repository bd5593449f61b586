"""A blind index of a person's full name, for exact search of shipments by name.

The vault's normalisers know email, phone and CVR; a name is compared by its words:
case-folded, accents and Danish letters folded, punctuation dropped ("Anna Hansen",
"ANNA  hansen" and "Anna Hansen." are equal; "Hanna Hansen" and "Anna Hansen-Berg" are
not). The index is the vault's HMAC over that form, under the tenant's per-field key, so
rotation, re-encryption and `find()` treat it like any other blind index.
"""

from __future__ import annotations

from typing import Any

from budstikke.customers.search import words
from budstikke.vault.fields import BlindIndexField


def normalise_name(value: str) -> str:
    return " ".join(words(value))


class NameIndexField(BlindIndexField):
    def __init__(self, *args: Any, source: str, **kwargs: Any) -> None:
        kwargs.pop("normalizer", None)
        super().__init__(*args, source=source, normalizer="exact", **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("normalizer", None)
        return name, path, args, kwargs

    def normalise(self, value: str) -> str:
        return normalise_name(value)
