"""Demo data: Hà Nội as it works today (Phường Thanh Xuân and its neighbours, under the city since 1 July 2025) and
the former Quận Thanh Xuân with its history, and Tỉnh An Giang with Xã Vĩnh Thuận under the national rules and a code
of the province's own; one login per role, so a newcomer can try the portal at once.

``demo_seed`` seeds every province of ``DEMO_PROVINCES`` (one ``seed.demo_spec.DemoProvince`` each; Hà Nội's is
``seed.demo_hanoi.HANOI``, An Giang's ``seed.demo_angiang.AN_GIANG``), in the order things happened:

1. the province's own code of conduct, if it has one in the demo (``seed.demo_codes``);
2. the former district and its wards get their rosters (``seed.demo_people``), and the logins are created;
3. their history, January to June 2025 (``seed.demo_activity``: ratings, violations, feedback);
4. the reform of 1 July 2025: each former ward's active staff move to today's ward that took them over
   (``staff_move``, a transfer record dated 01/07/2025), the merged ward keeps one chair (the others become vice
   chairs), and the district's own offices close (their staff's last day is 30/06/2025); a working unit formed from
   no former unit of the demo gets a roster of its own;
5. today's wards: this year's pledge campaign over the province (on the staff code in force there), the inspection
   team, and their activity from July 2025 (or the province's ``activity_from``) to last month; this month is left
   for the demo users.

Idempotent: a unit that has (or had) staff is left alone, a staff code that is already taken is skipped, staff
already moved stay where they are, each period's activity is seeded once, and a demo user who already exists keeps
their password, names and flags (only a missing role assignment, or a missing link to a staff record, is added).
So a second run creates nothing and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import datetime
import os
import random

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from core.dates import local_datetime
from feedback.notifications import new_cases_notify
from feedback.stats.rollup import feedback_stats_rollup
from pledges.models import PledgeCampaign
from seed.demo_activity import ActivitySummary, Actors, demo_activity_seed, plan_draw
from seed.demo_angiang import AN_GIANG
from seed.demo_codes import demo_code_seed
from seed.demo_hanoi import HANOI
from seed.demo_inspections import demo_team_seed
from seed.demo_open311 import demo_open311_seed
from seed.demo_people import DISTRICT_ROSTER, WARD_DEPUTY, seed_unit_staff, ward_roster
from seed.demo_pledges import demo_pledges_seed
from seed.demo_spec import PROVINCE, DemoAccount, DemoProvince
from units.choices import GRASSROOTS_KINDS, LEGACY_LAST_DAY, REFORM_DATE, Leadership, Role, Structure
from units.models import RoleAssignment, Staff, StaffTransfer, Unit, User
from units.notifications.services import notifications_settle
from units.services import role_assign, staff_deactivate, staff_move, staff_update
from units.unit_import import units_import

DEMO_PROVINCES: tuple[DemoProvince, ...] = (HANOI, AN_GIANG)

# --- Logins -------------------------------------------------------------------------------------------------

DEMO_ACCOUNTS: tuple[DemoAccount, ...] = tuple(account for province in DEMO_PROVINCES for account in province.accounts)
DEMO_USERNAMES: tuple[str, ...] = tuple(dict.fromkeys(account.username for account in DEMO_ACCOUNTS))


@dataclass(frozen=True)
class DemoLogin:
    """One row of the logins table: a demo user and one of their role assignments."""

    username: str
    full_name: str
    role_label: str
    unit_name: str


def demo_logins() -> list[DemoLogin]:
    """The demo users that exist in the database, one row per role assignment, in the usual order."""
    users = {user.username: user for user in User.objects.filter(username__in=DEMO_USERNAMES)}
    assignments: dict[int, list[RoleAssignment]] = {}
    for assignment in (
        RoleAssignment.objects.filter(user__in=users.values()).select_related("unit").order_by("unit__path", "role")
    ):
        assignments.setdefault(assignment.user_id, []).append(assignment)
    rows = []
    for username in DEMO_USERNAMES:
        user = users.get(username)
        if user is None:
            continue
        for assignment in assignments.get(user.pk) or [None]:
            rows.append(
                DemoLogin(
                    username=username,
                    full_name=user.get_full_name(),
                    role_label=str(assignment.get_role_display()) if assignment else "—",
                    unit_name=assignment.unit.name if assignment else "—",
                )
            )
    return rows


def open_url() -> str:
    """The address ``make run`` serves: honcho hands each process its own $PORT, so WEB_PORT comes first."""
    port = os.environ.get("WEB_PORT") or os.environ.get("PORT") or "8000"
    return f"http://127.0.0.1:{port}/"


def logins_table(logins: list[DemoLogin], password: str) -> list[str]:
    """The logins as aligned text columns: username / password / role / unit / name.

    Vietnamese text is precomposed (NFC), one character per column, so ``len`` measures it right.
    """
    header = ("Username", "Password", "Role", "Unit", "Name")
    rows = [(login.username, password, login.role_label, login.unit_name, login.full_name) for login in logins]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(row) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()

    return [line(header), line(["-" * width for width in widths]), *(line(row) for row in rows)]


# --- The seed -----------------------------------------------------------------------------------------------

MOVE_REASON = "Sắp xếp đơn vị hành chính từ ngày 01/07/2025"
CLOSE_REASON = "Giải thể cấp huyện từ ngày 01/07/2025: kết thúc công tác tại quận"


@dataclass
class DemoSummary:
    """What ``demo_seed`` created; all empty on a second run."""

    units_created: int = 0
    staff_created: dict[str, int] = field(default_factory=dict)  # unit name → staff created
    staff_moved: dict[str, int] = field(default_factory=dict)  # today's unit name → staff moved in on 01/07/2025
    staff_ended: int = 0  # staff of a former district's offices whose last day was 30/06/2025
    units_left_alone: list[str] = field(default_factory=list)  # units that already had staff
    users_created: list[str] = field(default_factory=list)
    roles_created: int = 0
    head_linked: bool = False
    logins: list[DemoLogin] = field(default_factory=list)
    history: list[ActivitySummary] = field(default_factory=list)  # the former units' first half of 2025
    activity: list[ActivitySummary] = field(default_factory=list)  # today's units since July 2025
    campaigns: list[PledgeCampaign] = field(default_factory=list)
    teams: list = field(default_factory=list)
    codes: list = field(default_factory=list)  # the provinces' own codes of conduct

    @property
    def total_staff_created(self) -> int:
        return sum(self.staff_created.values())

    @property
    def created_anything(self) -> bool:
        created = (self.units_created, self.total_staff_created, self.users_created, self.roles_created,
                   self.staff_moved, self.staff_ended, self.history, self.activity, self.campaigns, self.teams,
                   self.codes)
        return any(created) or self.head_linked


@dataclass
class ProvinceUnits:
    """The units of one province of the demo, looked up once."""

    province: Unit
    district: Unit | None  # the former district whose history is seeded
    legacy_wards: dict[str, Unit]  # official code (legacy) → former ward of that district
    wards: dict[str, Unit]  # official code (current) → today's working unit

    def unit_for(self, account: DemoAccount) -> Unit:
        return self.province if account.unit == PROVINCE else self.wards[account.unit]


def _province_units(spec: DemoProvince) -> ProvinceUnits:
    province = Unit.objects.get(
        structure__in=(Structure.SHARED, Structure.CURRENT), official_code=spec.code, parent__isnull=True
    )
    district, legacy_wards = None, {}
    if spec.legacy_district:
        district = Unit.objects.get(structure=Structure.LEGACY, official_code=spec.legacy_district)
        legacy_wards = {w.official_code: w for w in district.children.filter(kind__in=GRASSROOTS_KINDS)}
    wards = {w.official_code: w for w in Unit.objects.filter(
        structure=Structure.CURRENT, official_code__in=[ward.code for ward in spec.wards], path__startswith=province.path,
    )}
    return ProvinceUnits(province=province, district=district, legacy_wards=legacy_wards, wards=wards)


def _had_staff(units: list[Unit]) -> set[int]:
    """Ids of the units that have staff, or had staff who moved away (the former wards after the reform)."""
    now = set(Staff.objects.filter(unit__in=units).values_list("unit_id", flat=True).distinct())
    return now | set(StaffTransfer.objects.filter(from_unit__in=units).values_list("from_unit_id", flat=True).distinct())


def _seed_rosters(
    units: list[Unit], offices: Unit | None, rng_seed: int, summary: DemoSummary, *,
    rosters: dict[int, tuple] | None = None, family_names: dict[str, float] | None = None,
) -> None:
    """A roster for each unit that never had staff: the district's offices for ``offices``, the one given in
    ``rosters`` (by unit id), else a generated ward's."""
    had_staff = _had_staff(units)
    for unit in units:
        if unit.pk in had_staff:
            summary.units_left_alone.append(unit.name)
            continue
        # One generator per unit: its roster does not depend on which other units were seeded before.
        rng = random.Random(f"{rng_seed}:{unit.structure}:{unit.official_code}")
        if offices is not None and unit.pk == offices.pk:
            roster = list(DISTRICT_ROSTER)
        else:
            roster = list((rosters or {}).get(unit.pk) or ()) or ward_roster(rng)
        created = seed_unit_staff(unit, roster, rng, family_names=family_names)
        if created:
            summary.staff_created[unit.name] = created


