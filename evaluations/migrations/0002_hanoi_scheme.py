"""Ship Hanoi's monthly scoring scheme (Thành ủy Decision 3814-QĐ/TU, 16/05/2018) as the default.
Re-runnable: left alone when a scheme with that date exists."""

import datetime
from decimal import Decimal

from django.db import migrations

GROUPS = [
    ("discipline", "Ý thức tổ chức kỷ luật, đạo đức, lối sống, thực hiện Quy tắc ứng xử", 20, False, [
        ("Tinh thần, thái độ làm việc, phục vụ Nhân dân", 5),
        ("Giao tiếp, ứng xử: \"4 xin, 4 luôn\"", 5),
        ("Trang phục, đeo thẻ công chức", 3),
        ("Chấp hành thời gian làm việc", 4),
        ("Không uống rượu, bia trong giờ làm việc; không hút thuốc nơi cấm", 3),
    ]),
    ("tasks", "Kết quả thực hiện nhiệm vụ được giao", 70, False, [
        ("Khối lượng, tiến độ công việc", 35),
        ("Chất lượng, hiệu quả công việc", 35),
    ]),
    ("bonus", "Điểm thưởng (sáng kiến, thành tích nổi bật)", 10, True, [
        ("Sáng kiến, cải tiến, được khen ngợi", 10),
    ]),
]


def add_hanoi_scheme(apps, schema_editor):
    ScoringScheme = apps.get_model("evaluations", "ScoringScheme")
    CriterionGroup = apps.get_model("evaluations", "CriterionGroup")
    Criterion = apps.get_model("evaluations", "Criterion")
    effective_from = datetime.date(2018, 5, 16)
    if ScoringScheme.objects.filter(effective_from=effective_from).exists():
        return
    scheme = ScoringScheme.objects.create(
        name="Đánh giá, xếp loại hằng tháng của Hà Nội",
        legal_basis="Quyết định 3814-QĐ/TU ngày 16/05/2018 của Thành ủy Hà Nội",
        effective_from=effective_from,
    )
    for order, (code, name, max_points, is_bonus, criteria) in enumerate(GROUPS):
        group = CriterionGroup.objects.create(
            scheme=scheme, code=code, name=name, max_points=Decimal(max_points), is_bonus=is_bonus, order=order
        )
        Criterion.objects.bulk_create(
            Criterion(group=group, name=criterion, max_points=Decimal(points), order=index)
            for index, (criterion, points) in enumerate(criteria)
        )


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0001_schemes_sheets_ratings_violations")]

    operations = [migrations.RunPython(add_hanoi_scheme, migrations.RunPython.noop)]
