"""Demo activity of one period of a province, so the reports, dashboards and exports have data.

``demo_activity_seed`` adds, on the first run only, for a ``Plan`` (units, months, who acts, the script):

- monthly ratings of every unit for every month of the period (locked; last month approved), mostly B, A for
  at most 30% of a unit, a few C, a rare D, each below B with a remark; the script's violations;
- citizen feedback in the wards (hotline, feedback box, comment book, survey slips, and the web form where it
  existed), praise naming staff, one substantiated complaint, cases resolved on time, late, and a few still open
  past their due date; satisfaction kiosks with their votes;
- the team's closed inspection visit with a finding about a named staff member and two corrective actions, one
  verified and one overdue;
- what the year's close needs besides (``seed.demo_activity.year_close``): the script's disciplinary decision, and
  the wards' quarterly commendation lists, approved, up to the quarter before the last finished one.

``seed.demo`` runs it twice per province: the former units' history (January to June 2025, before the staff move
to today's wards) and today's units since 1 July 2025 (up to last month; this month is left for the demo users).

Idempotent by one marker: when any unit of the plan already has a sheet for the first month, the months' activity
is not seeded again; the year's close parts are seeded wherever they are missing (so a demo seeded before they
existed gets them on the next run). Deterministic: every choice comes from ``random.Random`` seeded with
``rng_seed`` and the unit's code (only the feedback tracking codes, drawn by the feedback service, differ between
runs).
"""

from __future__ import annotations

from dataclasses import dataclass

from evaluations.models import RatingSheet, Violation
from seed.demo_activity.common import Actors, Plan, plan_draw
from seed.demo_activity.feedback import feedback_seed, kiosks_seed
from seed.demo_activity.inspection import inspection_seed
from seed.demo_activity.ratings import ratings_seed, violations_seed
from seed.demo_activity.year_close import commendations_seed, sanction_seed

__all__ = ["ActivitySummary", "Actors", "demo_activity_seed", "plan_draw"]


@dataclass
class ActivitySummary:
    """What ``demo_activity_seed`` created; ``None`` is returned instead when it had been done before."""

    sheets: int = 0
    ratings: int = 0
    first_month: str = ""  # "07/2025"
    last_month: str = ""
    violations: int = 0
    feedback_cases: int = 0
    kiosk_votes: int = 0
    inspection_visits: int = 0
    sanctions: int = 0
    commendation_lists: int = 0


def demo_activity_seed(plan: Plan, *, rng_seed: int = 2026) -> ActivitySummary | None:
    """Seed the period's ratings, violations, feedback and inspection once, then what the year's close needs where
    it is missing (see the module); None when nothing was created, or when there is no month to rate yet."""
    if not plan.months or not plan.units:
        return None
    done = RatingSheet.objects.filter(unit__in=[u.unit for u in plan.units], month=plan.months[0]).exists()
    summary = ActivitySummary(first_month=f"{plan.months[0]:%m/%Y}", last_month=f"{plan.months[-1]:%m/%Y}")
    if not done:
        violations_before = Violation.objects.count()
        # Order matters: violations (complaint, inspection, supervisors) exist before the sheets, which read them.
        summary.feedback_cases = feedback_seed(plan, rng_seed)
        summary.kiosk_votes = kiosks_seed(plan, rng_seed)
        summary.inspection_visits = int(plan.team is not None and inspection_seed(plan, plan.team) is not None)
        violations_seed(plan)
        summary.violations = Violation.objects.count() - violations_before
        summary.sheets, summary.ratings = ratings_seed(plan)
    summary.sanctions = sanction_seed(plan)
    summary.commendation_lists = commendations_seed(plan)
    if done and not (summary.sanctions or summary.commendation_lists):
        return None
    return summary
