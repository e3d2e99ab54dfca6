"""Demo citizen feedback over a period's months, and satisfaction kiosks with their votes.

Cases go through the feedback services (the public form for web cases, ``feedback_record`` for the other
channels, then triage, reply, resolve). The services stamp the current time, so each case's dates are set
back afterwards with a queryset ``update()``: a demo with every case received today shows no trend. The former
wards' history (before July 2025) has no web cases: their public form did not exist then.
"""

from __future__ import annotations

import datetime
import random

from django.db.models import Case, DateTimeField, Value, When
from django.utils import timezone

from core.dates import local_datetime
from evaluations.choices import Severity
from evaluations.violations.selectors import code_articles
from feedback.choices import CaseStatus, Channel, FeedbackKind, RejectionReason
from feedback.models import FeedbackCase, KioskDevice, KioskVote
from feedback.public.services import due_date_for, feedback_submit
from feedback.staff import services
from seed.demo_activity.common import Plan, UnitPlan, month_days
from seed.demo_activity.ratings import backdate_violation
from units.choices import UnitKind

TEXTS = {
    FeedbackKind.PRAISE: (
        "Cán bộ {name} hướng dẫn thủ tục rất tận tình, chu đáo. Xin cảm ơn.",
        "Tôi đến làm chứng thực, cán bộ {name} vui vẻ, giải quyết nhanh. Rất hài lòng.",
        "Xin biểu dương cán bộ {name} đã hỗ trợ gia đình tôi làm hồ sơ ngoài giờ.",
    ),
    FeedbackKind.ATTITUDE: (
        "Cán bộ quầy số 2 trả lời cộc lốc, không hướng dẫn khi tôi hỏi về hồ sơ.",
        "Cán bộ tiếp dân vừa làm vừa dùng điện thoại, để người dân chờ lâu.",
    ),
    FeedbackKind.DELAY: (
        "Hồ sơ đăng ký hộ tịch của tôi đã quá hẹn một tuần mà chưa có kết quả.",
        "Nộp hồ sơ xin xác nhận từ tuần trước, đến hẹn vẫn chưa được trả.",
        "Phải đi lại ba lần mới nộp được hồ sơ vì mỗi lần hướng dẫn một kiểu.",
    ),
    FeedbackKind.FACILITIES: (
        "Phòng chờ bộ phận một cửa thiếu ghế, máy lấy số thứ tự bị hỏng.",
        "Nhà vệ sinh khu tiếp dân không sạch sẽ, đề nghị {place} quan tâm.",
    ),
    FeedbackKind.OTHER: (
        "Đề nghị {place} niêm yết rõ hơn lịch tiếp công dân trên bảng tin.",
        "Đề nghị bổ sung hướng dẫn nộp hồ sơ trực tuyến cho người cao tuổi.",
    ),
    FeedbackKind.HARASSMENT: ("Cán bộ gợi ý nộp thêm tiền để hồ sơ được giải quyết nhanh hơn.",),
}
REPLIES = {
    FeedbackKind.PRAISE: "UBND {place} cảm ơn ông/bà đã ghi nhận; đơn vị sẽ biểu dương cán bộ trong buổi giao ban.",
    FeedbackKind.ATTITUDE: "Đơn vị đã làm việc với cán bộ liên quan, nhắc nhở và chấn chỉnh. Cảm ơn ông/bà đã phản ánh.",
    FeedbackKind.DELAY: "Hồ sơ của ông/bà đã được giải quyết và trả kết quả. Đơn vị xin lỗi vì sự chậm trễ.",
    FeedbackKind.FACILITIES: "Đơn vị đã bổ sung ghế chờ và sửa máy lấy số thứ tự tại bộ phận một cửa.",
    FeedbackKind.OTHER: "Đơn vị tiếp thu ý kiến và đã điều chỉnh theo đề nghị của ông/bà.",
    FeedbackKind.HARASSMENT: "Đơn vị đã xác minh nội dung phản ánh và xử lý theo quy định.",
}
KINDS = {FeedbackKind.PRAISE: 25, FeedbackKind.DELAY: 25, FeedbackKind.ATTITUDE: 15, FeedbackKind.FACILITIES: 15,
         FeedbackKind.OTHER: 15, FeedbackKind.HARASSMENT: 3}
# What citizens call the unit in their feedback and the unit's replies: "đề nghị phường …", "UBND xã …".
PLACE_WORDS = {UnitKind.COMMUNE: "xã", UnitKind.TOWNSHIP: "thị trấn", UnitKind.SPECIAL_ZONE: "đặc khu"}


def _place(unit) -> str:
    return PLACE_WORDS.get(unit.kind, "phường")


def _reply(kind: str, unit) -> str:
    return REPLIES[kind].format(place=_place(unit))


