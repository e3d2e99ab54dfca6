"""Builders that go through the portal's services on purpose, one place each.

Use them when a test relies on what the service does besides saving a row: the role assignment that opens a
user's scope, the sheet opened with a rating per active staff member, the workflow's moves and their history,
a violation that caps the month's grade, a campaign or a pledge made as an officer makes them, a team and a
visit planned with their history. For a plain row, use ``tests/factories.py``.
"""

import datetime

from django.utils import timezone

from evaluations.annual import services as annual_services
from evaluations.choices import DisciplineForm, Grade, Severity, ViolationSource, VisitKind
from evaluations.discipline import services as discipline_services
from evaluations.inspections import services as inspection_services
from evaluations.ratings import scoring, services as rating_services
from evaluations.ratings.selectors import cap_exception_for
from evaluations.violations.services import violation_record
from pledges import services as pledge_services
from tests.factories import UserFactory, article_in_force, version_in_force
from tests.helpers import days
from units.services import role_assign


def make_user(username, role, unit, **extra):
    """A user with ``role`` over ``unit`` (``units.services.role_assign``)."""
    user = UserFactory(username=username, **extra)
    role_assign(user=user, unit=unit, role=role)
    return user


# --- Pledges ------------------------------------------------------------------------------------------------


def make_campaign(*, actor, scope_unit, code_version=None, opens_on=None, closes_on=None, year=None,
                  title="Ký cam kết thực hiện Quy tắc ứng xử", **extra):
    """A campaign of the staff code in force for ``scope_unit`` (Hanoi's 522, elsewhere the national 1847) unless
    told otherwise, made through the service, open from 60 days ago to 40 days ahead unless told otherwise, for
    the year it opens in unless told otherwise."""
    opens_on = opens_on or days(-60)
    return pledge_services.campaign_create(
        actor=actor,
        title=title,
        year=year or opens_on.year,
        code_version=code_version or version_in_force(scope_unit),
        scope_unit=scope_unit,
        opens_on=opens_on,
        closes_on=closes_on or days(40),
        **extra,
    )


# A province's own code as its administrator writes it (seed 004: Vĩnh Thuận follows the 1847 content areas).
PROVINCE_CODE = {
    "title": "Quy tắc ứng xử của cán bộ, công chức, viên chức tỉnh An Giang",
    "decision_number": "12/QĐ-UBND",
    "decision_date": datetime.date(2026, 1, 5),
    "issuer": "Ủy ban nhân dân tỉnh An Giang",
    "audience": "staff",
}
PROVINCE_CHAPTERS = [
    (1, "Quy định chung", [(1, "Phạm vi điều chỉnh", "Quy tắc này quy định chuẩn mực xử sự của cán bộ, công chức.")]),
    (2, "Chuẩn mực văn hóa công vụ", [
        (2, "Giao tiếp, ứng xử", "Thực hiện \"4 xin, 4 luôn\": xin chào, xin lỗi, xin cảm ơn, xin phép."),
        (3, "Trang phục", "Trang phục gọn gàng, đi giày, dép có quai hậu, đeo thẻ khi thi hành công vụ."),
    ]),
]


def make_code(*, actor, jurisdiction, chapters=PROVINCE_CHAPTERS, publish: bool = True, **particulars):
    """A code of ``jurisdiction`` written and (unless told otherwise) published through the services, with
    ``chapters`` ((number, title, [(number, title, text), …]), …) and PROVINCE_CODE's particulars unless told
    otherwise."""
    code = pledge_services.code_create(actor=actor, jurisdiction=jurisdiction, **{**PROVINCE_CODE, **particulars})
    draft = code.versions.get()
    for number, title, articles in chapters:
        chapter = pledge_services.chapter_create(actor=actor, version=draft, number=number, title=title)
        for article_number, article_title, text in articles:
            pledge_services.article_create(actor=actor, chapter=chapter, number=article_number, title=article_title, text=text)
    if publish:
        pledge_services.code_version_publish(actor=actor, version=draft)
    return code


def sign(campaign, staff, actor, signed_on=None, **extra):
    """A paper pledge of ``staff`` recorded by ``actor`` (signed today unless told otherwise)."""
    return pledge_services.pledge_record_paper(
        actor=actor, campaign=campaign, staff=staff, signed_on=signed_on or timezone.localdate(), **extra
    )


# --- Ratings and violations ---------------------------------------------------------------------------------


def open_sheet(unit, actor, month):
    """The unit's sheet of ``month`` opened (or reopened) through the service: a rating per active staff member."""
    return rating_services.rating_sheet_open(actor=actor, unit=unit, month=month)


def points_for_grade(scheme, grade: str) -> dict[str, str]:
    """Points by group of ``scheme`` that grade ``grade``: full marks (bonus 0) for A, else one point under the
    threshold of the grade above (89 for B under Hanoi's scheme or Decree 335's), taken from the largest group."""
    groups = list(scheme.groups.all())
    points = {g.code: g.default_points for g in groups}
    if grade != Grade.A:
        ceiling = {Grade.B: scheme.a_min, Grade.C: scheme.b_min, Grade.D: scheme.c_min}[grade]
        largest = max((g for g in groups if not g.is_bonus), key=lambda g: g.max_points)
        points[largest.code] -= sum(points.values()) - (ceiling - 1)
    return {code: str(value) for code, value in points.items()}


