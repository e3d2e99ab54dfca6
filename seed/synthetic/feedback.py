"""Synthetic citizen feedback (a million cases at city scale, written with COPY) and satisfaction kiosks.

Cases of every kind and channel, spread over the wards (some busier than others) and the months (slowly
growing); satisfaction on survey slips and on three web forms in four; contact details only with consent;
cases closed on time, late, rejected, or still open (a few past their due date); praise linked to a named staff
member; a few substantiated complaints, each with its violation. Tracking codes are drawn as the portal draws
them (10 symbols without look-alikes) and are unique. History tables are left out (no author to show).
"""

from __future__ import annotations

from bisect import bisect
import datetime
from itertools import accumulate

from django.utils import timezone

from core.dates import local_datetime, month_end
from evaluations.choices import Severity, ViolationSource
from feedback.choices import CaseStatus, Channel, FeedbackKind, RejectionReason
from feedback.models import FeedbackCase, KioskDevice, KioskVote
from feedback.public.services import TRACKING_ALPHABET, TRACKING_CODE_LENGTH, due_date_for
from seed.synthetic.copy import copy_lines, copy_rows, line
from seed.synthetic.plan import Plan
from seed.synthetic.ratings import ViolationSpec
from seed.synthetic.staff import Person

KINDS = {FeedbackKind.PRAISE: 25, FeedbackKind.DELAY: 25, FeedbackKind.ATTITUDE: 15, FeedbackKind.FACILITIES: 15,
         FeedbackKind.OTHER: 15, FeedbackKind.HARASSMENT: 3}
CHANNELS = {Channel.WEB: 45, Channel.HOTLINE: 15, Channel.MAILBOX: 15, Channel.COMMENT_BOOK: 10, Channel.SURVEY_SLIP: 15}
TEXTS = {
    FeedbackKind.PRAISE: "Cán bộ hướng dẫn thủ tục rất tận tình, chu đáo. Xin cảm ơn.",
    FeedbackKind.ATTITUDE: "Cán bộ quầy tiếp dân trả lời cộc lốc, không hướng dẫn khi tôi hỏi về hồ sơ.",
    FeedbackKind.HARASSMENT: "Cán bộ gợi ý nộp thêm tiền để hồ sơ được giải quyết nhanh hơn.",
    FeedbackKind.DELAY: "Hồ sơ của tôi đã quá hẹn một tuần mà chưa có kết quả.",
    FeedbackKind.FACILITIES: "Phòng chờ bộ phận một cửa thiếu ghế, máy lấy số thứ tự bị hỏng.",
    FeedbackKind.OTHER: "Đề nghị niêm yết rõ hơn lịch tiếp công dân trên bảng tin.",
}
REPLY = "Đơn vị đã tiếp nhận, xác minh và xử lý nội dung phản ánh. Cảm ơn ông/bà đã góp ý."
COMPLAINTS_PER_CASE = 0.001
KIOSK_WARD_SHARE = 0.2
CASE_FIELDS = ["unit", "tracking_code", "channel", "kind", "text", "staff_mentioned", "satisfaction", "photo",
               "contact_name", "contact_phone", "contact_email", "contact_consent", "contact_erased_at",
               "received_at", "due_on", "status", "rejection_reason", "assigned_to", "staff", "substantiated",
               "violation", "internal_note", "public_reply", "replied_at", "closed_at", "submission_token",
               "recorded_by", "created_at", "updated_at", "handling_rating", "handling_comment", "handling_rated_at",
               "reopen_count", "reopen_reason", "officers_told_at"]
# Resolved cases whose citizen rated the handling, and the ratings given.
HANDLING_RATED_SHARE = 0.4
HANDLING_RATINGS = (1, 2, 3, 4, 4, 4, 5, 5)


class _Codes:
    """Unique tracking codes, also against those already in the database."""

    def __init__(self, rng):
        self.rng = rng
        self.taken = set(FeedbackCase.objects.values_list("tracking_code", flat=True))

    def new(self) -> str:
        while True:
            code = "".join(self.rng.choices(TRACKING_ALPHABET, k=TRACKING_CODE_LENGTH))
            if code not in self.taken:
                self.taken.add(code)
                return code


