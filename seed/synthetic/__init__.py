"""Synthetic data at city scale (``manage.py generate_synthetic``): staff, a few years of monthly ratings,
violations, pledges, inspections, citizen feedback and kiosk votes, on the real unit tree, seeded and
reproducible, loaded with PostgreSQL COPY (``seed.synthetic.copy``).

One module per kind of data; ``synthetic_generate`` runs them in the order their foreign keys need:
staff → inspections (findings name staff) → violations (supervisors', inspections', substantiated complaints')
→ feedback → rating sheets and ratings (a violation caps the month's grade) → pledges → kiosks.

History tables (django-simple-history) are bypassed on purpose: synthetic rows have no author whose changes an
audit trail could show, and a history row per rating would double the volume for nothing. Every constraint
still holds (unique codes, one sheet per unit and month, one rating per staff member and sheet, one standing
pledge per campaign, contact details only with consent, a reply on every resolved case).

It runs once per database: a second run is refused unless ``force``, which first deletes every staff member and
all activity data (ratings, pledges, inspections, feedback, reports) of the database — meant for databases that
hold synthetic data only, such as the one ``make bench`` keeps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import time

from django.db import connection, transaction

from evaluations.models import (
    ChecklistResult,
    CorrectiveAction,
    Finding,
    InspectionTeam,
    InspectionVisit,
    Rating,
    RatingSheet,
    Violation,
)
from feedback.models import FeedbackCase, KioskDevice, KioskVote
from feedback.stats.rollup import feedback_stats_rollup
from pledges.models import Pledge, PledgeCampaign
from seed.synthetic.copy import analyze, foreign_key_checks_off, foreign_key_checks_on, foreign_keys_verify
from seed.synthetic.feedback import complaints_plan, feedback_seed, kiosks_seed
from seed.synthetic.inspections import inspections_seed
from seed.synthetic.plan import AUTHOR_USERNAME, author_get_or_create, plan_make
from seed.synthetic.pledges import pledges_seed
from seed.synthetic.ratings import ratings_seed, staff_articles, supervisor_violations, violations_write
from seed.synthetic.staff import staff_seed
from units.models import Staff, User


class SyntheticError(Exception):
    """The database cannot take synthetic data (not PostgreSQL, or filled already)."""


@dataclass
class SyntheticSummary:
    wards: int = 0
    districts: int = 0
    months: int = 0
    staff: int = 0
    sheets: int = 0
    ratings: int = 0
    violations: int = 0
    campaigns: int = 0
    pledges: int = 0
    visits: int = 0
    feedback: int = 0
    kiosk_votes: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


# Tables emptied by ``force``: everything that hangs off staff and activity, reports built from them included.
# One TRUNCATE … CASCADE (history tables carry no foreign keys, they are listed by name below).
_ACTIVITY_MODELS = (Rating, RatingSheet, Violation, FeedbackCase, KioskVote, KioskDevice, Pledge, PledgeCampaign,
                    CorrectiveAction, Finding, ChecklistResult, InspectionVisit, InspectionTeam)


def _check_database() -> None:
    if connection.vendor != "postgresql":
        raise SyntheticError(
            f"generate_synthetic loads with PostgreSQL COPY; this database is {connection.vendor}. "
            "Set DATABASE_URL to a PostgreSQL database (e.g. postgres://postgres@127.0.0.1:5432/conduct_synthetic)."
        )


def synthetic_present() -> bool:
    return User.objects.filter(username=AUTHOR_USERNAME).exists()


def synthetic_wipe() -> None:
    """Delete every staff member and all activity data (see the module docstring)."""
    tables = [model._meta.db_table for model in _ACTIVITY_MODELS]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE %s",
            ["%historical%"],
        )
        history = [name for (name,) in cursor.fetchall() if not name.startswith("units_historicalunit")]
        cursor.execute(f"TRUNCATE {', '.join(f'{t!s}' for t in [*tables, *history])} CASCADE")
        # Staff cannot be truncated: user accounts point at them (and TRUNCATE would cascade to the users).
        cursor.execute(f'UPDATE "{User._meta.db_table}" SET staff_member_id = NULL WHERE staff_member_id IS NOT NULL')
        cursor.execute(f'DELETE FROM "{Staff._meta.db_table}"')
        User.objects.filter(username=AUTHOR_USERNAME).delete()


def synthetic_generate(
    *, wards: int, staff_per_ward: int, months: int, feedback: int, rng_seed: int = 2026, force: bool = False,
    log=None,
) -> SyntheticSummary:
    """Fill the database (see the module docstring). ``log(message)`` hears about each step."""
    _check_database()
    log = log or (lambda message: None)
    if synthetic_present() or Staff.objects.exists():
        if not force:
            raise SyntheticError(
                "This database holds data already (staff, or an earlier synthetic run). Use an empty database, "
                "or --force to DELETE every staff member and all activity data first."
            )
        log("Deleting the staff and activity data already there (--force)")
        with transaction.atomic():
            synthetic_wipe()
    summary = SyntheticSummary()
    clock = time.perf_counter()

    def step(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        summary.seconds[name] = round(now - clock, 2)
        log(f"  {name}: {now - clock:.1f} s")
        clock = now

    # One transaction per table (COPY statements commit as they go): a run of this size would otherwise queue
    # millions of deferred foreign-key checks until the end. A failed run is cleaned up by --force.
    author, _created = author_get_or_create()
    checks_off = foreign_key_checks_off()
    try:
        _generate(summary, step, wards=wards, staff_per_ward=staff_per_ward, months=months, feedback=feedback,
                  rng_seed=rng_seed, author=author)
    finally:
        if checks_off:
            foreign_key_checks_on()
    if checks_off:
        broken = foreign_keys_verify(*_ACTIVITY_MODELS, Staff)
        if broken:
            raise SyntheticError("Foreign keys broken by the load: " + ", ".join(broken))
        step("foreign keys verified")
    return summary


def _generate(summary: SyntheticSummary, step, *, wards, staff_per_ward, months, feedback, rng_seed, author) -> None:
    plan = plan_make(wards=wards, staff_per_ward=staff_per_ward, months=months, feedback=feedback,
                     rng_seed=rng_seed, author=author)
    if len(plan.wards) < wards:
        raise SyntheticError(f"Only {len(plan.wards)} grassroots units exist in the package; asked for {wards}.")
    summary.wards, summary.districts, summary.months = len(plan.wards), len(plan.districts), len(plan.months)
    step("units")
    people = staff_seed(plan)
    summary.staff = sum(len(group) for group in people.values())
    step("staff")
    articles = staff_articles()
    summary.visits, inspection_violations = inspections_seed(plan, people, articles)
    step("inspections")
    complaints = complaints_plan(plan, people)
    violations = [*supervisor_violations(plan, people), *inspection_violations, *(spec for spec, _r in complaints)]
    summary.violations = violations_write(plan, violations, articles)
    step("violations")
    summary.feedback = feedback_seed(plan, people, complaints)
    step("feedback")
    summary.sheets, summary.ratings = ratings_seed(plan, people, violations)
    step("ratings")
    summary.campaigns, summary.pledges = pledges_seed(plan, people)
    step("pledges")
    summary.kiosk_votes = kiosks_seed(plan)
    step("kiosks")
    analyze(Staff, Violation, FeedbackCase, KioskVote, RatingSheet, Rating, Pledge, InspectionVisit, Finding,
            CorrectiveAction)
    step("analyze")
    feedback_stats_rollup(months=None)
    step("statistics roll-up")
