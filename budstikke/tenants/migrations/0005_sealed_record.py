"""Encrypted text and JSON fields move from a column each into the row's sealed record
(budstikke/vault/fields.py): one ciphertext per row instead of one per field."""

from django.db import migrations

import budstikke.vault.fields
from budstikke.vault.legacy import FoldIntoRecord


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0004_dataprocessingagreement_changes_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="sealed",
            field=budstikke.vault.fields.SealedRecordField(null=True),
        ),
        FoldIntoRecord("invitation", ["email"]),
        migrations.RemoveField(model_name="invitation", name="email"),
    ]