def _received(plan: Plan, rng, now) -> datetime.datetime:
    """A moment within the period, in office hours, busier in later months (the portal gets known)."""
    month = plan.months[min(len(plan.months) - 1, int(len(plan.months) * rng.random() ** 0.8))]
    day = month + datetime.timedelta(days=rng.randrange(month_end(month).day))
    return min(local_datetime(day, rng.randint(7, 17), rng.randint(0, 59)), now - datetime.timedelta(minutes=1))


def complaints_plan(plan: Plan, people: dict[int, list[Person]]) -> list[tuple[ViolationSpec, datetime.datetime]]:
    """Substantiated complaints about a named person: a violation each (written with the others first)."""
    rng = plan.rng("complaints")
    now = timezone.localtime()
    planned = []
    for _n in range(round(plan.feedback * COMPLAINTS_PER_CASE)):
        ward = rng.choice(plan.wards)
        received = _received(plan, rng, now)
        month = received.date().replace(day=1)
        active = [p for p in people[ward.pk] if p.active_in(month, month_end(month))]
        if not active:
            continue
        person = rng.choice(active)
        occurred = min(received.date() + datetime.timedelta(days=5), plan.today - datetime.timedelta(days=1))
        spec = ViolationSpec(person.id, plan.unit_or_ward(ward, occurred), occurred, Severity.MINOR, ViolationSource.CITIZEN_FEEDBACK,
                             "Có thái độ thiếu tôn trọng, quát tháo công dân khi tiếp nhận hồ sơ")
        planned.append((spec, received))
    return planned


