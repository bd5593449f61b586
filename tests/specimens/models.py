"""Models used only by tests. They have migrations (under tests.settings only) because
PostgreSQL cannot create an unmigrated table with a foreign key to a migrated one."""

from __future__ import annotations

from django.db import models

from budstikke.core.tenancy import TenantOwned
from budstikke.vault.fields import (
    BlindIndexField,
    EncryptedBinaryField,
    EncryptedCharField,
    EncryptedJSONField,
    EncryptedTextField,
)
from budstikke.vault.models import EncryptedModel


class Contact(EncryptedModel):
    """A person a tenant keeps: every kind of encrypted field, three blind indexes."""

    name = EncryptedCharField(max_length=200)
    email = EncryptedCharField(max_length=254, blank=True)
    email_index = BlindIndexField(source="email", normalizer="email")
    phone = EncryptedCharField(max_length=40, blank=True)
    phone_index = BlindIndexField(source="phone", normalizer="phone")
    cvr = EncryptedCharField(max_length=20, blank=True)
    cvr_index = BlindIndexField(source="cvr", normalizer="cvr")
    notes = EncryptedTextField(blank=True)
    address = EncryptedJSONField(null=True, blank=True)
    signature = EncryptedBinaryField(null=True)
    reference = models.CharField(max_length=40, blank=True)


class Note(EncryptedModel):
    """A second model, so rotation and shredding are seen to span models."""

    body = EncryptedTextField()


class PlainNote(TenantOwned):
    """Not encrypted: the registry must leave it out."""

    body = models.TextField()
