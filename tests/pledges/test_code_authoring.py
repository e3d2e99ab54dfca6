"""A province writes its own code of conduct in the portal: An Giang's administrator creates a code for the province,
writes its chapters and articles in a draft, publishes it (the fingerprint of its exact text is kept), starts a
new version from it. Each province only ever reaches its own codes; the national default is read-only.
"""


from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation
import pytest

from pledges import services
from pledges.choices import VersionStatus
from pledges.code_texts import canonical_text, text_fingerprint
from pledges.models import Article, Chapter, CodeOfConduct, CodeVersion
from pledges.selectors import articles_in_force, code_in_force
from tests.builders import PROVINCE_CHAPTERS, PROVINCE_CODE, make_campaign, make_code, make_user
from tests.factories import PledgeCampaignFactory, UserFactory
from tests.helpers import client_for, days, in_page, today
from units.choices import Role

pytestmark = pytest.mark.django_db

CODE = {**PROVINCE_CODE, "decision_date": "2026-01-05"}  # as the form posts it
CHAPTERS = PROVINCE_CHAPTERS


def published_code(actor, jurisdiction, **extra) -> CodeOfConduct:
    return make_code(actor=actor, jurisdiction=jurisdiction, **extra)


# --- The journey in the portal ----------------------------------------------------------------------------------


def test_province_admin_writes_and_publishes_a_code(client, province_admin, an_giang, vinh_thuan, thanh_xuan_bac):
    client = client_for(client, province_admin)
    page = client.get(reverse("pledges:code_create"))
    assert page.status_code == 200
    # Their province is the only jurisdiction offered, already chosen; no national default for them.
    assert list(page.context["form"].fields["jurisdiction"].queryset) == [an_giang]
    assert page.context["form"].fields["jurisdiction"].initial == an_giang.pk

    response = client.post(reverse("pledges:code_create"), {**CODE, "jurisdiction": an_giang.pk})
    code = CodeOfConduct.objects.get(decision_number="12/QĐ-UBND")
    draft = code.versions.get()
    assert response.status_code == 302 and response["Location"] == reverse("pledges:code_version_detail", args=[draft.pk])
    assert (code.jurisdiction, draft.number, draft.status) == (an_giang, 1, VersionStatus.DRAFT)
    # A draft binds nobody yet: Vĩnh Thuận still follows the national standards.
    assert code_in_force(unit=vinh_thuan, day=today()).slug == "qd-1847-2018"

    for number, title, articles in CHAPTERS:
        response = client.post(reverse("pledges:chapter_create", args=[draft.pk]), {"number": number, "title": title})
        assert response.status_code == 302
        chapter = Chapter.objects.get(version=draft, number=number)
        for article_number, article_title, text in articles:
            response = client.post(reverse("pledges:article_create", args=[chapter.pk]),
                                   {"number": article_number, "title": article_title, "text": text})
            assert response.status_code == 302, response.content.decode()[:3000]
    page = client.get(reverse("pledges:code_version_detail", args=[draft.pk])).content.decode()
    assert "Điều 2. Giao tiếp, ứng xử" in page and "4 xin, 4 luôn" in page

    response = client.post(reverse("pledges:code_version_publish", args=[draft.pk]), {"notes": "Ban hành lần đầu."})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED and draft.published_at is not None
    # The fingerprint is that of the exact text, built as pledges build it.
    assert draft.text_hash == text_fingerprint(canonical_text(CODE["title"], CHAPTERS))
    # The province's units now cite its code; Hanoi's wards still cite Decision 522.
    assert code_in_force(unit=vinh_thuan, day=today()) == code
    assert {a.chapter.version.code.slug for a in articles_in_force(unit=thanh_xuan_bac, day=today())} == {"qd-522-2017"}
    # The published text is public.
    assert "Trang phục gọn gàng" in client.get(reverse("pledges:code_detail", args=[code.slug])).content.decode()