def feedback_seed(plan: Plan, people: dict[int, list[Person]], complaints) -> int:
    """Write ``plan.feedback`` cases (the planned complaints among them); returns how many."""
    rng = plan.rng("feedback")
    now, today, author = timezone.localtime(), plan.today, plan.author.pk
    codes = _Codes(rng)
    weights = list(accumulate(rng.uniform(0.5, 1.5) for _ward in plan.wards))
    kinds, kind_weights = list(KINDS), list(accumulate(KINDS.values()))
    channels, channel_weights = list(CHANNELS), list(accumulate(CHANNELS.values()))
    due_dates: dict[datetime.date, datetime.date] = {}

    def due(day):
        if day not in due_dates:
            due_dates[day] = due_date_for(day)
        return due_dates[day]

    def case(ward, kind, channel, received, *, staff=None, substantiated=False, violation=None) -> str:
        received_day = received.date()  # every moment here is in the portal's time zone
        due_on = due(received_day)
        satisfaction = None
        if channel == Channel.SURVEY_SLIP or (channel == Channel.WEB and rng.random() < 0.75):
            if kind == FeedbackKind.PRAISE:
                satisfaction = rng.choice((4, 5, 5, 5))
            elif kind in (FeedbackKind.FACILITIES, FeedbackKind.OTHER):
                satisfaction = rng.choice((2, 3, 4, 4, 5))
            else:
                satisfaction = rng.choice((1, 2, 2, 3, 4, 4, 5))
        consent = channel in (Channel.WEB, Channel.HOTLINE) and rng.random() < 0.3
        status, reason, reply, closed = CaseStatus.NEW, "", "", None
        roll = rng.random()
        if substantiated:
            status, reply, closed = CaseStatus.RESOLVED, REPLY, local_datetime(min(due_on, today - datetime.timedelta(days=1)), 15)
        elif due_on >= today:
            status = CaseStatus.IN_PROGRESS if roll < 0.5 else CaseStatus.NEW
        elif (today - due_on).days < 45 and roll < 0.15:
            status = CaseStatus.IN_PROGRESS  # open past its due date: the overdue cases the inbox highlights
        elif roll > 0.97 and kind != FeedbackKind.PRAISE:
            status, reason = CaseStatus.REJECTED, rng.choice(RejectionReason.values)
            closed = received + datetime.timedelta(days=2)
        else:
            status, reply = CaseStatus.RESOLVED, REPLY
            if rng.random() < 0.85:
                span = max(1, (due_on - received_day).days)
                closed = local_datetime(received_day + datetime.timedelta(days=rng.randint(1, span)), 15, 30)
            else:
                closed = local_datetime(min(due_on + datetime.timedelta(days=rng.randint(2, 12)), today - datetime.timedelta(days=1)), 15, 30)
        closed = min(closed, now) if closed else None
        closed = max(closed, received) if closed else None
        staff_id = staff
        if staff_id is None and kind == FeedbackKind.PRAISE and rng.random() < 0.5:
            month = received_day.replace(day=1)
            candidates = people[ward.pk]
            person = candidates[rng.randrange(len(candidates))]
            if person.active_in(month, month_end(month)):
                staff_id = person.id
        handling_rating = handling_rated_at = None
        if status == CaseStatus.RESOLVED and closed is not None and rng.random() < HANDLING_RATED_SHARE:
            handling_rating = rng.choice(HANDLING_RATINGS)
            handling_rated_at = min(closed + datetime.timedelta(days=1), now)
        return line((
            plan.unit_or_ward(ward, received_day), codes.new(), channel, kind, TEXTS[kind], "", satisfaction, "",
            "Nguyễn Văn Dân" if consent else "", "0912345678" if consent else "", "", consent, None,
            received, due_on, status, reason, None, staff_id, substantiated, violation, "",
            reply, closed if reply else None, closed, None, None if channel == Channel.WEB else author,
            received, closed or received, handling_rating, "", handling_rated_at, 0, "", received,
        ))

    ward_of = plan.ward_of()

    def lines():
        for spec, received in complaints:
            ward = ward_of[spec.unit_id]
            yield case(ward, FeedbackKind.ATTITUDE, Channel.HOTLINE, received, staff=spec.staff_id,
                       substantiated=True, violation=spec.id)
        for _n in range(plan.feedback - len(complaints)):
            ward = plan.wards[bisect(weights, rng.random() * weights[-1])]
            kind = kinds[bisect(kind_weights, rng.random() * kind_weights[-1])]
            channel = channels[bisect(channel_weights, rng.random() * channel_weights[-1])]
            yield case(ward, kind, channel, _received(plan, rng, now))

    return copy_lines(FeedbackCase, CASE_FIELDS, lines())


def kiosks_seed(plan: Plan) -> int:
    """A kiosk at one ward in five, with 20–60 votes a month since the start; returns the votes written."""
    rng = plan.rng("kiosks")
    now = timezone.now()
    wards = [ward for ward in plan.wards if rng.random() < KIOSK_WARD_SHARE]
    devices = [
        KioskDevice(unit=ward, name="Máy đánh giá quầy một cửa", token=f"synthetic-{plan.rng_seed}-{ward.pk}-{rng.getrandbits(64):x}",
                    created_by=plan.author)
        for ward in wards
    ]
    KioskDevice.objects.bulk_create(devices)
    KioskDevice.objects.filter(pk__in=[d.pk for d in devices]).update(created_at=local_datetime(plan.first_day, 8))

    def rows():
        for device in devices:
            satisfied = rng.uniform(0.55, 0.8)
            for m, month in enumerate(plan.months):
                share = min(0.95, satisfied + 0.003 * m)
                for _vote in range(rng.randint(20, 60)):
                    day = month + datetime.timedelta(days=rng.randrange(month_end(month).day))
                    moment = min(local_datetime(day, rng.randint(7, 16), rng.randint(0, 59)), now)
                    score = rng.choice((4, 5)) if rng.random() < share else rng.choice((1, 2, 3))
                    yield (device.unit_id, device.pk, score, moment)

    return copy_rows(KioskVote, ["unit", "device", "score", "created_at"], rows())
