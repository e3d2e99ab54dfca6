"""The shipped schemes start a new sheet's rows at 80 % of each group's maximum (bonus at 0): 16 + 56 = 72 points
under Hanoi's 3814-QĐ/TU (B), 24 + 56 = 80 under Decree 335/2025 (B) — most staff are rated "good", and the officer
raises the deserving rather than lowering most of the unit from full marks. The schema migration before gave every
existing scheme the field's default (80); this one states the shipped schemes' value explicitly, so a later change of
the default does not move them. Re-runnable."""

import datetime

from django.db import migrations

HANOI_3814_FROM = datetime.date(2018, 5, 16)
DECREE_335_FROM = datetime.date(2026, 1, 1)
BASELINE_PERCENT = 80


def set_baseline(apps, schema_editor):
    ScoringScheme = apps.get_model("evaluations", "ScoringScheme")
    shipped = ScoringScheme.objects.filter(effective_from__in=(HANOI_3814_FROM, DECREE_335_FROM)).filter(
        shipped_for__in=("", "01")
    )
    shipped.exclude(baseline_percent=BASELINE_PERCENT).update(baseline_percent=BASELINE_PERCENT)


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0009_scheme_baseline_and_row_points_source")]

    operations = [migrations.RunPython(set_baseline, migrations.RunPython.noop)]
