"""Encrypted text and JSON fields move from a column each into the row's sealed record
(budstikke/vault/fields.py): one ciphertext per row instead of one per field."""

from django.db import migrations

import budstikke.vault.fields
from budstikke.vault.legacy import FoldIntoRecord


class Migration(migrations.Migration):
    dependencies = [
        ("shipments", "0003_person_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="csvimport",
            name="sealed",
            field=budstikke.vault.fields.SealedRecordField(null=True),
        ),
        migrations.AddField(
            model_name="shipment",
            name="sealed",
            field=budstikke.vault.fields.SealedRecordField(null=True),
        ),
        migrations.AddField(
            model_name="trackingevent",
            name="sealed",
            field=budstikke.vault.fields.SealedRecordField(null=True),
        ),
        FoldIntoRecord(
            "shipment",
            [
                "delivery_address",
                "delivery_city",
                "delivery_postcode",
                "notes",
                "pickup_address",
                "pickup_city",
                "pickup_name",
                "pickup_phone",
                "pickup_postcode",
                "recipient_email",
                "recipient_name",
                "recipient_phone",
            ],
        ),
        FoldIntoRecord("trackingevent", ["note", "position"]),
        migrations.RemoveField(model_name="shipment", name="delivery_address"),
        migrations.RemoveField(model_name="shipment", name="delivery_city"),
        migrations.RemoveField(model_name="shipment", name="delivery_postcode"),
        migrations.RemoveField(model_name="shipment", name="notes"),
        migrations.RemoveField(model_name="shipment", name="pickup_address"),
        migrations.RemoveField(model_name="shipment", name="pickup_city"),
        migrations.RemoveField(model_name="shipment", name="pickup_name"),
        migrations.RemoveField(model_name="shipment", name="pickup_phone"),
        migrations.RemoveField(model_name="shipment", name="pickup_postcode"),
        migrations.RemoveField(model_name="shipment", name="recipient_email"),
        migrations.RemoveField(model_name="shipment", name="recipient_name"),
        migrations.RemoveField(model_name="shipment", name="recipient_phone"),
        migrations.RemoveField(model_name="trackingevent", name="note"),
        migrations.RemoveField(model_name="trackingevent", name="position"),
    ]