def test_new_version_copies_the_text_and_supersedes_the_old_one(client, province_admin, an_giang):
    code = published_code(province_admin, an_giang)
    first = code.versions.get()
    client = client_for(client, province_admin)
    response = client.post(reverse("pledges:code_version_create", args=[code.slug]))
    second = code.versions.get(number=2)
    assert response["Location"] == reverse("pledges:code_version_detail", args=[second.pk])
    assert second.status == VersionStatus.DRAFT
    assert Article.objects.filter(chapter__version=second).count() == 3
    article = Article.objects.get(chapter__version=second, number=3)
    response = client.post(reverse("pledges:article_update", args=[article.pk]), {
        "chapter": article.chapter_id, "number": 3, "title": "Trang phục", "text": article.text + " Không mặc quần soóc.",
    })
    assert response.status_code == 302

    client.post(reverse("pledges:code_version_publish", args=[second.pk]))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (VersionStatus.SUPERSEDED, VersionStatus.PUBLISHED)
    assert second.text_hash != first.text_hash
    # The old text is untouched: an article of the superseded version cannot be changed, in the portal or the service.
    old = Article.objects.get(chapter__version=first, number=3)
    response = client.post(reverse("pledges:article_update", args=[old.pk]),
                           {"chapter": old.chapter_id, "number": 3, "title": "Sửa", "text": "Sửa lén."})
    assert response.status_code == 200 and "Sửa lén" not in Article.objects.get(pk=old.pk).text
    assert client.get(reverse("pledges:article_update", args=[old.pk])).status_code == 302  # back to the version
    with pytest.raises(ValidationError):
        services.chapter_create(actor=province_admin, version=first, number=9, title="Chương thêm")
    first.refresh_from_db()
    assert first.text_hash == text_fingerprint(canonical_text(CODE["title"], CHAPTERS))


# --- Wrong input: a clear message, nothing saved ---------------------------------------------------------------------


def test_an_empty_draft_cannot_be_published(client, province_admin, an_giang):
    code = services.code_create(actor=province_admin, jurisdiction=an_giang, **{**CODE, "decision_date": days(-1)})
    draft = code.versions.get()
    response = client_for(client, province_admin).post(reverse("pledges:code_version_publish", args=[draft.pk]), follow=True)
    assert "A version without any article cannot be published." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT and not draft.text_hash
    # A chapter without articles is refused too.
    services.chapter_create(actor=province_admin, version=draft, number=1, title="Quy định chung")
    two = services.chapter_create(actor=province_admin, version=draft, number=2, title="Chuẩn mực")
    services.article_create(actor=province_admin, chapter=two, number=1, title="Giao tiếp", text="4 xin, 4 luôn.")
    with translation.override("en"), pytest.raises(ValidationError, match="Chapter 1 has no article"):
        services.code_version_publish(actor=province_admin, version=draft)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_duplicate_numbers_are_refused(client, province_admin, an_giang):
    code = services.code_create(actor=province_admin, jurisdiction=an_giang, **{**CODE, "decision_date": days(-1)})
    draft = code.versions.get()
    one = services.chapter_create(actor=province_admin, version=draft, number=1, title="Quy định chung")
    two = services.chapter_create(actor=province_admin, version=draft, number=2, title="Chuẩn mực")
    services.article_create(actor=province_admin, chapter=one, number=1, title="Phạm vi", text="Phạm vi điều chỉnh.")
    client = client_for(client, province_admin)

    response = client.post(reverse("pledges:chapter_create", args=[draft.pk]), {"number": 2, "title": "Lặp"})
    assert response.status_code == 200
    assert "Chapter 2 already exists in this version." in response.content.decode()
    assert draft.chapters.count() == 2
    # Articles are numbered across the whole version: Điều 1 of chapter 1 cannot be repeated in chapter 2.
    response = client.post(reverse("pledges:article_create", args=[two.pk]), {"number": 1, "title": "Lặp", "text": "x"})
    assert "Article 1 already exists in this version (chapter 1)." in response.content.decode()
    assert Article.objects.filter(chapter__version=draft).count() == 1
    response = client.post(reverse("pledges:article_create", args=[two.pk]), {"number": 2, "title": "", "text": ""})
    assert response.status_code == 200 and Article.objects.filter(chapter__version=draft).count() == 1


def test_a_code_needs_its_particulars_and_a_decision_not_taken(client, province_admin, an_giang):
    client = client_for(client, province_admin)
    response = client.post(reverse("pledges:code_create"), {"jurisdiction": an_giang.pk, "audience": "staff"})
    assert response.status_code == 200 and not CodeOfConduct.objects.filter(jurisdiction=an_giang).exists()
    services.code_create(actor=province_admin, jurisdiction=an_giang, **{**CODE, "decision_date": days(-1)})
    response = client.post(reverse("pledges:code_create"), {**CODE, "jurisdiction": an_giang.pk})
    assert "A code issued by decision 12/QĐ-UBND already exists here." in response.content.decode()
    assert CodeOfConduct.objects.filter(jurisdiction=an_giang).count() == 1


