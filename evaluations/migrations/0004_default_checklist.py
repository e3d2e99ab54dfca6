"""Ship the default inspection checklist: the staff code's rules plus the office items inspectors check.
Re-runnable: nothing is added when a default checklist exists."""

from django.db import migrations

OFFICE_ITEMS = [
    "Quy tắc ứng xử được niêm yết tại trụ sở, nơi dễ thấy",
    "Cán bộ, công chức đeo thẻ khi thực hiện nhiệm vụ",
    "Trang phục gọn gàng, lịch sự, đúng quy định",
    "Có mặt tại vị trí làm việc đúng giờ làm việc",
    "Bộ phận một cửa: thái độ tiếp dân, thực hiện \"4 xin, 4 luôn\"",
    "Có hòm thư góp ý và được mở, xử lý định kỳ",
]


def add_default_checklist(apps, schema_editor):
    ChecklistTemplate = apps.get_model("evaluations", "ChecklistTemplate")
    ChecklistItem = apps.get_model("evaluations", "ChecklistItem")
    Article = apps.get_model("pledges", "Article")
    if ChecklistTemplate.objects.filter(is_default=True).exists():
        return
    template = ChecklistTemplate.objects.create(name="Kiểm tra thực hiện Quy tắc ứng xử tại trụ sở", is_default=True)
    articles = Article.objects.filter(
        chapter__version__code__slug="qd-522-2017", chapter__version__status="published", chapter__number=2
    ).order_by("number")
    order = 0
    for article in articles:
        ChecklistItem.objects.create(
            template=template, order=order, kind="article", article=article, text=f"Điều {article.number}. {article.title}"
        )
        order += 1
    for text in OFFICE_ITEMS:
        ChecklistItem.objects.create(template=template, order=order, kind="office", text=text)
        order += 1


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0003_inspections"), ("pledges", "0002_hanoi_codes")]

    operations = [migrations.RunPython(add_default_checklist, migrations.RunPython.noop)]
