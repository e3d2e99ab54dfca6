"""Decree 335/2025/NĐ-CP: a disciplinary sanction of reprimand or above in the year makes the year "not
completed". The national scheme shipped by 0005 gets that annual trigger; Hanoi's 3814-QĐ/TU keeps none.
Re-runnable."""

import datetime

from django.db import migrations

DECREE_335_FROM = datetime.date(2026, 1, 1)


def ship_sanction_trigger(apps, schema_editor):
    ScoringScheme = apps.get_model("evaluations", "ScoringScheme")
    ScoringScheme.objects.filter(
        jurisdiction__isnull=True, shipped_for="", effective_from=DECREE_335_FROM, annual_sanction_trigger=""
    ).update(annual_sanction_trigger="reprimand")


def remove_sanction_trigger(apps, schema_editor):
    ScoringScheme = apps.get_model("evaluations", "ScoringScheme")
    ScoringScheme.objects.filter(
        jurisdiction__isnull=True, shipped_for="", effective_from=DECREE_335_FROM, annual_sanction_trigger="reprimand"
    ).update(annual_sanction_trigger="")


class Migration(migrations.Migration):

    dependencies = [
        ("evaluations", "0006_discipline_and_annual_classification"),
    ]

    operations = [
        migrations.RunPython(ship_sanction_trigger, remove_sanction_trigger),
    ]
