"""What a province of the demo is made of, as data: its logins, its working units of today (and the former units
whose staff they took over on 1 July 2025), the former district whose history is kept, and the scripts of each
period's activity. ``seed.demo`` seeds every province of ``seed.demo.DEMO_PROVINCES`` from these.

Adding a province to the demo is one module with one ``DemoProvince`` (see ``seed.demo_hanoi``, a city with its
former district's history, and ``seed.demo_angiang``, a province of today's structure only with a code of its own),
appended to ``DEMO_PROVINCES``; units are named by their official codes (of the current structure for ``wards``, of the legacy
one for ``formed_from`` and ``legacy_district``), so the demo follows the ``vietnam-provinces`` package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import datetime

from units.choices import REFORM_DATE

PROVINCE = "province"  # DemoAccount.unit: the province (or centrally run city) itself


@dataclass(frozen=True)
class DemoAccount:
    """A demo login: its role over a unit of the province (``PROVINCE`` or the official code of a working ward)."""

    username: str
    full_name: str  # empty: taken from the linked staff record
    role: str
    unit: str
    superuser: bool = False
    # The ward staff record this login belongs to, so its owner can sign a pledge online: "head", a position
    # name, or "" for none.
    link_staff: str = ""


@dataclass(frozen=True)
class DemoWard:
    """A working unit of today (current structure). ``formed_from``: the former wards (legacy official codes) whose
    active staff move here on 1 July 2025, each with a transfer record; a ward formed from none gets a roster of
    its own: ``roster`` (``seed.demo_people.Post`` rows, in staff-code order) or, when empty, a generated ward's."""

    code: str
    formed_from: tuple[str, ...] = ()
    roster: tuple = ()


@dataclass(frozen=True)
class SupervisorViolation:
    """A violation found by a supervisor: in ``unit`` (official code), on ``day`` of ``month`` of every year the
    period covers."""

    unit: str
    month: int
    day: int
    article: int
    severity: str
    description: str
    action_taken: str


@dataclass(frozen=True)
class ActivityScript:
    """Who stands out in one period's activity (official codes of the rated units; months are calendar months, the
    events recurring in every year of the period they fall in)."""

    violations: tuple[SupervisorViolation, ...] = ()
    grade_d_at: tuple[tuple[str, int], ...] = ()  # (unit, month): a rare D
    web_feedback: bool = True  # citizens used the public form (the former units' history has none: no form then)
    feedback_volume: float = 1.0  # cases per month per ward, roughly
    kiosk_units: tuple[str, ...] = ()
    complaint: tuple[str, int, int] | None = None  # (unit, month, day) of this year: the substantiated complaint
    inspection: tuple[str, int, int] | None = None  # (unit, month, day) of this year: the team's closed visit
    praise_quarter: int | None = 3  # the quarter of this year whose stars citizens praise by name
    # (unit, month, form of discipline): the disciplinary decision on the script's violation of that unit and month of
    # this year (a reprimand, say), decided a few weeks later; read by the year's commendation rule.
    sanction: tuple[str, int, str] | None = None


@dataclass(frozen=True)
class DemoProvince:
    """One province (or centrally run city) of the demo."""

    code: str  # the official code ("01": Hà Nội)
    accounts: tuple[DemoAccount, ...]
    wards: tuple[DemoWard, ...]  # the working units of today; the first is the demo ward officer's
    structure: str = "both"  # what ``units_import`` loads when the province is missing: "both", or "current" only
    team_name: str = ""  # the inspection team of the province (led by its inspector login), "" for none
    # The former district whose offices and wards are seeded with their staff and their history up to 30 June 2025.
    legacy_district: str = ""
    history: ActivityScript = field(default_factory=ActivityScript)  # Jan–Jun 2025 in the former units
    activity: ActivityScript = field(default_factory=ActivityScript)  # in the working units, from activity_from
    campaign_title: str = "Ký cam kết thực hiện Quy tắc ứng xử năm {year}"  # this year's campaign over the province
    # The share of the demo ward officer's ward signed on paper (the rest is left for the officer to record).
    officer_ward_signed: float = 0.6
    activity_from: datetime.date = REFORM_DATE  # the first month of the working units' activity
    # The province's own code of conduct for its staff, in ``pledges.code_texts``' shape (slug, title, decision,
    # chapters…), published and attached to the province by the seed; None: the codes it has (or the national one).
    conduct_code: dict | None = None
    family_names: dict[str, float] | None = None  # how common each family name is there; None: the North's

    def account(self, role: str) -> DemoAccount | None:
        return next((account for account in self.accounts if account.role == role), None)

    @property
    def usernames(self) -> tuple[str, ...]:
        return tuple(account.username for account in self.accounts)
