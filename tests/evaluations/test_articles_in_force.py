"""Violations, findings and the feedback case's violation cite the code in force for the staff member's unit (or
the visited unit) on the day: Hanoi's wards Decision 522, An Giang's communes the province's own code once it has
one, and the national 1847 standards before that. Another province's article is refused with a clear message, and
the forms offer only the articles that apply.
"""

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
import pytest

from evaluations.choices import Severity, ViolationSource
from evaluations.inspections import services as inspection_services
from evaluations.inspections.forms import FindingForm
from evaluations.models import Finding, Violation
from evaluations.violations.services import violation_record
from feedback.staff import services as feedback_services
from feedback.staff.forms import ViolationFromCaseForm
from pledges.models import Article, CodeOfConduct
from pledges.selectors import articles_in_force
from tests.builders import make_code, make_user
from tests.factories import (
    ChecklistItemFactory,
    ChecklistTemplateFactory,
    FeedbackCaseFactory,
    InspectionTeamFactory,
    InspectionVisitFactory,
    StaffFactory,
    code_article,
)
from tests.helpers import client_for, today
from units.choices import Role
from units.services import role_assign

pytestmark = pytest.mark.django_db


def first_article(slug: str) -> Article:
    return Article.objects.filter(chapter__version__code__slug=slug, chapter__version__status="published").order_by(
        "chapter__number", "number").first()


def codes_offered(field) -> set[str]:
    return {article.chapter.version.code.decision_number for article in field.queryset}


def record(actor, staff, article):
    return violation_record(
        actor=actor, staff=staff, occurred_on=today(), article=article, severity=Severity.MINOR,
        source=ViolationSource.SUPERVISOR, description="Không đeo thẻ",
    )


@pytest.fixture
def an_giang_code(an_giang_admin, an_giang):
    return make_code(actor=an_giang_admin, jurisdiction=an_giang)


# --- What applies where -----------------------------------------------------------------------------------------------


def test_each_unit_cites_its_own_province_code(an_giang, vinh_thuan, thanh_xuan_bac, an_giang_admin):
    def slugs(unit):
        return {article.chapter.version.code.slug for article in articles_in_force(unit=unit, day=today())}

    # Without a code of its own, An Giang's units cite the national standards; Hanoi's wards Decision 522.
    assert slugs(vinh_thuan) == {"qd-1847-2018"}
    assert slugs(thanh_xuan_bac) == {"qd-522-2017"}
    code = make_code(actor=an_giang_admin, jurisdiction=an_giang)
    assert slugs(vinh_thuan) == {code.slug}
    assert slugs(thanh_xuan_bac) == {"qd-522-2017"}  # An Giang's code changed nothing in Hanoi


def test_a_province_without_a_code_cites_the_national_one(an_giang, vinh_thuan, an_giang_admin):
    officer = make_user("officer.vinhthuan", Role.WARD_OFFICER, vinh_thuan)
    staff = StaffFactory(unit=vinh_thuan)
    violation = record(officer, staff, first_article("qd-1847-2018"))
    assert violation.article.chapter.version.code.slug == "qd-1847-2018"
    with translation.override("en"), pytest.raises(ValidationError) as error:
        record(officer, staff, code_article())  # Decision 522: Hanoi's
    assert error.value.message_dict["article"] == [
        f"Điều 1 of 522/QĐ-UBND is not an article of the code in force for {vinh_thuan.name} on "
        f"{today():%d/%m/%Y}: cite an article of 1847/QĐ-TTg."
    ]
    assert Violation.objects.count() == 1


def test_violations_are_isolated_both_ways(an_giang_code, vinh_thuan, thanh_xuan_bac, city_admin, an_giang_admin):
    hanoi_staff, an_giang_staff = StaffFactory(unit=thanh_xuan_bac), StaffFactory(unit=vinh_thuan)
    an_giang_article = first_article(an_giang_code.slug)
    with pytest.raises(ValidationError) as error:
        record(city_admin, hanoi_staff, an_giang_article)
    assert "article" in error.value.message_dict
    with pytest.raises(ValidationError):
        record(an_giang_admin, an_giang_staff, code_article())
    with pytest.raises(ValidationError):  # the national code no longer applies once the province has its own
        record(an_giang_admin, an_giang_staff, first_article("qd-1847-2018"))
    assert not Violation.objects.exists()
    assert record(city_admin, hanoi_staff, code_article()).article.chapter.version.code.slug == "qd-522-2017"
    assert record(an_giang_admin, an_giang_staff, an_giang_article).article == an_giang_article


# --- The violation form ---------------------------------------------------------------------------------------------


def test_the_violation_form_never_offers_another_provinces_code(client, an_giang_code, ward_officer, an_giang_admin):
    hanoi = client_for(client, ward_officer).get(reverse("evaluations:violation_create")).context["form"]
    assert codes_offered(hanoi.fields["article"]) == {"522/QĐ-UBND"}
    an_giang = client_for(client, an_giang_admin).get(reverse("evaluations:violation_create")).context["form"]
    assert codes_offered(an_giang.fields["article"]) == {"12/QĐ-UBND"}