def _ward_staff(ward: Unit, link: str) -> Staff | None:
    """The first active staff member of ``ward`` without an account who holds the ``link`` post."""
    if not link:
        return None
    post = {"leadership": Leadership.HEAD} if link == "head" else {"position": link}
    return Staff.objects.active().filter(unit=ward, user__isnull=True, **post).order_by("staff_code").first()


def _seed_users(*, password: str, spec: DemoProvince, units: ProvinceUnits, summary: DemoSummary) -> None:
    hashed = None  # hashing is slow on purpose: hash once, only if some user is new
    for account in spec.accounts:
        unit = units.unit_for(account)
        user = User.objects.filter(username=account.username).first()
        if user is None:
            hashed = hashed or make_password(password)
            linked = _ward_staff(unit, account.link_staff)
            user = User.objects.create(
                username=account.username,
                password=hashed,
                # Notifications reach demo users by e-mail too (the console in ``make run``); never a real address.
                email=f"{account.username}@demo.invalid",
                full_name=account.full_name or (linked.full_name if linked else ""),
                is_staff=account.superuser,
                is_superuser=account.superuser,
                staff_member=linked,
            )
            summary.users_created.append(account.username)
            summary.head_linked = summary.head_linked or linked is not None
        elif account.link_staff and user.staff_member_id is None:
            # Only fills a gap (the ward's staff arrived after the user was created); never relinks.
            linked = _ward_staff(unit, account.link_staff)
            if linked is not None:
                user.staff_member = linked
                update = ["staff_member"]
                if not user.full_name:
                    user.full_name = linked.full_name
                    update.append("full_name")
                user.save(update_fields=update)
                summary.head_linked = True
        if not RoleAssignment.objects.filter(user=user, unit=unit, role=account.role).exists():
            role_assign(user=user, unit=unit, role=account.role)
            summary.roles_created += 1


