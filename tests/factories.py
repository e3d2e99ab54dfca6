"""factory-boy factories for every model of the portal, and the few builders made only of them.

Every factory makes a row that passes ``full_clean()`` with no argument at all: a foreign key gets a
``SubFactory`` (or the row the portal ships, for the staff code of Decision 522, its articles, the Hanoi scoring
scheme and the default checklist), names and codes come from sequences. Rows are made straight in the database,
without the services: a test that needs a service's side effects (history rows naming the actor, the workflow,
the sheet's ratings) calls the service, through ``tests/builders.py``.

Dates of rules and schemes made without one lie far in the future, so that they never change which rule or
scheme applies to the months and quarters the suite looks at.
"""

import datetime
from decimal import Decimal
import hashlib
import importlib
import secrets

from django.apps import apps as django_apps
from django.utils import timezone
import factory
from factory.django import DjangoModelFactory

from core.quarters import Quarter, Year
from core.text import fold_diacritics
from evaluations.choices import (
    ActionStatus,
    AnnualStatus,
    CheckResult,
    DisciplineForm,
    DisciplineStatus,
    Grade,
    ItemKind,
    Severity,
    ViolationSource,
    VisitKind,
    VisitStatus,
)
from evaluations.models import (
    AnnualClassification,
    AnnualList,
    ChecklistItem,
    ChecklistResult,
    ChecklistTemplate,
    CorrectiveAction,
    Criterion,
    CriterionGroup,
    DisciplinaryDecision,
    Finding,
    InspectionPhoto,
    InspectionTeam,
    InspectionVisit,
    Rating,
    RatingSheet,
    ScoringScheme,
    Violation,
)
from evaluations.ratings.services import scheme_for
from feedback.choices import CaseStatus, Channel, FeedbackKind
from feedback.models import CitizenMessage, FeedbackCase, KioskDevice, KioskVote, Open311Partner, ReplyTemplate
from pledges.choices import Audience, PledgeMethod, VersionStatus
from pledges.models import Article, Chapter, CodeOfConduct, CodeVersion, Pledge, PledgeCampaign, PledgeReminder
from pledges.selectors import articles_in_force, code_in_force
from reports.choices import EntrySource, ExportKind
from reports.models import (
    AnnualReport,
    CommendationEntry,
    CommendationList,
    CommendationRule,
    ExportJob,
    QuarterlyReport,
    RankingWeights,
)
from tests.helpers import last_month, today
from units.choices import Role, StaffCategory, Structure, UnitKind
from units.models import RoleAssignment, Staff, StaffTransfer, Unit, User

STAFF_CODE_SLUG = "qd-522-2017"  # Decision 522/QĐ-UBND, shipped by the pledges data migration
FAR_FUTURE = datetime.date(2090, 1, 1)
# The total a grade gets when a test gives the grade only (Hanoi's scheme: A ≥ 90, B ≥ 70, C ≥ 50).
GRADE_POINTS = {Grade.A: Decimal(95), Grade.B: Decimal(80), Grade.C: Decimal(60), Grade.D: Decimal(40)}


# --- The rows the portal ships ----------------------------------------------------------------------------


SHIPPED_DATA = (
    ("pledges.migrations.0002_hanoi_codes", "add_hanoi_codes"),
    ("evaluations.migrations.0002_hanoi_scheme", "add_hanoi_scheme"),
    ("evaluations.migrations.0004_default_checklist", "add_default_checklist"),
    ("reports.migrations.0002_default_commendation_rule", "add_default_rule"),
    ("pledges.migrations.0003_code_jurisdiction", "add_national_code"),
    ("evaluations.migrations.0005_rules_per_jurisdiction", "ship_rules"),
    ("reports.migrations.0004_rules_per_jurisdiction", "ship_rules"),
    ("evaluations.migrations.0007_decree_335_sanction_trigger", "ship_sanction_trigger"),
    ("evaluations.migrations.0008_hanoi_exceptional_cap", "ship_exceptional_cap"),
    ("evaluations.migrations.0010_shipped_schemes_baseline", "set_baseline"),
    ("feedback.migrations.0005_default_reply_templates", "add_default_reply_templates"),
)


