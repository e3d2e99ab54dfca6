"""Ship the default commendation rule: grade A in all three months, no violation, no substantiated complaint,
at most 10% of each unit's rated staff (at least one). Re-runnable: left alone when a rule of that date exists."""

import datetime

from django.db import migrations

EFFECTIVE_FROM = datetime.date(2017, 1, 25)  # Decision 522/QĐ-UBND, the staff code of conduct


def add_default_rule(apps, schema_editor):
    CommendationRule = apps.get_model("reports", "CommendationRule")
    if CommendationRule.objects.filter(effective_from=EFFECTIVE_FROM).exists():
        return
    CommendationRule.objects.create(
        name="Biểu dương hằng quý: loại A cả ba tháng, không vi phạm, không bị phản ánh đúng",
        effective_from=EFFECTIVE_FROM,
        min_grade="A",
        months_required=3,
        allow_violations=False,
        allow_substantiated_complaints=False,
        quota_percent=10,
        quota_min=1,
    )


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(add_default_rule, migrations.RunPython.noop)]
