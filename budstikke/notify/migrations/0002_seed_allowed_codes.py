"""The source document's 30 calling codes as the platform's initial SMS allow-list."""

from django.db import migrations

# Copied, not imported: a migration must not change when the code does.
CODES = (
    36, 32, 359, 385, 357, 420, 45, 372, 358, 33, 49, 30, 353, 39, 371,
    423, 370, 352, 356, 31, 47, 48, 351, 40, 421, 386, 34, 46, 41, 44,
)


def seed(apps, schema_editor):
    AllowedCallingCode = apps.get_model("notify", "AllowedCallingCode")
    for code in CODES:
        AllowedCallingCode.objects.get_or_create(code=code)


def unseed(apps, schema_editor):
    apps.get_model("notify", "AllowedCallingCode").objects.filter(code__in=CODES).delete()


class Migration(migrations.Migration):
    dependencies = [("notify", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