def test_particulars_can_be_corrected_until_published(client, province_admin, an_giang):
    code = services.code_create(actor=province_admin, jurisdiction=an_giang, **{**CODE, "decision_date": days(-1)})
    client = client_for(client, province_admin)
    response = client.post(reverse("pledges:code_update", args=[code.slug]), {**CODE, "decision_number": "13/QĐ-UBND"})
    assert response.status_code == 302
    code.refresh_from_db()
    assert code.decision_number == "13/QĐ-UBND"
    published = published_code(province_admin, an_giang, decision_number="14/QĐ-UBND")
    with translation.override("en"), pytest.raises(ValidationError, match="has been published"):
        services.code_update(actor=province_admin, code=published, **{**CODE, "decision_date": days(-1)})


def test_a_discarded_draft_leaves_the_published_text_in_force(client, province_admin, an_giang, vinh_thuan):
    code = published_code(province_admin, an_giang)
    draft = services.code_version_draft_create(actor=province_admin, code=code)
    response = client_for(client, province_admin).post(reverse("pledges:code_version_discard", args=[draft.pk]))
    assert response.status_code == 302
    assert list(code.versions.values_list("number", "status")) == [(1, VersionStatus.PUBLISHED)]
    assert code_in_force(unit=vinh_thuan, day=today()) == code


def test_a_version_a_campaign_uses_is_never_edited(province_admin, an_giang):
    code = services.code_create(actor=province_admin, jurisdiction=an_giang, **{**CODE, "decision_date": days(-1)})
    draft = code.versions.get()
    chapter = services.chapter_create(actor=province_admin, version=draft, number=1, title="Quy định chung")
    PledgeCampaignFactory(code_version=draft, scope_unit=an_giang)  # as an old import might have left it
    with translation.override("en"), pytest.raises(ValidationError, match="A pledge campaign uses this version"):
        services.article_create(actor=province_admin, chapter=chapter, number=1, title="Phạm vi", text="x")
    with translation.override("en"), pytest.raises(ValidationError, match="A pledge campaign uses this version"):
        services.code_version_publish(actor=province_admin, version=draft)


# --- Who reaches which code ---------------------------------------------------------------------------------------


def test_codes_are_scoped_to_the_province_both_ways(client, province_admin, an_giang, city_admin, hanoi):
    code = published_code(province_admin, an_giang)
    hanoi_code = CodeOfConduct.objects.get(slug="qd-522-2017")
    # Another province's code is a 404 on every management page, both ways.
    client_for(client, city_admin)
    assert client.get(reverse("pledges:code_versions", args=[code.slug])).status_code == 404
    assert client.post(reverse("pledges:code_version_create", args=[code.slug])).status_code == 404
    client_for(client, province_admin)
    assert client.get(reverse("pledges:code_versions", args=[hanoi_code.slug])).status_code == 404
    assert client.post(reverse("pledges:code_version_create", args=[hanoi_code.slug])).status_code == 404
    assert not CodeVersion.objects.filter(code__in=[code, hanoi_code], status=VersionStatus.DRAFT).exists()
    # The services refuse as well.
    with pytest.raises(PermissionDenied):
        services.code_version_draft_create(actor=city_admin, code=code)
    with pytest.raises(PermissionDenied):
        services.code_create(actor=city_admin, jurisdiction=an_giang, **{**CODE, "decision_date": days(-1)})


def test_code_list_shows_the_codes_that_apply(client, province_admin, an_giang, city_admin):
    code = published_code(province_admin, an_giang)
    draft_only = services.code_create(actor=province_admin, jurisdiction=an_giang,
                                      **{**CODE, "decision_number": "99/QĐ-UBND", "decision_date": days(-1)})

    def slugs(response):
        return {c.slug for c, _manageable in response.context["codes"]}

    mine = slugs(client_for(client, province_admin).get(reverse("pledges:code_list")))
    assert mine == {code.slug, draft_only.slug, "qd-1847-2018"}  # its own (the draft too) and the national one
    hanoi = slugs(client_for(client, city_admin).get(reverse("pledges:code_list")))
    assert {"qd-522-2017", "qd-1665-2017", "qd-1847-2018"} <= hanoi and not hanoi & {code.slug, draft_only.slug}
    client.logout()
    anyone = slugs(client.get(reverse("pledges:code_list")))
    assert code.slug in anyone and draft_only.slug not in anyone  # published texts are public


def test_without_the_right_the_pages_are_refused(client, an_giang, vinh_thuan, province_admin):
    code = published_code(province_admin, an_giang)
    officer = make_user("officer.vinhthuan", Role.WARD_OFFICER, vinh_thuan)
    client = client_for(client, officer)
    assert client.get(reverse("pledges:code_versions", args=[code.slug])).status_code == 403
    assert client.get(reverse("pledges:code_create")).status_code == 403
    assert client.post(reverse("pledges:code_version_create", args=[code.slug])).status_code == 403
    assert not code.versions.filter(status=VersionStatus.DRAFT).exists()


