"""A province's own code of conduct in the demo (``DemoProvince.conduct_code``): created published and attached to
the province, the way the pledges data migration ships the national code and Hanoi's.

The text is data in ``pledges.code_texts``' shape (slug, title, decision, issuer, audience, notes, chapters); its
fingerprint is computed from that text by ``pledges.code_texts`` as for a shipped code, so a pledge signed on it
keeps the fingerprint of the text it shows. The decision of a demo code is not a real one, and says so.
"""

from __future__ import annotations

from django.db import transaction

from core.audit import save_with_history
from core.dates import local_datetime
from pledges.choices import VersionStatus
from pledges.code_texts import canonical_text, text_fingerprint
from pledges.models import Article, Chapter, CodeOfConduct, CodeVersion
from units.models import Unit


@transaction.atomic
def demo_code_seed(*, data: dict, jurisdiction: Unit) -> CodeOfConduct | None:
    """Create ``data``'s code for ``jurisdiction`` with its version 1 published (on the decision's day) and its
    chapters and articles; None when a code of that slug exists already (idempotent)."""
    if CodeOfConduct.objects.filter(slug=data["slug"]).exists():
        return None
    code = CodeOfConduct(
        jurisdiction=jurisdiction, slug=data["slug"], title=data["title"], decision_number=data["decision_number"],
        decision_date=data["decision_date"], issuer=data["issuer"], audience=data["audience"],
    )
    code.full_clean()
    save_with_history(code, actor=None)
    version = save_with_history(
        CodeVersion(
            code=code, number=1, status=VersionStatus.PUBLISHED, notes=data["notes"],
            published_at=local_datetime(data["decision_date"], 8),
            text_hash=text_fingerprint(canonical_text(data["title"], data["chapters"])),
        ),
        actor=None,
    )
    for chapter_number, chapter_title, articles in data["chapters"]:
        chapter = save_with_history(Chapter(version=version, number=chapter_number, title=chapter_title), actor=None)
        for number, title, text in articles:
            save_with_history(Article(chapter=chapter, number=number, title=title, text=text), actor=None)
    return code
