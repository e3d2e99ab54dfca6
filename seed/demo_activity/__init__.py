"""Demo activity: a year of work in Quận Thanh Xuân, so the reports, dashboards and exports have data.

``demo_activity_seed`` adds, on the first run only:

- monthly ratings of the district's offices and every ward from January to last month (locked; last month
  approved), mostly B, A for at most 30% of a unit, a few C, a rare D, each below B with a remark; a few
  violations over the year, one of them in the third quarter;
- twelve months of citizen feedback in the wards (web, hotline, feedback box, comment book, survey slips),
  praise naming staff, one substantiated complaint, cases resolved on time, late, and a few still open past
  their due date; satisfaction kiosks in three wards with their votes;
- the district team's closed Q3 inspection of Phường Thanh Xuân Trung with a finding about a named staff
  member and two corrective actions, one verified and one overdue.

The current month is left alone (the browser journeys open it fresh), and so is Phường Thanh Xuân Bắc's last
month and its feedback: the demo ward officer fills that month and receives the first complaint.

Idempotent by one marker: when the district or any of its wards already has a sheet for January, nothing is
done. Deterministic: every choice comes from ``random.Random`` seeded with ``rng_seed`` and the unit's code
(only the feedback tracking codes, drawn by the feedback service, differ between runs).
"""

from __future__ import annotations

from dataclasses import dataclass

from evaluations.models import InspectionTeam, RatingSheet, Violation
from seed.demo_activity.common import Actors, plan_draw
from seed.demo_activity.feedback import feedback_seed, kiosks_seed
from seed.demo_activity.inspection import inspection_seed
from seed.demo_activity.ratings import ratings_seed, violations_seed
from seed.demo_inspections import demo_inspections_seed
from units.models import Unit, User


@dataclass
class ActivitySummary:
    """What ``demo_activity_seed`` created; ``None`` is returned instead when it had been done before."""

    sheets: int = 0
    ratings: int = 0
    first_month: str = ""  # "01/2026"
    last_month: str = ""
    violations: int = 0
    feedback_cases: int = 0
    kiosk_votes: int = 0
    inspection_visits: int = 0
    team: InspectionTeam | None = None  # the inspection team, when this run had to create it


def _actors() -> Actors | None:
    users = {u.username: u for u in User.objects.filter(
        username__in=("admin", "district.thanhxuan", "ward.thanhxuanbac", "head.thanhxuanbac", "inspector")
    )}
    try:
        return Actors(
            admin=users["admin"], district=users["district.thanhxuan"], officer=users["ward.thanhxuanbac"],
            head=users["head.thanhxuanbac"], inspector=users["inspector"],
        )
    except KeyError:
        return None


def demo_activity_seed(*, district: Unit, rng_seed: int = 2026) -> ActivitySummary | None:
    """Seed the year's ratings, violations, feedback and inspection once (see the module); None when the marker
    says it was done, or when there is nothing to rate yet (January, or no demo users)."""
    actors = _actors()
    if actors is None:
        return None
    plan = plan_draw(district=district, actors=actors, rng_seed=rng_seed)
    if not plan.months:
        return None
    if RatingSheet.objects.within(district).filter(month=plan.months[0]).exists():
        return None
    summary = ActivitySummary(
        first_month=f"{plan.months[0]:%m/%Y}", last_month=f"{plan.months[-1]:%m/%Y}",
    )
    team = InspectionTeam.objects.filter(owner_unit=district).order_by("pk").first()
    if team is None:
        team = summary.team = demo_inspections_seed()
    violations_before = Violation.objects.count()
    # Order matters: violations (complaint, inspection, supervisors) exist before the sheets, which read them.
    summary.feedback_cases = feedback_seed(plan, rng_seed)
    summary.kiosk_votes = kiosks_seed(plan, rng_seed)
    summary.inspection_visits = int(team is not None and inspection_seed(plan, team) is not None)
    violations_seed(plan)
    summary.violations = Violation.objects.count() - violations_before
    summary.sheets, summary.ratings = ratings_seed(plan)
    return summary