def _backdate_staff_history(staff_ids: list[int], reason: str) -> None:
    # The services stamp now(); these changes took effect on the day of the reform, and the staff page shows when.
    Staff.history.filter(id__in=staff_ids, history_change_reason=reason).update(
        history_date=local_datetime(REFORM_DATE, 8)
    )


def _reform(spec: DemoProvince, units: ProvinceUnits, rng_seed: int, summary: DemoSummary) -> None:
    """1 July 2025: the former wards' active staff move to today's wards; a merged ward keeps one chair; the
    district's offices close. Today's wards formed from no former ward of the demo get a roster of their own."""
    for ward_spec in spec.wards:
        ward = units.wards[ward_spec.code]
        moved = []
        for old_code in ward_spec.formed_from:
            old = units.legacy_wards[old_code]
            for staff in Staff.objects.filter(unit=old, active_to__isnull=True).order_by("staff_code"):
                staff_move(actor=None, staff=staff, to_unit=ward, effective_date=REFORM_DATE, reason=MOVE_REASON)
                moved.append(staff.pk)
        if moved:
            StaffTransfer.objects.filter(staff_id__in=moved, to_unit=ward).update(created_at=local_datetime(REFORM_DATE, 8))
            _backdate_staff_history(moved, MOVE_REASON)
            _one_chair(ward, ward_spec.formed_from)
            summary.staff_moved[ward.name] = len(moved)
    if units.district is not None:
        ended = []
        for staff in Staff.objects.filter(unit=units.district, active_to__isnull=True):
            staff_deactivate(actor=None, staff=staff, last_day=LEGACY_LAST_DAY, reason=CLOSE_REASON)
            ended.append(staff.pk)
        _backdate_staff_history(ended, CLOSE_REASON)
        summary.staff_ended += len(ended)
    unmerged = [units.wards[ward.code] for ward in spec.wards if not ward.formed_from]
    rosters = {units.wards[ward.code].pk: ward.roster for ward in spec.wards if ward.roster}
    _seed_rosters(unmerged, None, rng_seed, summary, rosters=rosters, family_names=spec.family_names)


def _one_chair(ward: Unit, formed_from: tuple[str, ...]) -> None:
    """A merged ward has one chair: the chair who came from the first former ward keeps the post, the others
    become vice chairs."""
    heads = list(
        Staff.objects.filter(unit=ward, leadership=Leadership.HEAD, active_to__isnull=True)
        .prefetch_related("transfers__from_unit")
    )

    def came_from(staff: Staff) -> int:
        codes = [t.from_unit.official_code for t in staff.transfers.all() if t.to_unit_id == ward.pk]
        return min((formed_from.index(code) for code in codes if code in formed_from), default=len(formed_from))

    heads.sort(key=lambda staff: (came_from(staff), staff.staff_code))
    for staff in heads[1:]:
        staff_update(actor=None, staff=staff, leadership=Leadership.DEPUTY, position=WARD_DEPUTY.position)
    if heads[1:]:
        Staff.history.filter(id__in=[s.pk for s in heads[1:]], leadership=Leadership.DEPUTY).update(
            history_date=local_datetime(REFORM_DATE, 8, 30)
        )