def restore_shipped_rules() -> None:
    """Transactional tests empty every table afterwards, data migrations' rows included: put back what the
    portal ships (Hanoi's codes, scheme and checklist, attached to Hanoi when it is imported; the national
    defaults: Decision 1847's code, Decree 335's scheme, the checklist, commendation rule and ranking weights).
    Every migration function is re-runnable."""
    for module, function in SHIPPED_DATA:
        getattr(importlib.import_module(module), function)(django_apps, None)


def shipped_code_version() -> CodeVersion:
    """The published version of Hanoi's staff code (Decision 522), put back when a transactional test emptied
    the tables."""
    if not CodeVersion.objects.filter(code__slug=STAFF_CODE_SLUG, status=VersionStatus.PUBLISHED).exists():
        restore_shipped_rules()
    return CodeVersion.objects.get(code__slug=STAFF_CODE_SLUG, status=VersionStatus.PUBLISHED)


def code_article() -> Article:
    """The first article of the staff code (Decision 522), the one violations and findings refer to by default."""
    return Article.objects.filter(chapter__version=shipped_code_version()).order_by("chapter__number", "number").first()


def article_in_force(unit: Unit, day: datetime.date | None = None) -> Article:
    """The first article of the staff code in force for ``unit`` on ``day`` (today): Decision 522 in Hanoi, the
    national 1847 code where a province has none of its own."""
    shipped_code_version()  # the shipped codes, put back after a transactional test
    return articles_in_force(unit=unit, day=day or today()).first()


def version_in_force(unit: Unit, day: datetime.date | None = None) -> CodeVersion:
    """The published version of the staff code in force for ``unit`` on ``day`` (today)."""
    shipped_code_version()
    code = code_in_force(unit=unit, day=day or today())
    return CodeVersion.objects.get(code=code, status=VersionStatus.PUBLISHED)


def default_checklist() -> ChecklistTemplate:
    """The checklist the portal ships (one item per article of the code, then the office checks)."""
    return ChecklistTemplate.objects.filter(is_default=True, shipped_for="01").first() or ChecklistTemplateFactory(
        is_default=True, jurisdiction=Unit.objects.filter(official_code="01", parent__isnull=True).first()
    )


def scheme_in_force(month: datetime.date) -> ScoringScheme:
    """The scoring scheme of ``month`` (Hanoi's, shipped), or a new one from that month when there is none."""
    hanoi = Unit.objects.filter(official_code="01", parent__isnull=True).first()
    scheme = ScoringScheme.objects.filter(effective_from__lte=month, jurisdiction=hanoi).order_by("-effective_from").first()
    return scheme or ScoringSchemeFactory(effective_from=month, jurisdiction=hanoi)


def rule_in_force(period: Quarter | Year) -> CommendationRule:
    """The commendation rule of ``period`` (the shipped one), or a new one from the period's first day when there is
    none."""
    rule = CommendationRule.objects.filter(effective_from__lte=period.first_day, jurisdiction__isnull=True).order_by(
        "-effective_from"
    ).first()
    return rule or CommendationRuleFactory(effective_from=period.first_day)


def _next_number(queryset) -> int:
    numbers = queryset.values_list("number", flat=True)
    return max(numbers, default=0) + 1


# --- units ---------------------------------------------------------------------------------------------------


