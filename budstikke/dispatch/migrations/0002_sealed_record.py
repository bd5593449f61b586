"""Encrypted text and JSON fields move from a column each into the row's sealed record
(budstikke/vault/fields.py): one ciphertext per row instead of one per field."""

from django.db import migrations

import budstikke.vault.fields
from budstikke.vault.legacy import FoldIntoRecord


class Migration(migrations.Migration):
    dependencies = [
        ("dispatch", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="stopupdate",
            name="sealed",
            field=budstikke.vault.fields.SealedRecordField(null=True),
        ),
        FoldIntoRecord("stopupdate", ["position", "recipient_name"]),
        migrations.RemoveField(model_name="stopupdate", name="position"),
        migrations.RemoveField(model_name="stopupdate", name="recipient_name"),
    ]