def _user(spec: DemoProvince, role: str) -> User | None:
    account = spec.account(role)
    return User.objects.filter(username=account.username).first() if account else None


def seed_province(
    spec: DemoProvince, *, password: str, rng_seed: int, with_activity: bool, summary: DemoSummary
) -> None:
    """Seed one province of the demo (see the module for the steps)."""
    if not Unit.objects.filter(official_code=spec.code, parent__isnull=True).exists():
        summary.units_created += units_import(province=int(spec.code), structure=spec.structure).total_created
    units = _province_units(spec)
    if spec.conduct_code is not None:
        code = demo_code_seed(data=spec.conduct_code, jurisdiction=units.province)
        if code is not None:
            summary.codes.append(code)
    if units.district is not None:
        legacy = [units.district, *sorted(units.legacy_wards.values(), key=lambda w: w.official_code)]
        _seed_rosters(legacy, units.district, rng_seed, summary, family_names=spec.family_names)
    _seed_users(password=password, spec=spec, units=units, summary=summary)
    # A province without an oversight-office login of its own: its administrator does the office's part.
    admin = _user(spec, Role.CITY_ADMIN)
    office = _user(spec, Role.DISTRICT_OFFICE) or admin
    if with_activity and units.district is not None and admin is not None and office is not None:
        plan = plan_draw(
            units=legacy, first=datetime.date(2025, 1, 1), last=LEGACY_LAST_DAY, feedback_until=LEGACY_LAST_DAY,
            actors=Actors(admin=admin, office=office), script=spec.history, rng_seed=rng_seed,
        )
        history = demo_activity_seed(plan, rng_seed=rng_seed)
        if history is not None:
            summary.history.append(history)
    _reform(spec, units, rng_seed, summary)
    _seed_users(password=password, spec=spec, units=units, summary=summary)  # links the users to their staff
    if not with_activity or admin is None or office is None:
        return
    inspector = _user(spec, Role.INSPECTOR)
    team = demo_team_seed(owner=units.province, leader=inspector, name=spec.team_name)
    if team is not None:
        summary.teams.append(team)
    officer_ward = units.wards[spec.wards[0].code]
    campaign = demo_pledges_seed(
        scope=units.province, office=office, title=spec.campaign_title, officer_ward=officer_ward, rng_seed=rng_seed,
        officer_ward_signed=spec.officer_ward_signed,
    )
    if campaign is not None:
        summary.campaigns.append(campaign)
    plan = plan_draw(
        units=[units.wards[ward.code] for ward in spec.wards], first=spec.activity_from, last=datetime.date.max,
        feedback_until=datetime.date.max,
        actors=Actors(admin=admin, office=office, officer=_user(spec, Role.WARD_OFFICER), head=_user(spec, Role.UNIT_HEAD),
                      inspector=inspector),
        script=spec.activity, rng_seed=rng_seed, officer_unit=officer_ward.official_code,
        team=team or units.province.inspection_teams.order_by("pk").first(),
    )
    activity = demo_activity_seed(plan, rng_seed=rng_seed)
    if activity is not None:
        summary.activity.append(activity)


@transaction.atomic
def demo_seed(*, password: str, rng_seed: int = 2026, with_activity: bool = True) -> DemoSummary:
    """Seed every province of the demo (see the module). Imports a province's units first when they are missing.
    Idempotent: demo users who already exist keep their password (``password`` only applies to users this run
    creates). ``with_activity=False`` leaves out the activity, campaigns and teams (tests of staff and users)."""
    summary = DemoSummary()
    started = timezone.now()
    for spec in DEMO_PROVINCES:
        seed_province(spec, password=password, rng_seed=rng_seed, with_activity=with_activity, summary=summary)
    demo_open311_seed()
    new_cases_notify()  # what the beat's sweep would do: the citizens' demo cases told to their officers
    if with_activity:
        feedback_stats_rollup(months=None)  # what the night's run would hold: every finished month's statistics
    # The services told the demo users of the history they seeded: old news, not a red bell and a burst of e-mail.
    notifications_settle(since=started, until=timezone.now())
    summary.logins = demo_logins()
    return summary
