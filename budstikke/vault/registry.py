"""Every encrypted field of every installed model, collected when apps are ready, so
rotation and shredding reach every row without anyone keeping a list by hand."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from budstikke.vault.fields import (
    BlindIndexField,
    EncryptedCharField,
    EncryptedColumnField,
    EncryptedField,
    SealedRecordField,
)


@dataclass(frozen=True)
class EncryptedModelSpec:
    model: type[models.Model]
    columns: tuple[EncryptedColumnField, ...]  # encrypted fields with a column each


@cache
def encrypted_models() -> tuple[EncryptedModelSpec, ...]:
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy:
            continue
        if not any(isinstance(f, SealedRecordField) for f in model._meta.concrete_fields):
            continue
        columns = tuple(
            f for f in model._meta.concrete_fields if isinstance(f, EncryptedColumnField)
        )
        found.append(EncryptedModelSpec(model, columns))
    return tuple(found)


def check_encrypted_models(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Encrypted fields only on `EncryptedModel`s; blind indexes only over text fields."""
    from budstikke.vault.models import EncryptedModel

    errors: list[checks.CheckMessage] = []
    for model in apps.get_models():
        concrete = model._meta.concrete_fields
        if any(isinstance(f, EncryptedField) for f in model._meta.fields) and not issubclass(
            model, EncryptedModel
        ):
            errors.append(
                checks.Error(
                    f"{model._meta.label} has encrypted fields but is not an EncryptedModel",
                    hint="Inherit budstikke.vault.models.EncryptedModel (tenant, seal_id, sealed).",
                    obj=model,
                    id="vault.E001",
                )
            )
        for field in concrete:
            if not isinstance(field, BlindIndexField):
                continue
            try:
                source = model._meta.get_field(field.source)
            except FieldDoesNotExist:
                source = None
            if not isinstance(source, EncryptedCharField):
                errors.append(
                    checks.Error(
                        f"{model._meta.label}.{field.name} indexes {field.source!r}, "
                        "which is not an EncryptedCharField/EncryptedTextField of the model",
                        obj=model,
                        id="vault.E002",
                    )
                )
    return errors
