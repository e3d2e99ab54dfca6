"""The codes of conduct: shipped as data, readable by anyone, new wording only through a draft that is published.

A published version never changes (pledges keep the fingerprint of the exact text signed): not through the
services, not through the admin.
"""

import datetime

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
import pytest

from pledges import services
from pledges.choices import PledgeMethod, VersionStatus
from pledges.code_texts import text_fingerprint
from pledges.models import Article, CodeOfConduct, CodeVersion, Pledge
from pledges.selectors import code_current_version, code_version_text, code_version_with_text
from tests.builders import make_campaign, sign
from tests.factories import CodeOfConductFactory

pytestmark = pytest.mark.django_db

STAFF_SLUG, PUBLIC_SLUG = "qd-522-2017", "qd-1665-2017"


def published(slug) -> CodeVersion:
    return CodeVersion.objects.get(code__slug=slug, status=VersionStatus.PUBLISHED)


def texts_of(version) -> str:
    return "\n".join(Article.objects.filter(chapter__version=version).values_list("text", flat=True))


# --- The data migration ------------------------------------------------------------------------------------


def test_both_hanoi_codes_ship_with_their_decisions():
    staff, public = CodeOfConduct.objects.get(slug=STAFF_SLUG), CodeOfConduct.objects.get(slug=PUBLIC_SLUG)
    assert (staff.decision_number, staff.decision_date) == ("522/QĐ-UBND", datetime.date(2017, 1, 25))
    assert (public.decision_number, public.decision_date) == ("1665/QĐ-UBND", datetime.date(2017, 3, 10))
    for code in (staff, public):
        version = published(code.slug)
        assert version.number == 1 and version.published_at is not None
        assert version.chapters.count() >= 2
        assert Article.objects.filter(chapter__version=version).count() >= 5
        # The fingerprint stored at shipping is the one a pledge will compute from the rows.
        assert version.text_hash == text_fingerprint(code_version_text(code_version_with_text(version_id=version.pk)))


def test_staff_code_covers_the_content_areas_used_for_rating():
    version = published(STAFF_SLUG)
    titles = set(Article.objects.filter(chapter__version=version).values_list("title", flat=True))
    assert {"Tinh thần, thái độ làm việc", "Giao tiếp, ứng xử", "Đạo đức, lối sống", "Trang phục"} <= titles
    text = texts_of(version)
    assert "4 xin, 4 luôn" in text
    assert "xin chào, xin lỗi, xin cảm ơn, xin phép" in text
    assert "rượu, bia" in text
    assert "trang phục" in text.lower() and "quai hậu" in text


def test_public_places_code_has_its_rules():
    text = texts_of(published(PUBLIC_SLUG))
    assert "4 xin, 4 luôn" in text and "rượu, bia" in text and "Trang phục" in text


# --- Public pages ------------------------------------------------------------------------------------------