class UnitFactory(DjangoModelFactory):
    """A ward at the top of a tree of its own, in the current structure; give ``parent`` to place it under a unit
    (it then takes the parent's structure). The tree position (``path``, ``depth``) is computed after the save,
    as ``units.services.unit_create`` does."""

    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"Phường Thử Nghiệm {n}")
    kind = UnitKind.WARD
    structure = factory.LazyAttribute(lambda o: o.parent.structure if o.parent else Structure.CURRENT)
    official_code = factory.Sequence(lambda n: f"T{n:04d}")  # no real unit has a letter in its code
    public_code = factory.Sequence(lambda n: f"phuong-thu-nghiem-{n}")
    parent = None
    search_name = factory.LazyAttribute(lambda o: fold_diacritics(o.name))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        unit = model_class(*args, **kwargs)
        unit.path = "/pending/"
        unit.save()
        unit.path = f"{unit.parent.path if unit.parent_id else '/'}{unit.pk}/"
        unit.depth = unit.path.count("/") - 2
        model_class.objects.filter(pk=unit.pk).update(path=unit.path, depth=unit.depth)
        return unit


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="vi_VN")

    @factory.post_generation
    def password(user, create, extracted, **kwargs):
        user.set_password(extracted or "hanoi-2026")
        if create:
            user.save(update_fields=["password"])


class StaffFactory(DjangoModelFactory):
    """A staff member created straight in the database (services are tested on their own)."""

    class Meta:
        model = Staff

    unit = factory.SubFactory(UnitFactory)
    staff_code = factory.Sequence(lambda n: f"T{n:05d}")
    full_name = factory.Faker("name", locale="vi_VN")
    category = StaffCategory.CIVIL_SERVANT
    position = "Công chức Văn phòng - Thống kê"
    active_from = datetime.date(2020, 1, 1)
    search_name = factory.LazyAttribute(lambda o: fold_diacritics(o.full_name))


class StaffTransferFactory(DjangoModelFactory):
    """The record of a move only: the staff member's ``unit`` is not changed (``units.services.staff_move`` does both)."""

    class Meta:
        model = StaffTransfer

    staff = factory.SubFactory(StaffFactory)
    from_unit = factory.SelfAttribute("staff.unit")
    to_unit = factory.SubFactory(UnitFactory)
    effective_date = factory.LazyFunction(today)
    reason = "Điều động công tác"
    created_by = factory.SubFactory(UserFactory)


class RoleAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Role.WARD_OFFICER


# --- pledges -------------------------------------------------------------------------------------------------


class CodeOfConductFactory(DjangoModelFactory):
    class Meta:
        model = CodeOfConduct

    slug = factory.Sequence(lambda n: f"quy-tac-thu-nghiem-{n}")
    title = factory.Sequence(lambda n: f"Quy tắc ứng xử thử nghiệm số {n}")
    decision_number = factory.Sequence(lambda n: f"{n + 1000}/QĐ-UBND")
    decision_date = datetime.date(2026, 1, 5)
    issuer = "Ủy ban nhân dân thành phố Hà Nội"
    audience = Audience.STAFF


class CodeVersionFactory(DjangoModelFactory):
    """A draft wording, numbered after the code's last version. ``status=VersionStatus.PUBLISHED`` dates it."""

    class Meta:
        model = CodeVersion

    code = factory.SubFactory(CodeOfConductFactory)
    number = factory.LazyAttribute(lambda o: _next_number(o.code.versions.all()) if o.code.pk else 1)
    status = VersionStatus.DRAFT
    published_at = factory.LazyAttribute(lambda o: timezone.now() if o.status != VersionStatus.DRAFT else None)


class ChapterFactory(DjangoModelFactory):
    class Meta:
        model = Chapter

    version = factory.SubFactory(CodeVersionFactory)
    number = factory.LazyAttribute(lambda o: _next_number(o.version.chapters.all()) if o.version.pk else 1)
    title = factory.Sequence(lambda n: f"Quy định chung {n}")


class ArticleFactory(DjangoModelFactory):
    """An article numbered after the last one of its code version (articles run on across chapters)."""

    class Meta:
        model = Article

    chapter = factory.SubFactory(ChapterFactory)
    number = factory.LazyAttribute(
        lambda o: _next_number(Article.objects.filter(chapter__version=o.chapter.version)) if o.chapter.pk else 1
    )
    title = factory.Sequence(lambda n: f"Trang phục, thẻ công chức {n}")
    text = "Cán bộ, công chức, viên chức mặc trang phục gọn gàng, đeo thẻ trong giờ làm việc."