def test_the_national_code_is_read_only_except_for_superusers(client, province_admin, an_giang):
    national = CodeOfConduct.objects.get(slug="qd-1847-2018")
    client = client_for(client, province_admin)
    page = client.get(reverse("pledges:code_versions", args=[national.slug]))
    assert page.status_code == 200 and not page.context["can_manage"]
    assert reverse("pledges:code_version_create", args=[national.slug]) not in page.content.decode()
    assert client.post(reverse("pledges:code_version_create", args=[national.slug])).status_code == 403
    version = national.versions.get()
    assert client.get(reverse("pledges:code_version_detail", args=[version.pk])).status_code == 200
    chapter = version.chapters.first()
    assert client.get(reverse("pledges:chapter_update", args=[chapter.pk])).status_code == 403

    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    draft = services.code_version_draft_create(actor=superuser, code=national)
    assert draft.number == 2


# --- Campaigns offer the codes that apply --------------------------------------------------------------------------


def test_campaigns_offer_only_the_codes_that_apply(client, province_admin, an_giang, city_admin, hanoi):
    code = published_code(province_admin, an_giang)
    offered = client_for(client, province_admin).get(reverse("pledges:campaign_create")).context["form"].fields["code_version"]
    assert {v.code.slug for v in offered.queryset} == {code.slug, "qd-1847-2018"}
    offered = client_for(client, city_admin).get(reverse("pledges:campaign_create")).context["form"].fields["code_version"]
    assert {v.code.slug for v in offered.queryset} == {"qd-522-2017", "qd-1665-2017", "qd-1847-2018"}
    hanoi_version = CodeVersion.objects.get(code__slug="qd-522-2017", status=VersionStatus.PUBLISHED)
    with translation.override("en"), pytest.raises(ValidationError, match="does not apply to Tỉnh An Giang"):
        make_campaign(actor=province_admin, scope_unit=an_giang, code_version=hanoi_version)
    campaign = make_campaign(actor=province_admin, scope_unit=an_giang, code_version=code.versions.get())
    assert campaign.code_version.code == code


# --- The Django admin: superusers may add a code ----------------------------------------------------------------


def test_superuser_adds_a_code_in_the_admin(admin_client, an_giang):
    assert admin_client.get(reverse("admin:pledges_codeofconduct_add")).status_code == 200
    response = admin_client.post(reverse("admin:pledges_codeofconduct_add"), {**CODE, "jurisdiction": an_giang.pk})
    assert response.status_code == 302, response.content.decode()[:3000]
    code = CodeOfConduct.objects.get(decision_number="12/QĐ-UBND")
    assert code.jurisdiction == an_giang and code.slug == "12-qd-ubnd-2026"
    assert list(code.versions.values_list("number", "status")) == [(1, VersionStatus.DRAFT)]
    # The same checks as the portal's: the same decision twice is refused, nothing saved.
    response = admin_client.post(reverse("admin:pledges_codeofconduct_add"), {**CODE, "jurisdiction": an_giang.pk})
    assert response.status_code == 200 and CodeOfConduct.objects.filter(decision_number="12/QĐ-UBND").count() == 1


def test_staff_without_superuser_cannot_add_a_code_in_the_admin(client, city_admin):
    city_admin.is_staff = True
    city_admin.save()
    city_admin.user_permissions.add(*Permission.objects.filter(content_type__app_label="pledges"))
    client.force_login(city_admin)
    assert client.get(reverse("admin:pledges_codeofconduct_add")).status_code == 403


def test_messages_are_translated(client, province_admin, an_giang):
    code = services.code_create(actor=province_admin, jurisdiction=an_giang, **{**CODE, "decision_date": days(-1)})
    client.force_login(province_admin)  # Vietnamese, the default
    response = client.post(reverse("pledges:code_version_publish", args=[code.versions.get().pk]), follow=True)
    assert in_page("A version without any article cannot be published.") in response.content.decode()


def test_the_pages_cost_the_same_whatever_the_number_of_codes(client, province_admin, an_giang, django_assert_max_num_queries):
    for n in range(4):
        make_code(actor=province_admin, jurisdiction=an_giang, decision_number=f"{20 + n}/QĐ-UBND")
    version = CodeVersion.objects.filter(code__jurisdiction=an_giang).first()
    client = client_for(client, province_admin)
    client.get(reverse("pledges:code_list"))  # the session's first request (two-factor, sessions) apart
    # The footer cites the codes in force for the user's unit: two queries of its own, whatever the number of codes.
    with django_assert_max_num_queries(10):
        assert client.get(reverse("pledges:code_list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("pledges:code_version_detail", args=[version.pk])).status_code == 200