def test_code_list_is_public_and_vietnamese(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):  # 3, and the footer's codes in force (one per audience)
        response = client.get(reverse("pledges:code_list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'lang="vi"' in page
    assert "Quy tắc ứng xử của cán bộ, công chức, viên chức, người lao động" in page
    assert "Quy tắc ứng xử nơi công cộng trên địa bàn thành phố Hà Nội" in page
    assert "522/QĐ-UBND" in page and "25/01/2017" in page
    assert "1665/QĐ-UBND" in page and "10/03/2017" in page
    assert reverse("pledges:code_detail", args=[STAFF_SLUG]) in page


def test_code_detail_shows_the_current_text_without_login(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):  # 5, and the footer's codes in force (one per audience)
        response = client.get(reverse("pledges:code_detail", args=[STAFF_SLUG]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'lang="vi"' in page
    assert "Chương 2" in page and "Quy tắc ứng xử" in page
    assert "Điều 5. Giao tiếp, ứng xử" in page
    assert "Điều 7. Trang phục" in page
    assert "luôn nhẹ nhàng, luôn mỉm cười, luôn lắng nghe, luôn giúp đỡ" in page
    assert "522/QĐ-UBND" in page and "25/01/2017" in page
    assert "Ủy ban nhân dân thành phố Hà Nội" in page
    # Chapters and articles in order.
    assert page.index("Điều 4.") < page.index("Điều 5.") < page.index("Điều 8.")


def test_unknown_code_is_404(client):
    assert client.get(reverse("pledges:code_detail", args=["khong-co"])).status_code == 404


def test_code_without_a_published_version_is_404(client):
    CodeOfConductFactory(
        slug="du-thao", title="Quy tắc đang soạn", decision_number="1/QĐ-UBND", decision_date=datetime.date(2026, 1, 1),
        audience="staff",
    )
    assert client.get(reverse("pledges:code_detail", args=["du-thao"])).status_code == 404


# --- New wording: draft, then publish ------------------------------------------------------------------------


def test_city_admin_drafts_edits_and_publishes_a_new_version(client, city_admin):
    old = published(STAFF_SLUG)
    draft = services.code_version_draft_create(actor=city_admin, code=old.code)
    assert (draft.number, draft.status) == (2, VersionStatus.DRAFT)
    # The draft starts as a copy of the published text.
    assert code_version_text(code_version_with_text(version_id=draft.pk)) == code_version_text(
        code_version_with_text(version_id=old.pk)
    )
    article = Article.objects.get(chapter__version=draft, number=7)
    article.text += " Không mặc quần soóc, áo không tay khi làm việc."
    article.save()

    services.code_version_publish(actor=city_admin, version=draft, notes="Bổ sung quy định về trang phục.")

    draft.refresh_from_db()
    old.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED and draft.published_at is not None
    assert old.status == VersionStatus.SUPERSEDED
    assert code_current_version(code=old.code) == draft
    assert draft.text_hash == text_fingerprint(code_version_text(code_version_with_text(version_id=draft.pk)))
    assert draft.text_hash != old.text_hash
    # The old text is kept, unchanged, for the pledges signed on it.
    assert old.text_hash == text_fingerprint(code_version_text(code_version_with_text(version_id=old.pk)))
    page = client.get(reverse("pledges:code_detail", args=[STAFF_SLUG])).content.decode()
    assert "Không mặc quần soóc" in page


def test_only_one_draft_at_a_time_and_only_drafts_publish(city_admin):
    old = published(STAFF_SLUG)
    services.code_version_draft_create(actor=city_admin, code=old.code)
    with pytest.raises(ValidationError):
        services.code_version_draft_create(actor=city_admin, code=old.code)
    with pytest.raises(ValidationError):
        services.code_version_publish(actor=city_admin, version=old)


@pytest.mark.parametrize("officer", ["district_officer", "ward_officer"])
def test_only_city_admins_manage_codes(request, officer, city_admin):
    actor = request.getfixturevalue(officer)
    code = CodeOfConduct.objects.get(slug=STAFF_SLUG)
    with pytest.raises(PermissionDenied):
        services.code_version_draft_create(actor=actor, code=code)
    draft = services.code_version_draft_create(actor=city_admin, code=code)
    with pytest.raises(PermissionDenied):
        services.code_version_publish(actor=actor, version=draft)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT
    assert code_current_version(code=code).number == 1


# --- Admin -----------------------------------------------------------------------------------------------------


def _change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def test_published_version_is_read_only_in_admin(admin_client):
    version = published(STAFF_SLUG)
    page = admin_client.get(_change_url(version)).content.decode()
    assert "Điều 5. Giao tiếp, ứng xử" in page  # the text is shown …
    assert 'name="notes"' not in page and 'name="chapters-0-title"' not in page  # … but nothing can be typed
    assert 'name="_save"' not in page

    response = admin_client.post(_change_url(version), {"notes": "sửa", "chapters-TOTAL_FORMS": "0"})
    assert response.status_code == 403
    version.refresh_from_db()
    assert version.notes != "sửa"


def test_published_article_cannot_be_edited_in_admin(admin_client):
    article = Article.objects.get(chapter__version=published(STAFF_SLUG), number=5)
    page = admin_client.get(_change_url(article)).content.decode()
    assert 'name="text"' not in page and "4 xin, 4 luôn" in page
    response = admin_client.post(_change_url(article), {"number": 5, "title": "Giao tiếp", "text": "Sửa đổi lén."})
    assert response.status_code == 403
    assert admin_client.post(reverse("admin:pledges_article_delete", args=[article.pk]), {"post": "yes"}).status_code == 403
    article.refresh_from_db()
    assert article.text.startswith("Thực hiện")


def test_draft_is_edited_in_admin_then_published_with_the_action(admin_client):
    code = CodeOfConduct.objects.get(slug=STAFF_SLUG)
    response = admin_client.post(
        reverse("admin:pledges_codeofconduct_changelist"),
        {"action": "start_draft_version", "_selected_action": [code.pk]},
        follow=True,
    )
    assert response.status_code == 200
    draft = CodeVersion.objects.get(code=code, status=VersionStatus.DRAFT)
    # While a draft, its chapters are editable inline and its articles on their page.
    draft_page = admin_client.get(_change_url(draft)).content.decode()
    assert 'name="chapters-0-title"' in draft_page and 'name="notes"' in draft_page
    article = Article.objects.get(chapter__version=draft, number=6)
    response = admin_client.post(
        _change_url(article),
        {"number": 6, "title": article.title, "text": article.text + " Không sử dụng ma túy."},
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    response = admin_client.post(
        reverse("admin:pledges_codeversion_changelist"), {"action": "publish", "_selected_action": [draft.pk]}, follow=True
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    assert draft.text_hash == text_fingerprint(code_version_text(code_version_with_text(version_id=draft.pk)))
    assert published(STAFF_SLUG) == draft
    assert CodeVersion.objects.get(code=code, number=1).status == VersionStatus.SUPERSEDED
    assert "Không sử dụng ma túy" in admin_client.get(reverse("pledges:code_detail", args=[STAFF_SLUG])).content.decode()
    # Now published: frozen.
    assert admin_client.post(_change_url(article), {"number": 6, "title": "x", "text": "y"}).status_code == 403


def test_admin_actions_report_refusals(admin_client):
    version = published(STAFF_SLUG)
    response = admin_client.post(
        reverse("admin:pledges_codeversion_changelist"), {"action": "publish", "_selected_action": [version.pk]}, follow=True
    )
    shown = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert len(shown) == 1 and shown[0][0] == "error"
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED

    code = version.code
    for _ in range(2):  # the second draft is refused: one already exists
        response = admin_client.post(
            reverse("admin:pledges_codeofconduct_changelist"),
            {"action": "start_draft_version", "_selected_action": [code.pk]},
            follow=True,
        )
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert CodeVersion.objects.filter(code=code, status=VersionStatus.DRAFT).count() == 1


def test_admin_action_refused_to_a_staff_user_without_the_right(client, district_officer):
    district_officer.is_staff = True
    district_officer.save()
    # Django permission to change versions, but not the portal's MANAGE_CODES capability.
    district_officer.user_permissions.add(*Permission.objects.filter(content_type__app_label="pledges"))
    code = CodeOfConduct.objects.get(slug=STAFF_SLUG)
    client.force_login(district_officer)
    response = client.post(
        reverse("admin:pledges_codeofconduct_changelist"),
        {"action": "start_draft_version", "_selected_action": [code.pk]},
        follow=True,
    )
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not CodeVersion.objects.filter(code=code, status=VersionStatus.DRAFT).exists()


def test_pledges_are_read_only_in_admin(admin_client, district_officer, thanh_xuan, thanh_xuan_bac, staff_factory):
    today = timezone.localdate()
    campaign = make_campaign(
        actor=district_officer, title="Ký cam kết năm 2026", year=today.year, code_version=published(STAFF_SLUG),
        scope_unit=thanh_xuan, opens_on=today - datetime.timedelta(days=3), closes_on=today + datetime.timedelta(days=30),
    )
    person = staff_factory(unit=thanh_xuan_bac, full_name="Lê Thị Mai")
    pledge = sign(campaign, person, district_officer, signed_on=today)

    assert admin_client.get(reverse("admin:pledges_pledge_changelist")).status_code == 200
    assert "Lê Thị Mai" in admin_client.get(reverse("admin:pledges_pledge_changelist")).content.decode()
    assert admin_client.get(reverse("admin:pledges_pledge_add")).status_code == 403
    page = admin_client.get(_change_url(pledge)).content.decode()
    assert 'name="_save"' not in page and 'name="signed_on"' not in page
    assert admin_client.post(_change_url(pledge), {"method": "online"}).status_code == 403
    assert admin_client.post(reverse("admin:pledges_pledge_delete", args=[pledge.pk]), {"post": "yes"}).status_code == 403
    # The history is shown, and cannot be "reverted" to through its form.
    assert admin_client.get(reverse("admin:pledges_pledge_history", args=[pledge.pk])).status_code == 200
    history_id = pledge.history.get().history_id
    revert = reverse("admin:pledges_pledge_simple_history", args=[pledge.pk, history_id])
    assert admin_client.get(revert).status_code == 200
    assert admin_client.post(revert, {}).status_code == 403
    assert Pledge.objects.filter(pk=pledge.pk, method=PledgeMethod.PAPER).count() == 1
    assert pledge.history.count() == 1
    # Campaigns too: opened in the portal, only looked at here.
    assert admin_client.get(reverse("admin:pledges_pledgecampaign_add")).status_code == 403
    assert admin_client.get(reverse("admin:pledges_pledgecampaign_history", args=[campaign.pk])).status_code == 200