class PledgeCampaignFactory(DjangoModelFactory):
    """Open today (from 60 days ago to 40 days ahead) over a new unit, for a published code of its own."""

    class Meta:
        model = PledgeCampaign

    title = "Ký cam kết thực hiện Quy tắc ứng xử"
    year = factory.LazyAttribute(lambda o: o.opens_on.year)
    code_version = factory.SubFactory(CodeVersionFactory, status=VersionStatus.PUBLISHED)
    scope_unit = factory.SubFactory(UnitFactory)
    opens_on = factory.LazyFunction(lambda: today() - datetime.timedelta(days=60))
    closes_on = factory.LazyFunction(lambda: today() + datetime.timedelta(days=40))
    target_percent = 100
    created_by = factory.SubFactory(UserFactory)


class PledgeFactory(DjangoModelFactory):
    """A paper pledge signed today by a staff member of the campaign's unit."""

    class Meta:
        model = Pledge

    campaign = factory.SubFactory(PledgeCampaignFactory)
    staff = factory.SubFactory(StaffFactory, unit=factory.SelfAttribute("..campaign.scope_unit"))
    unit = factory.SelfAttribute("staff.unit")
    method = PledgeMethod.PAPER
    signed_on = factory.LazyFunction(today)
    recorded_by = factory.SubFactory(UserFactory)
    text_hash = factory.LazyAttribute(lambda o: o.campaign.code_version.text_hash or "0" * 64)


class PledgeReminderFactory(DjangoModelFactory):
    class Meta:
        model = PledgeReminder

    campaign = factory.SubFactory(PledgeCampaignFactory)
    unit = factory.SelfAttribute("campaign.scope_unit")
    sent_on = factory.LazyFunction(today)
    unsigned_count = 1


# --- evaluations: ratings and violations ---------------------------------------------------------------------


class CriterionGroupFactory(DjangoModelFactory):
    class Meta:
        model = CriterionGroup

    scheme = factory.SubFactory("tests.factories.ScoringSchemeFactory", discipline=None, tasks=None, bonus=None)
    code = factory.Sequence(lambda n: f"nhom-{n}")
    name = factory.Sequence(lambda n: f"Nhóm tiêu chí {n}")
    max_points = Decimal(20)
    order = factory.Sequence(lambda n: n)


class CriterionFactory(DjangoModelFactory):
    class Meta:
        model = Criterion

    group = factory.SubFactory(CriterionGroupFactory)
    name = factory.Sequence(lambda n: f"Chấp hành giờ giấc làm việc {n}")
    max_points = Decimal(5)
    order = factory.Sequence(lambda n: n)


class ScoringSchemeFactory(DjangoModelFactory):
    """A scheme with Hanoi's thresholds and its three groups (20 + 70 points, up to 10 bonus); pass
    ``discipline=None`` (``tasks``, ``bonus``) to leave a group out."""

    class Meta:
        model = ScoringScheme
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Cách chấm điểm thử nghiệm {n}")
    effective_from = factory.Sequence(lambda n: FAR_FUTURE + datetime.timedelta(days=n))
    discipline = factory.RelatedFactory(
        CriterionGroupFactory, factory_related_name="scheme", code="discipline", max_points=Decimal(20), order=1,
        name="Ý thức tổ chức kỷ luật, đạo đức, lối sống, thực hiện Quy tắc ứng xử",
    )
    tasks = factory.RelatedFactory(
        CriterionGroupFactory, factory_related_name="scheme", code="tasks", max_points=Decimal(70), order=2,
        name="Kết quả thực hiện nhiệm vụ được giao",
    )
    bonus = factory.RelatedFactory(
        CriterionGroupFactory, factory_related_name="scheme", code="bonus", max_points=Decimal(10), order=3,
        is_bonus=True, name="Điểm thưởng (sáng kiến, thành tích nổi bật)",
    )


