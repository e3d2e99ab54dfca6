"""The world of the permission matrix: the same set of objects on two sides of the city.

OWN side: Phường Thanh Xuân Bắc in Quận Thanh Xuân, where the suite's role fixtures (``ward_officer``,
``unit_head``, ``district_officer``, ``inspector``) work. FOREIGN side: Phường Phúc Xá in Quận Ba Đình, with a
district office and an inspector of its own. On each side: staff, a pledge campaign with a paper pledge and its
scan, a rating sheet with its ratings, a violation, this year's annual classification list, an inspection team with a visit in progress (results, a
photo, a finding about a staff member, a corrective action with an evidence file), a planned surprise visit, a
feedback case with a photo, a kiosk device, a ready quarterly report and annual summary with their workbooks, a
commendation list, a finished export job with its file, a scoring scheme of the district (not yet in force,
used by no sheet), and the district's own commendation rule and ranking weights (from a far-away day, so they
change nothing else). Rules: on the OWN side Hanoi's (the city of both wards): a
code of its own still a draft (a chapter, an article) and an unused checklist; on the FOREIGN side the same for a
province of its own, so that Hanoi's users (its city administrator included) never reach them.

Objects are made with the services where they are cheap (tests/builders.py) and with the factories elsewhere
(tests/factories.py).
``build_world`` returns, per side, the values that fill the portal's URL parameters.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.choices import JobStatus
from core.quarters import Quarter
from evaluations.choices import VisitKind, VisitStatus
from feedback.public.services import tracking_code_new
from reports.annual.services import annual_report_build_now
from reports.choices import ExportKind
from reports.commendations.figures import commendation_list_generate
from reports.quarterly.services import quarterly_report_build_now
from tests.builders import compute_annual, make_campaign, make_user, open_sheet, record_violation, sign
from tests.evaluations.inspection_helpers import pdf_bytes, png_bytes
from tests.factories import (
    ArticleFactory,
    ChapterFactory,
    ChecklistItemFactory,
    ChecklistTemplateFactory,
    CodeOfConductFactory,
    CodeVersionFactory,
    CommendationRuleFactory,
    CorrectiveActionFactory,
    ExportJobFactory,
    FeedbackCaseFactory,
    FindingFactory,
    InspectionPhotoFactory,
    InspectionTeamFactory,
    InspectionVisitFactory,
    KioskDeviceFactory,
    RankingWeightsFactory,
    ReplyTemplateFactory,
    ScoringSchemeFactory,
    StaffFactory,
    UnitFactory,
    record_results,
)
from tests.helpers import days, last_month, today
from tests.pledges.helpers import PDF_BYTES
from units.choices import Role, UnitKind
from units.models import Unit


@dataclasses.dataclass
class Side:
    """What one side of the city holds; the attribute names are what the URL table refers to."""

    ward: object
    district: object
    staff: object  # a staff member with a pledge, a finding and a rating
    unsigned_staff: object  # a staff member still expected to sign the campaign
    campaign: object
    pledge: object
    sheet: object
    rating: object
    violation: object
    team: object
    visit: object
    result: object
    photo: object
    finding: object
    action: object
    secret_visit: object  # a planned surprise visit: the inspected unit must not see it
    case: object
    kiosk: object
    report: object
    annual_report: object
    commendation: object
    export_job: object
    quarter: Quarter
    annual_row: object  # the staff member's row on the ward's annual classification list of this year
    year: int
    scheme: object  # a scoring scheme of the district, editable by those who manage its rules
    commendation_rule: object  # rules of the district (its jurisdiction)
    ranking_weights: object
    # Rules of the side's province or city (see the module docstring)
    code: object = None  # a code with a draft version only
    draft: object = None
    chapter: object = None
    article: object = None
    checklist: object = None  # not used by any visit
    reply_template: object = None  # a reply template of the side's ward


def build_side(*, ward, district, office, inspector, admin, label: str) -> Side:
    """One side's objects. ``office`` is the district office that requested the export job; ``inspector`` is on
    the team; ``admin`` (the city administrator) acts through the services that check rights."""
    month = last_month()
    staff = StaffFactory(unit=ward, full_name=f"Nguyễn Văn {label} Một")
    unsigned = StaffFactory(unit=ward, full_name=f"Trần Thị {label} Hai")
    StaffFactory(unit=ward, full_name=f"Lê Văn {label} Ba")

    campaign = make_campaign(actor=admin, scope_unit=district, title=f"Cam kết {label}")
    pledge = sign(campaign, staff, admin, signed_on=days(-1),
                  scan=SimpleUploadedFile("scan.pdf", PDF_BYTES, content_type="application/pdf"))

    sheet = open_sheet(ward, admin, month)
    rating = sheet.ratings.get(staff=staff)
    violation = record_violation(actor=admin, staff=staff, day=month)
    year = today().year
    annual_row = compute_annual(ward, admin, year).rows.get(staff=staff)

    leader = make_user(f"matrix.leader.{label}", Role.INSPECTOR, district, full_name=f"Trưởng đoàn {label}")
    team = InspectionTeamFactory(name=f"Tổ kiểm tra {label}", owner_unit=district, leader=leader, members=[inspector])
    visit = InspectionVisitFactory(team=team, unit=ward)
    results = record_results(visit, failed=1)
    photo = InspectionPhotoFactory(result=results[0])
    finding = FindingFactory(visit=visit, result=results[0], staff=[staff])
    action = CorrectiveActionFactory(finding=finding)
    action.evidence_file.save("evidence.pdf", ContentFile(pdf_bytes()), save=True)
    secret_visit = InspectionVisitFactory(team=team, unit=ward, kind=VisitKind.SURPRISE, status=VisitStatus.PLANNED,
                                          scheduled_at=timezone.now() + datetime.timedelta(days=3), subject="Kiểm tra đột xuất")

    case = FeedbackCaseFactory(unit=ward, tracking_code=tracking_code_new())
    case.photo.save("photo.png", ContentFile(png_bytes()), save=True)
    kiosk = KioskDeviceFactory(unit=ward, name=f"Máy tính bảng {label}", created_by=admin)
    reply_template = ReplyTemplateFactory(jurisdiction=ward, name=f"Mẫu trả lời {label}")

    quarter = Quarter.last_finished()
    report = quarterly_report_build_now(unit=ward, quarter=quarter)
    assert report.is_ready, report.error
    annual_report = annual_report_build_now(unit=ward, year=quarter.year)
    assert annual_report.is_ready, annual_report.error
    commendation = commendation_list_generate(unit=ward, quarter=quarter)
    export_job = ExportJobFactory(
        kind=ExportKind.RATINGS, unit=ward, requested_by=office, status=JobStatus.SUCCESS, progress=100,
        parameters={"filename": f"xep-loai-{label}.xlsx"}, row_count=3,
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    # The report's workbook is a real .xlsx: reuse its bytes as the export's file.
    with report.file.open("rb") as handle:
        export_job.file.save(f"exports/{office.pk}/{export_job.pk}-ratings.xlsx", ContentFile(handle.read()), save=True)

    scheme = ScoringSchemeFactory(jurisdiction=district, name=f"Cách chấm điểm {label}")

    return Side(
        ward=ward, district=district, staff=staff, unsigned_staff=unsigned, campaign=campaign, pledge=pledge,
        sheet=sheet, rating=rating, violation=violation, team=team, visit=visit, result=results[0], photo=photo,
        finding=finding, action=action, secret_visit=secret_visit, case=case, kiosk=kiosk, report=report,
        annual_report=annual_report, commendation=commendation, export_job=export_job, quarter=quarter,
        annual_row=annual_row, year=year, scheme=scheme, reply_template=reply_template,
        commendation_rule=CommendationRuleFactory(jurisdiction=district, name=f"Tiêu chí biểu dương {label}"),
        ranking_weights=RankingWeightsFactory(jurisdiction=district, name=f"Trọng số {label}"),
    )


def build_rules(side: Side, *, jurisdiction, label: str) -> None:
    """A draft code (a chapter, an article) and an unused checklist of ``jurisdiction``, on ``side``."""
    side.code = CodeOfConductFactory(jurisdiction=jurisdiction, title=f"Quy tắc ứng xử {label}")
    side.draft = CodeVersionFactory(code=side.code)
    side.chapter = ChapterFactory(version=side.draft)
    side.article = ArticleFactory(chapter=side.chapter)
    side.checklist = ChecklistTemplateFactory(jurisdiction=jurisdiction, name=f"Danh mục {label}")
    ChecklistItemFactory(template=side.checklist)


def build_world(*, users: dict, thanh_xuan, thanh_xuan_bac, ba_dinh, phuc_xa) -> dict[str, Side]:
    """Both sides. ``users`` maps the role names to the suite's role users (district_officer, inspector, city_admin)."""
    admin = users["city_admin"]
    foreign_office = make_user("matrix.office.badinh", Role.DISTRICT_OFFICE, ba_dinh)
    foreign_inspector = make_user("matrix.inspector.badinh", Role.INSPECTOR, ba_dinh)
    world = {
        "own": build_side(ward=thanh_xuan_bac, district=thanh_xuan, office=users["district_officer"],
                          inspector=users["inspector"], admin=admin, label="TXB"),
        "foreign": build_side(ward=phuc_xa, district=ba_dinh, office=foreign_office, inspector=foreign_inspector,
                              admin=admin, label="PX"),
    }
    hanoi = Unit.objects.get(pk=thanh_xuan.ancestor_ids[0])
    build_rules(world["own"], jurisdiction=hanoi, label="HN")
    build_rules(world["foreign"], jurisdiction=UnitFactory(name="Tỉnh Thử Nghiệm", kind=UnitKind.PROVINCE), label="TN")
    return world