def test_violation_form_offers_the_staff_members_code(client, an_giang_code, vinh_thuan, an_giang_admin):
    staff = StaffFactory(unit=vinh_thuan)
    page = client_for(client, an_giang_admin).get(reverse("evaluations:violation_create"), {"staff": staff.pk})
    assert codes_offered(page.context["form"].fields["article"]) == {"12/QĐ-UBND"}
    assert "Điều 7. Trang phục" not in page.content.decode()  # Decision 522's article on attire


def test_a_user_covering_two_provinces_gets_articles_grouped_by_code(
    client, an_giang_code, vinh_thuan, thanh_xuan_bac
):
    user = make_user("officer.two.provinces", Role.WARD_OFFICER, thanh_xuan_bac)
    role_assign(user=user, unit=vinh_thuan, role=Role.WARD_OFFICER)
    hanoi_staff = StaffFactory(unit=thanh_xuan_bac, full_name="Nguyễn Văn Hà")
    client = client_for(client, user)
    page = client.get(reverse("evaluations:violation_create"))
    assert page.status_code == 200, page
    field = page.context["form"].fields["article"]
    assert codes_offered(field) == {"522/QĐ-UBND", "12/QĐ-UBND"}
    groups = [label for label, _choices in field.choices[1:]]
    assert len(groups) == 2 and groups[0].startswith("522/QĐ-UBND") and groups[1].startswith("12/QĐ-UBND")
    html = page.content.decode()
    assert '<optgroup label="522/QĐ-UBND' in html and '<optgroup label="12/QĐ-UBND' in html

    # The article is checked against the staff member's own unit: An Giang's article for a Hanoi ward is refused.
    data = {
        "staff": hanoi_staff.pk, "occurred_on": today().isoformat(), "article": first_article(an_giang_code.slug).pk,
        "severity": Severity.MINOR, "source": ViolationSource.SUPERVISOR, "description": "Không đeo thẻ",
    }
    response = client.post(reverse("evaluations:violation_create"), data)
    assert response.status_code == 200
    assert "is not an article of the code in force for" in response.content.decode()
    assert not Violation.objects.exists()
    response = client.post(reverse("evaluations:violation_create"), {**data, "article": code_article().pk})
    assert response.status_code == 302 and Violation.objects.get().staff == hanoi_staff


# --- Findings and feedback --------------------------------------------------------------------------------------------


def test_a_finding_cites_the_visited_units_code(an_giang_code, an_giang, vinh_thuan, an_giang_admin):
    inspector = make_user("inspector.angiang", Role.INSPECTOR, an_giang)
    team = InspectionTeamFactory(owner_unit=an_giang, leader=inspector)
    checklist = ChecklistTemplateFactory(jurisdiction=an_giang)
    item = ChecklistItemFactory(template=checklist)
    visit = InspectionVisitFactory(team=team, unit=vinh_thuan, checklist=checklist)
    row = visit.results.create(item=item, result="fail", updated_by=inspector)
    staff = StaffFactory(unit=vinh_thuan)
    with translation.override("en"), pytest.raises(ValidationError, match="cite an article of 12/QĐ-UBND"):
        inspection_services.finding_create(
            actor=inspector, visit=visit, result=row, description="Không đeo thẻ", article=code_article(),
            severity=Severity.MINOR, staff=[staff],
        )
    assert not Finding.objects.exists() and not Violation.objects.exists()
    finding = inspection_services.finding_create(
        actor=inspector, visit=visit, result=row, description="Không đeo thẻ", article=first_article(an_giang_code.slug),
        severity=Severity.MINOR, staff=[staff],
    )
    assert Violation.objects.get().finding == finding


def test_the_finding_form_offers_the_visited_units_code(client, an_giang_code, an_giang, vinh_thuan):
    inspector = make_user("inspector.angiang", Role.INSPECTOR, an_giang)
    visit = InspectionVisitFactory(team=InspectionTeamFactory(owner_unit=an_giang, leader=inspector), unit=vinh_thuan,
                                   checklist=ChecklistTemplateFactory(jurisdiction=an_giang))
    assert codes_offered(FindingForm(visit=visit).fields["article"]) == {"12/QĐ-UBND"}


def test_a_feedback_case_cites_the_staff_members_code(an_giang_code, vinh_thuan, an_giang_admin):
    staff = StaffFactory(unit=vinh_thuan)
    case = FeedbackCaseFactory(unit=vinh_thuan, staff=staff, substantiated=True)
    assert codes_offered(ViolationFromCaseForm(case=case).fields["article"]) == {"12/QĐ-UBND"}
    with pytest.raises(ValidationError):
        feedback_services.feedback_create_violation(
            actor=an_giang_admin, case=case, article=code_article(), severity=Severity.MINOR, description="Hách dịch"
        )
    assert not Violation.objects.exists()
    violation = feedback_services.feedback_create_violation(
        actor=an_giang_admin, case=case, article=first_article(an_giang_code.slug), severity=Severity.MINOR,
        description="Hách dịch",
    )
    assert violation.article.chapter.version.code == CodeOfConduct.objects.get(slug=an_giang_code.slug)
