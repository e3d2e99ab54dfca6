"""Inspection checklists built by a province administrator: items from the articles of the code in force for the
province plus office checks, a default per jurisdiction, retired ones no longer offered, used ones never changed in
place (copied instead), and the checklist chosen per visit when it is planned. Each province only ever reaches its
own checklists and the national ones.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation
import pytest

from evaluations.checklists import services
from evaluations.checklists.services import ChecklistLine
from evaluations.choices import ItemKind, VisitKind
from evaluations.inspections.selectors import checklist_default_for, checklists_for
from evaluations.models import ChecklistTemplate, InspectionVisit
from pledges.models import Article
from tests.builders import make_code, make_user
from tests.factories import InspectionTeamFactory, InspectionVisitFactory, UserFactory, code_article
from tests.helpers import client_for, days
from units.choices import Role

pytestmark = pytest.mark.django_db

OFFICE = ["Quy tắc ứng xử được niêm yết tại trụ sở", "Cán bộ đeo thẻ khi tiếp dân"]


def articles_of(code) -> list[Article]:
    return list(Article.objects.filter(chapter__version__code=code, chapter__version__status="published").order_by("number"))


def national_articles() -> list[Article]:
    return list(Article.objects.filter(chapter__version__code__slug="qd-1847-2018", chapter__version__status="published")
                .order_by("number"))


def national_default() -> ChecklistTemplate:
    return ChecklistTemplate.objects.get(jurisdiction__isnull=True, shipped_for="", is_default=True)


def lines(articles=(), office=()):
    return [ChecklistLine(kind=ItemKind.ARTICLE, article=a) for a in articles] + [
        ChecklistLine(kind=ItemKind.OFFICE, text=t) for t in office
    ]


@pytest.fixture
def an_giang_code(an_giang_admin, an_giang):
    return make_code(actor=an_giang_admin, jurisdiction=an_giang)


@pytest.fixture
def planner(an_giang):
    """An Giang's team leader (an inspector of the province), who plans the team's visits."""
    leader = make_user("leader.angiang", Role.INSPECTOR, an_giang)
    InspectionTeamFactory(owner_unit=an_giang, leader=leader, name="Đoàn kiểm tra tỉnh")
    return leader


# --- Building a checklist in the portal -----------------------------------------------------------------------


def test_province_admin_builds_the_default_checklist(client, an_giang_admin, an_giang_code, an_giang, vinh_thuan, hanoi):
    client = client_for(client, an_giang_admin)
    page = client.get(reverse("evaluations:checklist_create"))
    assert page.status_code == 200
    # The articles offered are those of the code in force for the province, its own.
    offered = page.context["form"].fields["articles"].queryset
    assert list(offered) == articles_of(an_giang_code)
    garb, greeting = articles_of(an_giang_code)[2], articles_of(an_giang_code)[1]

    response = client.post(page.context["action"], {
        "name": "Kiểm tra văn hóa công vụ tại xã", "articles": [garb.pk, greeting.pk],
        "office_items": "\n".join(OFFICE) + "\n\n", "order": "articles", "is_default": "on",
    })
    checklist = ChecklistTemplate.objects.get(name="Kiểm tra văn hóa công vụ tại xã")
    assert response.status_code == 302 and response["Location"] == reverse("evaluations:checklist_detail", args=[checklist.pk])
    assert checklist.jurisdiction == an_giang and checklist.is_default
    items = list(checklist.items.order_by("order").values_list("kind", "text"))
    assert items == [
        (ItemKind.ARTICLE, "Điều 2. Giao tiếp, ứng xử"), (ItemKind.ARTICLE, "Điều 3. Trang phục"),
        (ItemKind.OFFICE, OFFICE[0]), (ItemKind.OFFICE, OFFICE[1]),
    ]
    # Preselected for a visit to a commune of the province; Hanoi keeps its own.
    assert checklist_default_for(vinh_thuan) == checklist
    hanoi_ward = hanoi.children.first()
    assert checklist_default_for(hanoi_ward).jurisdiction == hanoi
    assert checklist not in checklists_for(hanoi_ward)


def test_without_a_code_of_its_own_the_national_articles_are_offered(client, an_giang_admin, an_giang):
    page = client_for(client, an_giang_admin).get(reverse("evaluations:checklist_create"))
    assert list(page.context["form"].fields["articles"].queryset) == national_articles()


def test_wrong_input_is_refused_and_nothing_saved(client, an_giang_admin, an_giang_code, an_giang):
    client = client_for(client, an_giang_admin)
    url = reverse("evaluations:checklist_create") + f"?unit={an_giang.public_code}"
    response = client.post(url, {"name": "", "office_items": "  \n", "order": "articles"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Give the checklist a name." in page or "This field is required." in page
    # Another code's article is not among the choices.
    response = client.post(url, {"name": "Danh mục", "articles": [code_article().pk], "order": "articles"})
    assert response.status_code == 200 and not ChecklistTemplate.objects.filter(jurisdiction=an_giang).exists()
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.checklist_create(actor=an_giang_admin, jurisdiction=an_giang, name="Danh mục",
                                  lines=lines([code_article()], OFFICE))
    assert error.value.message_dict["articles"] == ["Điều 1 is not an article of the code in force here."]
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.checklist_create(actor=an_giang_admin, jurisdiction=an_giang, name="Danh mục", lines=[])
    assert "A checklist needs at least one item" in error.value.messages[0]
    services.checklist_create(actor=an_giang_admin, jurisdiction=an_giang, name="Danh mục", lines=lines(office=OFFICE))
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.checklist_create(actor=an_giang_admin, jurisdiction=an_giang, name="danh mục", lines=lines(office=OFFICE))
    assert error.value.message_dict["name"] == ["A checklist with this name already exists here."]
    assert ChecklistTemplate.objects.filter(jurisdiction=an_giang).count() == 1


# --- Default, retired, used ---------------------------------------------------------------------------------------------


def test_one_default_per_jurisdiction_and_retired_ones_are_not_offered(an_giang_admin, an_giang, vinh_thuan):
    first = services.checklist_create(actor=an_giang_admin, jurisdiction=an_giang, name="Một", lines=lines(office=OFFICE),
                                      is_default=True)
    second = services.checklist_create(actor=an_giang_admin, jurisdiction=an_giang, name="Hai", lines=lines(office=OFFICE))
    services.checklist_set_default(actor=an_giang_admin, checklist=second)
    first.refresh_from_db()
    assert (first.is_default, checklist_default_for(vinh_thuan)) == (False, second)

    services.checklist_set_active(actor=an_giang_admin, checklist=second, active=False)
    assert second not in checklists_for(vinh_thuan)
    # The province has no default left: the national one is preselected again.
    assert checklist_default_for(vinh_thuan) == national_default()
    with pytest.raises(ValidationError):
        services.checklist_set_default(actor=an_giang_admin, checklist=second)
    services.checklist_set_active(actor=an_giang_admin, checklist=second, active=True)
    assert second in checklists_for(vinh_thuan)


def test_a_used_checklist_is_copied_never_changed(client, an_giang_admin, an_giang_code, an_giang, vinh_thuan, planner):
    checklist = services.checklist_create(actor=an_giang_admin, jurisdiction=an_giang, name="Kiểm tra xã",
                                          lines=lines(articles_of(an_giang_code)[1:], OFFICE))
    InspectionVisitFactory(team=planner.led_teams.get(), unit=vinh_thuan, checklist=checklist)
    client = client_for(client, an_giang_admin)
    response = client.get(reverse("evaluations:checklist_update", args=[checklist.pk]))
    assert response.status_code == 302  # back to the checklist, with the way to copy it
    response = client.post(reverse("evaluations:checklist_update", args=[checklist.pk]),
                           {"name": "Đổi tên", "office_items": "Khác", "order": "articles"})
    assert "Visits have used this checklist" in response.content.decode()
    checklist.refresh_from_db()
    assert checklist.name == "Kiểm tra xã" and checklist.items.count() == 4

    response = client.post(reverse("evaluations:checklist_copy", args=[checklist.pk]),
                           {"jurisdiction": an_giang.pk, "name": ""})
    copy = ChecklistTemplate.objects.exclude(pk=checklist.pk).get(jurisdiction=an_giang)
    assert response["Location"] == reverse("evaluations:checklist_update", args=[copy.pk])
    assert copy.name == "Kiểm tra xã (copy)" and not copy.is_default
    assert list(copy.items.values_list("kind", "text", "article")) == list(checklist.items.values_list("kind", "text", "article"))
    response = client.post(reverse("evaluations:checklist_update", args=[copy.pk]),
                           {"name": "Kiểm tra xã 2026", "articles": [articles_of(an_giang_code)[0].pk],
                            "office_items": OFFICE[0], "order": "office"})
    assert response.status_code == 302
    assert list(copy.items.order_by("order").values_list("kind", flat=True)) == [ItemKind.OFFICE, ItemKind.ARTICLE]


def test_copying_the_national_checklist_keeps_what_applies(an_giang_admin, an_giang, vinh_thuan):
    national = national_default()
    copy, left_out = services.checklist_copy(actor=an_giang_admin, checklist=national, jurisdiction=an_giang)
    assert left_out == 0 and copy.items.count() == national.items.count()
    # Once the province has a code of its own, the 1847 articles no longer apply there: they are left out.
    code = make_code(actor=an_giang_admin, jurisdiction=an_giang)
    copy, left_out = services.checklist_copy(actor=an_giang_admin, checklist=national, jurisdiction=an_giang)
    articles = national.items.filter(kind=ItemKind.ARTICLE).count()
    assert articles and left_out == articles
    assert not copy.items.filter(kind=ItemKind.ARTICLE).exists()
    assert code.jurisdiction == an_giang


# --- Chosen per visit ----------------------------------------------------------------------------------------------------


def test_visit_planning_offers_the_units_checklists_with_the_default(client, planner, an_giang_admin, an_giang, vinh_thuan):
    own = services.checklist_create(actor=an_giang_admin, jurisdiction=an_giang, name="Kiểm tra xã",
                                    lines=lines(office=OFFICE), is_default=True)
    other = services.checklist_create(actor=an_giang_admin, jurisdiction=an_giang, name="Kiểm tra đột xuất",
                                      lines=lines(office=OFFICE[:1]))
    client = client_for(client, planner)
    page = client.get(reverse("evaluations:visit_create"), {"unit": vinh_thuan.pk})
    field = page.context["form"].fields["checklist"]
    assert set(field.queryset) == {own, other, *ChecklistTemplate.objects.filter(jurisdiction__isnull=True, shipped_for="",
                                                                                 is_active=True)}
    assert not field.queryset.filter(jurisdiction__official_code="01").exists()  # nothing of Hanoi
    assert field.initial == own.pk
    html = page.content.decode()
    assert 'id="checklist-field"' in html and 'hx-get="/inspections/new/"' in html

    data = {"team": planner.led_teams.get().pk, "unit": vinh_thuan.pk, "kind": VisitKind.SCHEDULED,
            "scheduled_at": timezone.localtime(timezone.now() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "subject": "Kiểm tra văn hóa công vụ", "checklist": other.pk}
    response = client.post(reverse("evaluations:visit_create"), data)
    assert response.status_code == 302
    assert InspectionVisit.objects.get().checklist == other
    # Left empty: the unit's default.
    client.post(reverse("evaluations:visit_create"), {**data, "checklist": ""})
    assert InspectionVisit.objects.latest("pk").checklist == own


def test_a_checklist_of_another_province_is_refused_for_a_visit(client, planner, vinh_thuan, hanoi):
    hanoi_checklist = ChecklistTemplate.objects.get(jurisdiction=hanoi, is_default=True)
    data = {"team": planner.led_teams.get().pk, "unit": vinh_thuan.pk, "kind": VisitKind.SCHEDULED,
            "scheduled_at": f"{days(3):%Y-%m-%d}T09:00", "subject": "Kiểm tra", "checklist": hanoi_checklist.pk}
    response = client_for(client, planner).post(reverse("evaluations:visit_create"), data)
    assert response.status_code == 200 and not InspectionVisit.objects.exists()


# --- Who reaches which checklist -------------------------------------------------------------------------------------------


def test_checklists_are_scoped_to_the_province_both_ways(client, an_giang_admin, an_giang, city_admin, hanoi):
    mine = services.checklist_create(actor=an_giang_admin, jurisdiction=an_giang, name="Kiểm tra xã", lines=lines(office=OFFICE))
    hanoi_checklist = ChecklistTemplate.objects.get(jurisdiction=hanoi, is_default=True)

    listed = [c for c, _manageable in client_for(client, city_admin).get(reverse("evaluations:checklist_list")).context["rows"]]
    assert hanoi_checklist in listed and mine not in listed and national_default() in listed
    for name in ("checklist_detail", "checklist_update"):
        assert client.get(reverse(f"evaluations:{name}", args=[mine.pk])).status_code == 404
    assert client.post(reverse("evaluations:checklist_default", args=[mine.pk])).status_code == 404

    client_for(client, an_giang_admin)
    listed = [c for c, _manageable in client.get(reverse("evaluations:checklist_list")).context["rows"]]
    assert mine in listed and hanoi_checklist not in listed
    assert client.get(reverse("evaluations:checklist_detail", args=[hanoi_checklist.pk])).status_code == 404
    assert client.post(reverse("evaluations:checklist_retire", args=[hanoi_checklist.pk])).status_code == 404
    hanoi_checklist.refresh_from_db()
    assert hanoi_checklist.is_active
    with pytest.raises(PermissionDenied):
        services.checklist_set_active(actor=an_giang_admin, checklist=hanoi_checklist, active=False)
    with pytest.raises(PermissionDenied):
        services.checklist_create(actor=city_admin, jurisdiction=an_giang, name="Của Hà Nội", lines=lines(office=OFFICE))


def test_the_national_checklist_is_read_only_but_can_be_copied(client, an_giang_admin, an_giang):
    national = national_default()
    client = client_for(client, an_giang_admin)
    page = client.get(reverse("evaluations:checklist_detail", args=[national.pk]))
    assert page.status_code == 200 and not page.context["can_manage"]
    assert client.get(reverse("evaluations:checklist_update", args=[national.pk])).status_code == 403
    assert client.post(reverse("evaluations:checklist_retire", args=[national.pk])).status_code == 403
    response = client.post(reverse("evaluations:checklist_copy", args=[national.pk]), {"jurisdiction": an_giang.pk})
    assert response.status_code == 302 and ChecklistTemplate.objects.filter(jurisdiction=an_giang).count() == 1
    national.refresh_from_db()
    assert national.is_active and national.is_default

    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    services.checklist_set_active(actor=superuser, checklist=national, active=True)


def test_a_ward_officer_reads_but_does_not_build(client, vinh_thuan, an_giang, an_giang_admin):
    officer = make_user("officer.vinhthuan", Role.WARD_OFFICER, vinh_thuan)
    mine = services.checklist_create(actor=an_giang_admin, jurisdiction=an_giang, name="Kiểm tra xã", lines=lines(office=OFFICE))
    client = client_for(client, officer)
    assert client.get(reverse("evaluations:checklist_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("evaluations:checklist_create")).status_code == 403
    assert client.get(reverse("evaluations:checklist_update", args=[mine.pk])).status_code == 403
    assert client.post(reverse("evaluations:checklist_copy", args=[mine.pk]), {"jurisdiction": an_giang.pk}).status_code == 403


def test_the_list_costs_the_same_whatever_the_number_of_checklists(client, an_giang_admin, an_giang, django_assert_max_num_queries):
    for n in range(5):
        services.checklist_create(actor=an_giang_admin, jurisdiction=an_giang, name=f"Danh mục {n}", lines=lines(office=OFFICE))
    client = client_for(client, an_giang_admin)
    client.get(reverse("evaluations:checklist_list"))  # the session's first request (two-factor, sessions) apart
    with django_assert_max_num_queries(8):
        page = client.get(reverse("evaluations:checklist_list"))
    assert len(page.context["rows"]) == 5 + ChecklistTemplate.objects.filter(jurisdiction__isnull=True, shipped_for="").count()