CHANNELS = {Channel.WEB: 45, Channel.HOTLINE: 15, Channel.MAILBOX: 15, Channel.COMMENT_BOOK: 10, Channel.SURVEY_SLIP: 15}


def _pick(rng: random.Random, weights: dict) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _score(rng: random.Random, kind: str) -> int:
    if kind == FeedbackKind.PRAISE:
        return rng.choice((4, 5, 5, 5))
    if kind in (FeedbackKind.FACILITIES, FeedbackKind.OTHER):
        return rng.choice((2, 3, 4, 4, 5))
    return rng.choice((1, 2, 2, 3, 4))


def _case_new(plan: Plan, ward: UnitPlan, *, kind: str, channel: str, received: datetime.datetime, rng, star=None):
    text = rng.choice(TEXTS[kind]).format(name=star.full_name if star else "trực bộ phận một cửa", place=_place(ward.unit))
    satisfaction = None
    if channel == Channel.SURVEY_SLIP or (channel == Channel.WEB and rng.random() < 0.75):
        satisfaction = _score(rng, kind)
    mentioned = star.full_name if star else ""
    if channel == Channel.WEB:
        contact = {"contact_name": "Nguyễn Văn Dân", "contact_phone": "0912345678", "contact_consent": True} if rng.random() < 0.3 else {}
        case = feedback_submit(unit=ward.unit, kind=kind, text=text, staff_mentioned=mentioned, satisfaction=satisfaction, **contact)
    else:
        case = services.feedback_record(
            actor=plan.actors.office, unit=ward.unit, channel=channel, kind=kind, text=text, received_at=received,
            satisfaction=satisfaction, staff_mentioned=mentioned,
        )
    if star is not None:
        services.feedback_link_staff(actor=plan.actors.office, case=case, staff=star, substantiated=False)
    return case


def _handle(plan: Plan, case: FeedbackCase, received: datetime.datetime, rng) -> list[datetime.datetime]:
    """Triage the case as the ward did; returns when each step happened (for the dates set back)."""
    actor, today = plan.actors.office, plan.today
    due = due_date_for(timezone.localdate(received))
    steps = [received]
    if due >= today:  # still within its time: new or being handled
        if rng.random() < 0.5:
            services.feedback_update(actor=actor, case=case, status=CaseStatus.IN_PROGRESS, notify=False)
            steps.append(min(received + datetime.timedelta(days=1), timezone.now()))
        return steps
    recent = (today - due).days < 45
    services.feedback_update(actor=actor, case=case, status=CaseStatus.IN_PROGRESS, notify=False)
    steps.append(received + datetime.timedelta(days=1))
    roll = rng.random()
    if recent and roll < 0.2:  # left open past its due date: the overdue cases the inbox highlights
        return steps
    if roll > 0.94 and case.kind != FeedbackKind.PRAISE:
        services.feedback_update(actor=actor, case=case, status=CaseStatus.REJECTED, rejection_reason=RejectionReason.DUPLICATE, notify=False)
        steps.append(received + datetime.timedelta(days=2))
        return steps
    on_time = rng.random() < 0.82
    days_open = (due - timezone.localdate(received)).days
    closed_on = (
        timezone.localdate(received) + datetime.timedelta(days=rng.randint(2, max(2, days_open)))
        if on_time else min(due + datetime.timedelta(days=rng.randint(2, 12)), today - datetime.timedelta(days=1))
    )
    services.feedback_update(actor=actor, case=case, public_reply=_reply(case.kind, case.unit), status=CaseStatus.RESOLVED, notify=False)
    steps.append(local_datetime(closed_on, 15, 30))
    return steps


def _backdate(case: FeedbackCase, steps: list[datetime.datetime]) -> None:
    # The services stamp now(); these cases arrived and were closed over the past year. ``case`` is the instance
    # the services changed, so its reply and closing fields are current.
    received, last = steps[0], steps[-1]
    FeedbackCase.objects.filter(pk=case.pk).update(
        received_at=received, created_at=received, due_on=due_date_for(timezone.localdate(received)),
        replied_at=last if case.replied_at else None, closed_at=last if case.closed_at else None,
    )
    history = list(case.history.order_by("history_id").values_list("history_id", flat=True))
    moments = [When(history_id=history_id, then=Value(steps[min(index, len(steps) - 1)])) for index, history_id in enumerate(history)]
    case.history.update(history_date=Case(*moments, output_field=DateTimeField()))