def set_grades(sheet, actor, grades, remark="Chưa hoàn thành đúng hạn một số nhiệm vụ"):
    """Give the sheet's rows, in name order, the points of ``grades`` ("AABB…") through ``rating_save``; rows
    beyond ``grades`` are left as they are. Returns the rows in name order."""
    rows = list(sheet.ratings.select_related("sheet__scheme", "staff").order_by("staff__full_name", "staff_id"))
    for rating, grade in zip(rows, grades, strict=False):
        rating_services.rating_save(
            actor=actor, rating=rating, points=points_for_grade(rating.sheet.scheme, grade),
            remark=remark if grade in (Grade.C, Grade.D) else "", expected_version=rating.version,
        )
    return list(sheet.ratings.select_related("staff").order_by("staff__full_name", "staff_id"))


def set_grade(sheet, actor, staff, grade: str, remark="Chưa hoàn thành đúng hạn một số nhiệm vụ"):
    """Give ``staff``'s row of the sheet the points of ``grade`` through ``rating_save`` (a remark below B)."""
    rating = sheet.ratings.select_related("sheet__scheme").get(staff=staff)
    return rating_services.rating_save(
        actor=actor, rating=rating, points=points_for_grade(rating.sheet.scheme, grade),
        remark=remark if grade in (Grade.C, Grade.D) else "", expected_version=rating.version,
    )


def lower_to_cap(sheet, actor, *, keep=()):
    """Lower the fewest rows from A to B (one point under A, through ``rating_save``, as an officer does before
    submitting) so that the sheet respects its cap on grade A; rows of the staff in ``keep`` are lowered last, the
    others from the end of the name order. Returns the rows lowered."""
    rows = list(sheet.ratings.select_related("sheet__scheme", "staff").order_by("staff__full_name", "staff_id"))
    scheme = rows[0].sheet.scheme if rows else sheet.scheme
    check = scoring.sheet_cap_check([r.grade for r in rows], scheme=scheme, exceptional=cap_exception_for(sheet) is not None)
    kept = {staff.pk for staff in keep}
    a_rows = [r for r in rows if r.grade == Grade.A]
    a_rows = [r for r in reversed(a_rows) if r.staff_id not in kept] + [r for r in a_rows if r.staff_id in kept]
    points = points_for_grade(scheme, Grade.B)
    return [
        rating_services.rating_save(actor=actor, rating=rating, points=points, remark=rating.remark,
                                    expected_version=rating.version)
        for rating in a_rows[: check.rows_to_lower]
    ]


def move_sheet(sheet, actor, *actions):
    """Take the sheet through the workflow's ``actions`` ("submit", "approve", …) one after the other."""
    for action in actions:
        sheet = rating_services.rating_sheet_transition(actor=actor, sheet=sheet, action=action)
    return sheet


def record_violation(*, actor, staff, day=None, article=None, severity=Severity.MINOR,
                     source=ViolationSource.SUPERVISOR, description="Đi muộn", **extra):
    """A violation recorded through the service (it caps the month's grade), today and of the first article of the
    staff code in force for the staff member's unit (Decision 522 in Hanoi) unless told otherwise."""
    day = day or timezone.localdate()
    return violation_record(
        actor=actor, staff=staff, occurred_on=day, article=article or article_in_force(staff.unit, day),
        severity=severity, source=source, description=description, **extra,
    )


def discipline(*, actor, violation, form=DisciplineForm.REPRIMAND, decided_on=None, number="12/QĐ-UBND"):
    """A disciplinary decision proposed and decided through the services (decided today unless told otherwise)."""
    decision = discipline_services.discipline_propose(actor=actor, violation=violation, form=form)
    return discipline_services.discipline_transition(
        actor=actor, decision=decision, action="decide", form=form, decision_number=number,
        decision_date=decided_on or timezone.localdate(), issuer="Chủ tịch UBND phường",
    )


# --- The annual classification ------------------------------------------------------------------------------


def compute_annual(unit, actor, year):
    """The unit's year list computed through the service (the list itself; the service's report is on ``.result``)."""
    result = annual_services.annual_list_compute(actor=actor, unit=unit, year=year)
    result.annual_list.result = result
    return result.annual_list


def move_annual(annual_list, actor, *actions, reason=""):
    """Take a year list through the workflow's ``actions`` one after the other."""
    for action in actions:
        annual_list = annual_services.annual_list_transition(actor=actor, annual_list=annual_list, action=action,
                                                             reason=reason)
    return annual_list


# --- Inspections --------------------------------------------------------------------------------------------


def make_team(*, actor, owner_unit, leader, members=(), name="Tổ kiểm tra số 1"):
    return inspection_services.team_create(actor=actor, name=name, owner_unit=owner_unit, leader=leader, members=list(members))


def plan_visit(*, actor, team, unit, kind=VisitKind.SURPRISE, when: datetime.datetime | None = None,
               subject="Kiểm tra đột xuất"):
    """A visit planned through the service, an hour ago unless told otherwise."""
    when = when or timezone.now() - datetime.timedelta(hours=1)
    return inspection_services.visit_plan(actor=actor, team=team, unit=unit, kind=kind, scheduled_at=when, subject=subject)