class RatingSheetFactory(DjangoModelFactory):
    """A draft sheet for last month, scored by the scheme in force; no ratings (``RatingFactory`` adds them,
    ``tests.builders.open_sheet`` opens a sheet through the service with a rating per active staff member)."""

    class Meta:
        model = RatingSheet

    unit = factory.SubFactory(UnitFactory)
    month = factory.LazyFunction(last_month)
    scheme = factory.LazyAttribute(lambda o: scheme_in_force(o.month))


def _points_of(total: Decimal) -> dict[str, str]:
    """Points by group of Hanoi's scheme adding up to ``total``: discipline first, then tasks, the rest bonus."""
    discipline = min(Decimal(20), total)
    tasks = min(Decimal(70), total - discipline)
    return {"discipline": f"{discipline:.1f}", "tasks": f"{tasks:.1f}", "bonus": f"{total - discipline - tasks:.1f}"}


class RatingFactory(DjangoModelFactory):
    """A rating of ``grade`` (A by default) with the total the grade gets (``GRADE_POINTS``) and points by group
    adding up to it, for a new staff member of the sheet's unit."""

    class Meta:
        model = Rating

    sheet = factory.SubFactory(RatingSheetFactory)
    staff = factory.SubFactory(StaffFactory, unit=factory.SelfAttribute("..sheet.unit"))
    grade = Grade.A
    grade_by_points = factory.SelfAttribute("grade")
    total = factory.LazyAttribute(lambda o: GRADE_POINTS[o.grade])
    points = factory.LazyAttribute(lambda o: _points_of(Decimal(o.total)))


class ViolationFactory(DjangoModelFactory):
    """A minor breach of the first article of Decision 522 today, recorded by a supervisor."""

    class Meta:
        model = Violation

    staff = factory.SubFactory(StaffFactory)
    unit = factory.SelfAttribute("staff.unit")
    occurred_on = factory.LazyFunction(today)
    article = factory.LazyFunction(code_article)
    severity = Severity.MINOR
    source = ViolationSource.SUPERVISOR
    description = "Đi muộn"
    recorded_by = factory.SubFactory(UserFactory)


class DisciplinaryDecisionFactory(DjangoModelFactory):
    """A reprimand decided today for a new violation (number and date set); pass ``status=PROPOSED`` (and no
    number) for a proposal."""

    class Meta:
        model = DisciplinaryDecision

    violation = factory.SubFactory(ViolationFactory)
    form = DisciplineForm.REPRIMAND
    status = DisciplineStatus.DECIDED
    decision_number = factory.Sequence(lambda n: f"{n + 1}/QĐ-UBND")
    decision_date = factory.LazyFunction(today)
    created_by = factory.SubFactory(UserFactory)


# --- evaluations: the annual classification ------------------------------------------------------------------


def _scheme_for_year(unit, year: int) -> ScoringScheme:
    return scheme_for(unit=unit, month=datetime.date(year, 12, 1))


class AnnualListFactory(DjangoModelFactory):
    """An open list of this year for a new unit, with the scheme in force for the unit in December; no rows
    (``tests.builders.compute_annual`` draws one up through the service)."""

    class Meta:
        model = AnnualList

    unit = factory.SubFactory(UnitFactory)
    year = factory.LazyFunction(lambda: today().year)
    scheme = factory.LazyAttribute(lambda o: _scheme_for_year(o.unit, o.year))
    status = AnnualStatus.OPEN


class AnnualClassificationFactory(DjangoModelFactory):
    """A staff member of the list's unit rated B in all twelve months (80 points on average)."""

    class Meta:
        model = AnnualClassification

    annual_list = factory.SubFactory(AnnualListFactory)
    staff = factory.SubFactory(StaffFactory, unit=factory.SelfAttribute("..annual_list.unit"))
    year = factory.SelfAttribute("annual_list.year")
    periods = factory.LazyAttribute(
        lambda o: [{"start": datetime.date(o.year, m, 1).isoformat(), "points": "80.0", "grade": "B", "units": []}
                   for m in range(1, 13)]
    )
    periods_expected = 12
    periods_rated = 12
    average_points = Decimal("80.0")
    grade_by_points = Grade.B
    computed_grade = Grade.B