def feedback_seed(plan: Plan, rng_seed: int) -> int:
    """Cases in every ward over the plan's feedback months, more in larger wards; the stars are praised by name in
    the script's quarter. Returns how many cases were created."""
    now = timezone.now()
    script = plan.script
    praise = [] if script.praise_quarter is None else [
        datetime.date(plan.today.year, 3 * script.praise_quarter - 2 + i, 1) for i in range(3)
    ]
    channels = CHANNELS if script.web_feedback else {c: w for c, w in CHANNELS.items() if c != Channel.WEB}
    created = 0
    for ward in plan.wards:
        rng = random.Random(f"{rng_seed}:feedback:{ward.unit.structure}:{ward.code}")
        volume = script.feedback_volume * rng.uniform(0.6, 1.6) * max(1.0, len(ward.staff) / 30)
        for month in plan.feedback_months:
            count = round(volume * rng.uniform(0.4, 2.0)) + (1 if month in praise else 0)
            for number in range(count):
                received = local_datetime(month + datetime.timedelta(days=rng.randrange(month_days(month))), rng.randint(7, 17), rng.randint(0, 59))
                if received >= now:
                    continue
                praise_star = month in praise and number == 0 and ward.stars
                kind = FeedbackKind.PRAISE if praise_star else _pick(rng, KINDS)
                channel = Channel.COMMENT_BOOK if praise_star and rng.random() < 0.4 else _pick(rng, channels)
                star = rng.choice(ward.stars) if praise_star else None
                case = _case_new(plan, ward, kind=kind, channel=channel, received=received, rng=rng, star=star)
                steps = _handle(plan, case, received, rng)
                if star is not None:
                    steps.insert(1, received)  # linked to the staff member on arrival
                _backdate(case, steps)
                created += 1
    return created + _substantiated_complaint(plan)


def _substantiated_complaint(plan: Plan) -> int:
    """One hotline complaint about a named staff member that held: linked, substantiated, a violation."""
    if plan.script.complaint is None or plan.unit(plan.script.complaint[0]) is None:
        return 0
    code, month, day = plan.script.complaint
    received = local_datetime(datetime.date(plan.today.year, month, day), 10, 20)
    if received >= timezone.now() or received.date().replace(day=1) not in plan.feedback_months:
        return 0
    ward, actor = plan.unit(code), plan.actors.office
    person = ward.pick_ordinary()
    if person is None:
        return 0
    case = services.feedback_record(
        actor=actor, unit=ward.unit, channel=Channel.HOTLINE, kind=FeedbackKind.ATTITUDE, received_at=received,
        text=f"Cán bộ {person.full_name} quát tháo, không hướng dẫn khi tôi nộp hồ sơ xin cấp bản sao trích lục.",
        staff_mentioned=person.full_name,
    )
    services.feedback_update(actor=actor, case=case, status=CaseStatus.IN_PROGRESS, notify=False)
    services.feedback_link_staff(actor=actor, case=case, staff=person, substantiated=True)
    article = next(a for a in code_articles(unit=ward.unit, day=plan.today) if a.number == 5)
    violation = services.feedback_create_violation(
        actor=actor, case=case, article=article, severity=Severity.MINOR,
        description="Có thái độ thiếu tôn trọng, quát tháo công dân khi tiếp nhận hồ sơ",
    )
    services.feedback_update(actor=actor, case=case, public_reply=_reply(FeedbackKind.ATTITUDE, ward.unit), status=CaseStatus.RESOLVED, notify=False)
    verified = local_datetime(timezone.localdate(received) + datetime.timedelta(days=5), 9)
    # created, in progress, linked, violation recorded, resolved
    steps = [received, received + datetime.timedelta(days=1), verified, verified, verified]
    backdate_violation(violation, verified)
    _backdate(case, steps)
    return 1


def kiosks_seed(plan: Plan, rng_seed: int) -> int:
    """A kiosk at the script's wards' one-stop desks, set up when the period began, with its votes. Returns how
    many votes."""
    votes = []
    now = timezone.now()
    months = plan.feedback_months
    for code in plan.script.kiosk_units:
        ward = plan.unit(code)
        if ward is None or not months:
            continue
        device = services.kiosk_device_create(actor=plan.actors.office, unit=ward.unit, name="Máy đánh giá quầy một cửa")
        KioskDevice.objects.filter(pk=device.pk).update(created_at=local_datetime(months[0], 8))
        rng = random.Random(f"{rng_seed}:kiosk:{ward.unit.structure}:{code}")
        for offset, month in enumerate(months):
            satisfied = min(0.95, 0.6 + 0.02 * offset + rng.uniform(-0.08, 0.08))  # service improves over time
            for _vote in range(rng.randint(15, 45)):
                moment = local_datetime(month + datetime.timedelta(days=rng.randrange(month_days(month))), rng.randint(7, 16), rng.randint(0, 59))
                if moment >= now:
                    continue
                score = rng.choice((4, 5)) if rng.random() < satisfied else rng.choice((1, 2, 3))
                votes.append(KioskVote(unit=ward.unit, device=device, score=score, created_at=moment))
    # Straight to the table: ``kiosk_vote`` enforces the per-device lock-out between two real taps.
    KioskVote.objects.bulk_create(votes, batch_size=1000)
    return len(votes)
