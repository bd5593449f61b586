"""Encrypted text and JSON fields move from a column each into the row's sealed record
(budstikke/vault/fields.py): one ciphertext per row instead of one per field."""

from django.db import migrations

import budstikke.vault.fields
from budstikke.vault.legacy import FoldIntoRecord


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="sealed",
            field=budstikke.vault.fields.SealedRecordField(null=True),
        ),
        FoldIntoRecord(
            "customer",
            [
                "address",
                "city",
                "contact_persons",
                "country",
                "custom_fields",
                "cvr",
                "ean",
                "email",
                "mobile_phone",
                "name",
                "notes",
                "pickup_addresses",
                "telephone_and_fax",
                "website",
                "zip",
            ],
        ),
        migrations.RemoveField(model_name="customer", name="address"),
        migrations.RemoveField(model_name="customer", name="city"),
        migrations.RemoveField(model_name="customer", name="contact_persons"),
        migrations.RemoveField(model_name="customer", name="country"),
        migrations.RemoveField(model_name="customer", name="custom_fields"),
        migrations.RemoveField(model_name="customer", name="cvr"),
        migrations.RemoveField(model_name="customer", name="ean"),
        migrations.RemoveField(model_name="customer", name="email"),
        migrations.RemoveField(model_name="customer", name="mobile_phone"),
        migrations.RemoveField(model_name="customer", name="name"),
        migrations.RemoveField(model_name="customer", name="notes"),
        migrations.RemoveField(model_name="customer", name="pickup_addresses"),
        migrations.RemoveField(model_name="customer", name="telephone_and_fax"),
        migrations.RemoveField(model_name="customer", name="website"),
        migrations.RemoveField(model_name="customer", name="zip"),
    ]
