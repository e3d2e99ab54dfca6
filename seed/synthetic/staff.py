"""Synthetic staff: ``staff_per_ward`` people at work in every ward each month, with some turnover.

About one person in seven leaves during the period (``active_to``) and is replaced the next month by a newcomer,
so the monthly head count stays at ``staff_per_ward`` and sheets follow joiners and leavers as they do in life.
"""

from __future__ import annotations

from dataclasses import dataclass
import datetime

from django.utils import timezone

from core.text import fold_diacritics
from seed.synthetic.copy import copy_rows, reserve_ids
from seed.synthetic.plan import Plan, random_name
from units.choices import Leadership, StaffCategory
from units.models import Staff

LEAVE_SHARE = 0.15
CATEGORIES = {StaffCategory.OFFICIAL: 12, StaffCategory.CIVIL_SERVANT: 55, StaffCategory.PUBLIC_EMPLOYEE: 23,
              StaffCategory.WORKER: 10}
POSITIONS = ("Công chức Văn phòng - Thống kê", "Công chức Tư pháp - Hộ tịch", "Công chức Địa chính - Xây dựng",
             "Công chức Tài chính - Kế toán", "Công chức Văn hóa - Xã hội", "Chuyên viên bộ phận một cửa",
             "Cán bộ Mặt trận Tổ quốc", "Viên chức Trạm y tế", "Nhân viên hợp đồng")
FIELDS = ["id", "unit", "staff_code", "full_name", "category", "position", "leadership", "active_from", "active_to",
          "search_name", "created_at", "updated_at"]


@dataclass(frozen=True)
class Person:
    """What the other generators need of a staff member (no model instances: there may be 100,000)."""

    id: int
    unit_id: int
    full_name: str
    active_from: datetime.date
    active_to: datetime.date | None

    def active_in(self, month: datetime.date, month_last_day: datetime.date) -> bool:
        return self.active_from <= month_last_day and (self.active_to is None or self.active_to >= month)


def staff_seed(plan: Plan) -> dict[int, list[Person]]:
    """Create the staff of every ward; returns them by ward id. Written with COPY, without history rows:
    synthetic people have no author whose change history would mean anything."""
    rng = plan.rng("staff")
    people: dict[int, list[Person]] = {}
    rows = []
    leavers = round(plan.staff_per_ward * LEAVE_SHARE)
    total = len(plan.wards) * (plan.staff_per_ward + leavers)
    next_id = reserve_ids(Staff, total)
    now = timezone.now()
    categories, weights = list(CATEGORIES), list(CATEGORIES.values())
    for ward in plan.wards:
        ward_people = []
        for number in range(plan.staff_per_ward + leavers):
            if number < plan.staff_per_ward:
                joined = plan.first_day - datetime.timedelta(days=rng.randint(30, 8000))
                left = None
            else:  # a replacement for someone who left
                replaced = ward_people[rng.randrange(3, plan.staff_per_ward)] if plan.staff_per_ward > 3 else None
                if replaced is None or replaced.active_to is not None or len(plan.months) < 3:
                    joined, left = plan.first_day - datetime.timedelta(days=rng.randint(30, 4000)), None
                else:
                    leave_month = plan.months[rng.randrange(1, len(plan.months) - 1)]
                    left = leave_month - datetime.timedelta(days=1)
                    ward_people[ward_people.index(replaced)] = replaced = Person(
                        replaced.id, replaced.unit_id, replaced.full_name, replaced.active_from, left)
                    joined, left = leave_month + datetime.timedelta(days=rng.randint(0, 20)), None
            name = random_name(rng)
            ward_people.append(Person(next_id, ward.pk, name, joined, left))
            next_id += 1
        for number, person in enumerate(ward_people):
            leadership = Leadership.HEAD if number == 0 else Leadership.DEPUTY if number in (1, 2) else Leadership.NONE
            position = ("Chủ tịch UBND" if number == 0 else "Phó Chủ tịch UBND" if number in (1, 2) else rng.choice(POSITIONS))
            rows.append((
                person.id, person.unit_id, f"SYN{person.id:07d}", person.full_name,
                categories[0] if number < 3 else rng.choices(categories, weights)[0], position, leadership,
                person.active_from, person.active_to, fold_diacritics(person.full_name), now, now,
            ))
        people[ward.pk] = ward_people
    copy_rows(Staff, FIELDS, rows)
    return people