# --- evaluations: inspections --------------------------------------------------------------------------------


class InspectionTeamFactory(DjangoModelFactory):
    """A team of a unit with a leader of its own; ``members=[...]`` adds members."""

    class Meta:
        model = InspectionTeam
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Tổ kiểm tra số {n}")
    owner_unit = factory.SubFactory(UnitFactory)
    leader = factory.SubFactory(UserFactory)

    @factory.post_generation
    def members(team, create, extracted, **kwargs):
        if create and extracted:
            team.members.add(*extracted)


class ChecklistTemplateFactory(DjangoModelFactory):
    class Meta:
        model = ChecklistTemplate

    name = factory.Sequence(lambda n: f"Danh mục kiểm tra {n}")


class ChecklistItemFactory(DjangoModelFactory):
    class Meta:
        model = ChecklistItem

    template = factory.SubFactory(ChecklistTemplateFactory)
    order = factory.Sequence(lambda n: n + 100)
    kind = ItemKind.OFFICE
    text = factory.Sequence(lambda n: f"Niêm yết Quy tắc ứng xử tại nơi làm việc ({n})")


class InspectionVisitFactory(DjangoModelFactory):
    """A scheduled visit in progress, started two hours ago, on the default checklist. A planned visit
    (``status=VisitStatus.PLANNED``) has not started."""

    class Meta:
        model = InspectionVisit

    team = factory.SubFactory(InspectionTeamFactory)
    unit = factory.SubFactory(UnitFactory)
    kind = VisitKind.SCHEDULED
    status = VisitStatus.IN_PROGRESS
    subject = "Kiểm tra định kỳ"
    checklist = factory.LazyFunction(default_checklist)
    scheduled_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=2))
    started_at = factory.LazyAttribute(lambda o: None if o.status == VisitStatus.PLANNED else timezone.now())
    created_by = factory.SelfAttribute("team.leader")


def _free_item(visit: InspectionVisit) -> ChecklistItem:
    """The first item of the visit's checklist without a result yet (a new item when every one has one)."""
    item = visit.checklist.items.exclude(pk__in=visit.results.values("item")).order_by("order").first()
    return item or ChecklistItemFactory(template=visit.checklist)


class ChecklistResultFactory(DjangoModelFactory):
    """A passed item: the first item of the visit's checklist not recorded yet."""

    class Meta:
        model = ChecklistResult

    visit = factory.SubFactory(InspectionVisitFactory)
    item = factory.LazyAttribute(lambda o: _free_item(o.visit))
    result = CheckResult.PASS
    note = ""
    updated_by = factory.SelfAttribute("visit.team.leader")


class InspectionPhotoFactory(DjangoModelFactory):
    class Meta:
        model = InspectionPhoto

    result = factory.SubFactory(ChecklistResultFactory)
    image = factory.django.ImageField(filename="photo.png", format="PNG", width=20, height=20, color="white")
    uploaded_by = factory.SelfAttribute("result.visit.team.leader")


class FindingFactory(DjangoModelFactory):
    """A minor finding on a failed item, about the unit only; ``staff=[...]`` names the staff concerned."""

    class Meta:
        model = Finding
        skip_postgeneration_save = True

    visit = factory.SubFactory(InspectionVisitFactory)
    result = factory.SubFactory(
        ChecklistResultFactory, visit=factory.SelfAttribute("..visit"), result=CheckResult.FAIL, note="Không đeo thẻ"
    )
    description = "Cán bộ không đeo thẻ công chức"
    article = factory.LazyAttribute(lambda o: o.result.item.article or code_article())
    severity = Severity.MINOR
    created_by = factory.SelfAttribute("visit.team.leader")

    @factory.post_generation
    def staff(finding, create, extracted, **kwargs):
        if create and extracted:
            finding.staff.set(extracted)


