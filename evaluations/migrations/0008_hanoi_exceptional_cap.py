"""Hanoi's scheme (Decision 3814-QĐ/TU) allows 40 % grade A for a unit the level above marks exceptional.
Re-runnable."""

from django.db import migrations


def ship_exceptional_cap(apps, schema_editor):
    ScoringScheme = apps.get_model("evaluations", "ScoringScheme")
    ScoringScheme.objects.filter(
        legal_basis__startswith="Quyết định 3814", exceptional_cap_percent__isnull=True
    ).update(exceptional_cap_percent=40)


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0007_decree_335_sanction_trigger")]

    operations = [migrations.RunPython(ship_exceptional_cap, migrations.RunPython.noop)]
