"""Ship Hanoi's two codes of conduct (522/QĐ-UBND and 1665/QĐ-UBND) as version 1. Re-runnable: a code that
already exists is left as it is."""

from django.db import migrations
from django.utils import timezone


def add_hanoi_codes(apps, schema_editor):
    from pledges.code_texts import HANOI_CODES, canonical_text, text_fingerprint

    CodeOfConduct = apps.get_model("pledges", "CodeOfConduct")
    CodeVersion = apps.get_model("pledges", "CodeVersion")
    Chapter = apps.get_model("pledges", "Chapter")
    Article = apps.get_model("pledges", "Article")
    for data in HANOI_CODES:
        if CodeOfConduct.objects.filter(slug=data["slug"]).exists():
            continue
        code = CodeOfConduct.objects.create(
            slug=data["slug"], title=data["title"], decision_number=data["decision_number"],
            decision_date=data["decision_date"], audience=data["audience"], issuer=data["issuer"],
        )
        version = CodeVersion.objects.create(
            code=code, number=1, status="published", notes=data["notes"], published_at=timezone.now(),
            text_hash=text_fingerprint(canonical_text(data["title"], data["chapters"])),
        )
        for chapter_number, chapter_title, articles in data["chapters"]:
            chapter = Chapter.objects.create(version=version, number=chapter_number, title=chapter_title)
            Article.objects.bulk_create(
                Article(chapter=chapter, number=number, title=title, text=text) for number, title, text in articles
            )


class Migration(migrations.Migration):
    dependencies = [("pledges", "0001_codes_campaigns_pledges")]

    operations = [migrations.RunPython(add_hanoi_codes, migrations.RunPython.noop)]