class CorrectiveActionFactory(DjangoModelFactory):
    """An open action owned by the visited unit, due in a week."""

    class Meta:
        model = CorrectiveAction

    finding = factory.SubFactory(FindingFactory)
    description = "Nhắc nhở, đeo thẻ đầy đủ"
    owner_unit = factory.SelfAttribute("finding.visit.unit")
    due_on = factory.LazyFunction(lambda: today() + datetime.timedelta(days=7))
    status = ActionStatus.OPEN


def record_results(visit: InspectionVisit, *, failed: int = 2, note: str = "Không đeo thẻ") -> list[ChecklistResult]:
    """A result for every item of the visit's checklist: the first ``failed`` fail (with a numbered note), the
    last is n.a., the rest pass."""
    items = list(visit.checklist.items.order_by("order"))
    results = []
    for index, item in enumerate(items):
        if index < failed:
            value, text = CheckResult.FAIL, f"{note} {index + 1}"
        elif index == len(items) - 1:
            value, text = CheckResult.NOT_APPLICABLE, ""
        else:
            value, text = CheckResult.PASS, ""
        results.append(ChecklistResultFactory(visit=visit, item=item, result=value, note=text))
    return results


# --- feedback ------------------------------------------------------------------------------------------------


class FeedbackCaseFactory(DjangoModelFactory):
    """A new web case about a staff member's attitude, received now, due in ten days, without contact details.

    ``with_contact=True``: a citizen who left a name, a phone and an e-mail (with consent), and a text of their
    own: none of it may reach a page or an export that does not need it. A resolved case gets
    a reply (the database requires one); ``closed_after_days=n`` closes it ``n`` days after it was received."""

    class Meta:
        model = FeedbackCase

    class Params:
        closed_after_days = None
        with_contact = factory.Trait(
            contact_name=factory.Sequence(lambda n: f"Nguyễn Công Dân {n}"),
            contact_phone=factory.Sequence(lambda n: f"09{n:08d}"),
            contact_email=factory.Sequence(lambda n: f"dan{n}@example.vn"),
            contact_consent=True,
            text=factory.Sequence(lambda n: f"Nội dung phản ánh riêng tư {n}"),
        )

    unit = factory.SubFactory(UnitFactory)
    tracking_code = factory.Sequence(lambda n: f"T{n:09d}")
    kind = FeedbackKind.ATTITUDE
    channel = Channel.WEB
    text = "Cán bộ một cửa nói chuyện thiếu tôn trọng."
    received_at = factory.LazyFunction(timezone.now)
    due_on = factory.LazyFunction(lambda: today() + datetime.timedelta(days=10))
    status = CaseStatus.NEW
    public_reply = factory.LazyAttribute(lambda o: "Đã xử lý." if o.status == CaseStatus.RESOLVED else "")
    closed_at = factory.LazyAttribute(
        lambda o: None if o.closed_after_days is None else o.received_at + datetime.timedelta(days=o.closed_after_days)
    )


class CitizenMessageFactory(DjangoModelFactory):
    """A message to a case's citizen, waiting to be sent by e-mail about the official reply."""

    class Meta:
        model = CitizenMessage

    case = factory.SubFactory(FeedbackCaseFactory)
    channel = "email"
    event = "replied"


class ReplyTemplateFactory(DjangoModelFactory):
    """A reply template of a jurisdiction (national with ``jurisdiction=None``), for every kind of feedback."""

    class Meta:
        model = ReplyTemplate

    jurisdiction = factory.SubFactory(UnitFactory)
    name = factory.Sequence(lambda n: f"Mẫu trả lời {n}")
    kind = ""
    text = "{unit} đã nhận phản ánh {tracking_code} ngày {received_on}."


class KioskDeviceFactory(DjangoModelFactory):
    class Meta:
        model = KioskDevice

    unit = factory.SubFactory(UnitFactory)
    name = "Máy tính bảng bộ phận một cửa"
    token = factory.LazyFunction(lambda: secrets.token_urlsafe(32))
    created_by = factory.SubFactory(UserFactory)


