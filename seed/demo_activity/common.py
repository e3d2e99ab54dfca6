"""What every part of the demo activity shares: the people who act, the units, the months and the "stars".

The plan is drawn once, before anything is written, so the parts agree: the praise in the feedback names the
same staff the ratings grade A all year, and violations and complaints go to other people.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import datetime
import random

from django.utils import timezone

from core.dates import add_months
from units.choices import GRASSROOTS_KINDS, Leadership
from units.models import Staff, Unit, User

OFFICER_WARD_CODE = "00367"  # Phường Thanh Xuân Bắc: its last month is left for the demo ward officer
INSPECTED_WARD_CODE = "00355"  # Phường Thanh Xuân Trung: the Q3 inspection visit




def month_days(month: datetime.date) -> int:
    return (add_months(month, 1) - month).days


@dataclass(frozen=True)
class Actors:
    """The demo logins who do the work. Wards other than Thanh Xuân Bắc have no officer login of their own, so
    the city administrator rates them and the district office records their feedback."""

    admin: User
    district: User
    officer: User  # ward.thanhxuanbac
    head: User  # head.thanhxuanbac
    inspector: User


@dataclass
class UnitPlan:
    """One unit's staff (by staff code), a merit per person and the few "stars" graded A all year."""

    unit: Unit
    staff: list[Staff]
    merit: dict[int, float]
    stars: list[Staff]
    rng: random.Random
    _used: set[int] = field(default_factory=set)

    @property
    def is_officer_ward(self) -> bool:
        return self.unit.official_code == OFFICER_WARD_CODE

    def pick_ordinary(self, *, prefer_position: str = "") -> Staff | None:
        """Someone not picked before, preferably neither a star nor a leader (for a violation or a complaint);
        None in a unit too small to spare anyone (a ward that had its own staff before the demo)."""
        unused = [s for s in self.staff if s.pk not in self._used]
        ordinary = [s for s in unused if s not in self.stars and s.leadership == Leadership.NONE]
        pool = ordinary or [s for s in unused if s not in self.stars]
        if not pool:
            return None
        preferred = [s for s in pool if prefer_position and s.position == prefer_position]
        person = preferred[0] if preferred else self.rng.choice(pool)
        self._used.add(person.pk)
        return person


@dataclass
class Plan:
    district: Unit
    units: list[UnitPlan]  # the district's own offices first, then its wards by official code
    months: list[datetime.date]  # January … last month: the months rated
    today: datetime.date
    actors: Actors

    def unit(self, code: str) -> UnitPlan:
        return next(plan for plan in self.units if plan.unit.official_code == code)

    @property
    def wards(self) -> list[UnitPlan]:
        return [plan for plan in self.units if plan.unit.pk != self.district.pk]


def stars_count(head_count: int) -> int:
    """About one person in twelve: the commendation quota (10%, at least one) is then nearly filled."""
    return max(1, round(head_count / 12))


def plan_draw(*, district: Unit, actors: Actors, rng_seed: int) -> Plan:
    today = timezone.localdate()
    last_month = add_months(today.replace(day=1), -1)
    months = [add_months(last_month.replace(month=1), i) for i in range(last_month.month)]
    wards = list(district.children.filter(kind__in=GRASSROOTS_KINDS).order_by("official_code"))
    staff_by_unit: dict[int, list[Staff]] = {}
    for member in Staff.objects.active().filter(unit__in=[district, *wards]).order_by("staff_code"):
        staff_by_unit.setdefault(member.unit_id, []).append(member)
    units = []
    for unit in [district, *wards]:
        staff = staff_by_unit.get(unit.pk, [])
        # One generator per unit, as for the rosters: a unit's activity does not depend on the other units.
        rng = random.Random(f"{rng_seed}:activity:{unit.official_code}")
        merit = {member.pk: rng.random() for member in staff}
        ranked = sorted(staff, key=lambda member: merit[member.pk], reverse=True)
        units.append(UnitPlan(unit=unit, staff=staff, merit=merit, stars=ranked[: stars_count(len(staff))], rng=rng))
    return Plan(district=district, units=units, months=months, today=today, actors=actors)
