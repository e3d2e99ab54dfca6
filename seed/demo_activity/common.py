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
from evaluations.models import InspectionTeam
from seed.demo_spec import ActivityScript
from units.choices import GRASSROOTS_KINDS, Leadership
from units.models import Staff, Unit, User


def month_days(month: datetime.date) -> int:
    return (add_months(month, 1) - month).days


@dataclass(frozen=True)
class Actors:
    """The demo logins who do the work. Units without an officer login of their own are rated and approved by the
    city administrator; the oversight office (the district office of the former structure, the city's department
    today) locks the sheets, records the supervisors' violations and the feedback of other channels."""

    admin: User
    office: User
    officer: User | None = None  # the demo ward officer: rates ``Plan.officer_unit``
    head: User | None = None  # and its head approves
    inspector: User | None = None


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
    def code(self) -> str:
        return self.unit.official_code

    @property
    def is_grassroots(self) -> bool:
        return self.unit.kind in GRASSROOTS_KINDS

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
    """One period's activity: the units rated (offices first, then wards by official code), the months rated, the
    months of citizen feedback, who acts and what stands out (the script)."""

    units: list[UnitPlan]
    months: list[datetime.date]  # the months rated
    feedback_months: list[datetime.date]  # the months citizens gave feedback (up to this month for today's units)
    today: datetime.date
    actors: Actors
    script: ActivityScript
    officer_unit: str = ""  # official code of the unit the demo ward officer rates
    team: InspectionTeam | None = None

    def unit(self, code: str) -> UnitPlan | None:
        return next((plan for plan in self.units if plan.code == code), None)

    @property
    def wards(self) -> list[UnitPlan]:
        return [plan for plan in self.units if plan.is_grassroots]

    @property
    def years(self) -> list[int]:
        return sorted({month.year for month in self.months})


def stars_count(head_count: int) -> int:
    """About one person in twelve: the commendation quota (10%, at least one) is then nearly filled."""
    return max(1, round(head_count / 12))


def month_range(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first days of the months from ``first``'s to ``last``'s (none when ``last`` comes first)."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def plan_draw(
    *, units: list[Unit], first: datetime.date, last: datetime.date, feedback_until: datetime.date, actors: Actors,
    script: ActivityScript, rng_seed: int, officer_unit: str = "", team: InspectionTeam | None = None,
) -> Plan:
    """The plan of a period: ``units`` rated every month from ``first`` to ``last`` (never this month or later),
    citizens' feedback from ``first`` to ``feedback_until``. Staff are those of each unit now."""
    today = timezone.localdate()
    last = min(last, add_months(today.replace(day=1), -1))
    staff_by_unit: dict[int, list[Staff]] = {}
    for member in Staff.objects.active().filter(unit__in=units).order_by("staff_code"):
        staff_by_unit.setdefault(member.unit_id, []).append(member)
    plans = []
    for unit in units:
        staff = staff_by_unit.get(unit.pk, [])
        # One generator per unit, as for the rosters: a unit's activity does not depend on the other units.
        rng = random.Random(f"{rng_seed}:activity:{unit.structure}:{unit.official_code}")
        merit = {member.pk: rng.random() for member in staff}
        ranked = sorted(staff, key=lambda member: merit[member.pk], reverse=True)
        plans.append(UnitPlan(unit=unit, staff=staff, merit=merit, stars=ranked[: stars_count(len(staff))], rng=rng))
    return Plan(
        units=plans, months=month_range(first, last), feedback_months=month_range(first, min(feedback_until, today)),
        today=today, actors=actors, script=script, officer_unit=officer_unit, team=team,
    )