class KioskVoteFactory(DjangoModelFactory):
    """A vote cast now on a kiosk of the unit (``device=None``: a vote whose device is gone)."""

    class Meta:
        model = KioskVote

    unit = factory.SubFactory(UnitFactory)
    device = factory.SubFactory(KioskDeviceFactory, unit=factory.SelfAttribute("..unit"))
    score = 5
    created_at = factory.LazyFunction(timezone.now)


class Open311PartnerFactory(DjangoModelFactory):
    """An active Open311 partner of a unit's subtree, with the key ``cp311_<prefix>_secret-<n>`` (``partner.key``)."""

    class Meta:
        model = Open311Partner
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Ứng dụng đối tác {n}")
    jurisdiction = factory.SubFactory(UnitFactory)
    key_prefix = factory.Sequence(lambda n: f"test{n:04d}")
    key_hash = factory.LazyAttribute(lambda o: hashlib.sha256(f"cp311_{o.key_prefix}_secret".encode()).hexdigest())
    rate_limit = 120

    @factory.post_generation
    def key(self, create, extracted, **kwargs):
        self.key = f"cp311_{self.key_prefix}_secret"


# --- reports -------------------------------------------------------------------------------------------------


class QuarterlyReportFactory(DjangoModelFactory):
    """A pending report of the last finished quarter, as Celery beat asks for it (no requester)."""

    class Meta:
        model = QuarterlyReport

    unit = factory.SubFactory(UnitFactory)
    year = factory.LazyFunction(lambda: Quarter.last_finished().year)
    quarter = factory.LazyFunction(lambda: Quarter.last_finished().number)


class AnnualReportFactory(DjangoModelFactory):
    """A pending summary of last year, as Celery beat asks for it (no requester)."""

    class Meta:
        model = AnnualReport

    unit = factory.SubFactory(UnitFactory)
    year = factory.LazyFunction(lambda: today().year - 1)


class CommendationRuleFactory(DjangoModelFactory):
    """The default rule's terms (A in every month, no violation, no substantiated complaint, 10%, at least 1)."""

    class Meta:
        model = CommendationRule

    name = factory.Sequence(lambda n: f"Quy định khen thưởng {n}")
    effective_from = factory.Sequence(lambda n: FAR_FUTURE + datetime.timedelta(days=n))


class RankingWeightsFactory(DjangoModelFactory):
    """The default weights (coverage 20, grades 30, satisfaction 20, on time 15, discipline 15), national unless
    given a ``jurisdiction``, from a far-away day."""

    class Meta:
        model = RankingWeights

    name = factory.Sequence(lambda n: f"Trọng số thử nghiệm {n}")
    effective_from = factory.Sequence(lambda n: FAR_FUTURE + datetime.timedelta(days=n))


class CommendationListFactory(DjangoModelFactory):
    """A draft list of the last finished quarter under the rule in force then (``quarter=None``: the year's list)."""

    class Meta:
        model = CommendationList

    unit = factory.SubFactory(UnitFactory)
    year = factory.LazyFunction(lambda: Quarter.last_finished().year)
    quarter = factory.LazyFunction(lambda: Quarter.last_finished().number)
    rule = factory.LazyAttribute(lambda o: rule_in_force(Year(o.year) if o.quarter is None else Quarter(o.year, o.quarter)))


class CommendationEntryFactory(DjangoModelFactory):
    """A staff member of the list's unit picked by the rule: A in the three months."""

    class Meta:
        model = CommendationEntry

    commendation_list = factory.SubFactory(CommendationListFactory)
    staff = factory.SubFactory(StaffFactory, unit=factory.SelfAttribute("..commendation_list.unit"))
    staff_unit = factory.SelfAttribute("staff.unit")
    rank = 1
    total_score = Decimal(285)
    months_rated = 3
    grades = "AAA"
    source = EntrySource.RULE


class ExportJobFactory(DjangoModelFactory):
    """A pending ratings export of a unit."""

    class Meta:
        model = ExportJob

    kind = ExportKind.RATINGS
    unit = factory.SubFactory(UnitFactory)
    requested_by = factory.SubFactory(UserFactory)
