"""Encrypted text and JSON fields move from a column each into the row's sealed record
(budstikke/vault/fields.py): one ciphertext per row instead of one per field."""

from django.db import migrations

import budstikke.vault.fields
from budstikke.vault.legacy import FoldIntoRecord


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0002_seed_allowed_codes"),
    ]

    operations = [
        migrations.AddField(
            model_name="optout",
            name="sealed",
            field=budstikke.vault.fields.SealedRecordField(null=True),
        ),
        migrations.AddField(
            model_name="smsmessage",
            name="sealed",
            field=budstikke.vault.fields.SealedRecordField(null=True),
        ),
        FoldIntoRecord("optout", ["phone"]),
        FoldIntoRecord("smsmessage", ["body", "phone"]),
        migrations.RemoveField(model_name="optout", name="phone"),
        migrations.RemoveField(model_name="smsmessage", name="body"),
        migrations.RemoveField(model_name="smsmessage", name="phone"),
    ]
