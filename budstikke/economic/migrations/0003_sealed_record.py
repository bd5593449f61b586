"""Encrypted text and JSON fields move from a column each into the row's sealed record
(budstikke/vault/fields.py): one ciphertext per row instead of one per field."""

from django.db import migrations

import budstikke.vault.fields
from budstikke.vault.legacy import FoldIntoRecord


class Migration(migrations.Migration):
    dependencies = [
        ("economic", "0002_customerlink_erased_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="conflict",
            name="sealed",
            field=budstikke.vault.fields.SealedRecordField(null=True),
        ),
        migrations.AddField(
            model_name="connection",
            name="sealed",
            field=budstikke.vault.fields.SealedRecordField(null=True),
        ),
        migrations.AddField(
            model_name="customerlink",
            name="sealed",
            field=budstikke.vault.fields.SealedRecordField(null=True),
        ),
        FoldIntoRecord("conflict", ["values"]),
        FoldIntoRecord("connection", ["app_secret_token", "grant_token", "hook_secret"]),
        FoldIntoRecord("customerlink", ["base"]),
        migrations.RemoveField(model_name="conflict", name="values"),
        migrations.RemoveField(model_name="connection", name="app_secret_token"),
        migrations.RemoveField(model_name="connection", name="grant_token"),
        migrations.RemoveField(model_name="connection", name="hook_secret"),
        migrations.RemoveField(model_name="customerlink", name="base"),
    ]
