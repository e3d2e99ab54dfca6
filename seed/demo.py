"""Demo data: Quận Thanh Xuân's staff and one login per role, so a newcomer can try the portal at once.

``demo_seed`` is idempotent. A unit that already has staff is left alone, a staff code that is already
taken is skipped, and a demo user who already exists keeps their password, names and flags untouched
(only a missing role assignment, or a missing link to the ward head's staff record, is added). So a
second run creates nothing and changes nothing.

The staff are generated, not real people: names are drawn with ``random.Random`` from common Vietnamese
family, middle and given names, with one generator per unit seeded from ``rng_seed`` and the unit's
code, so a unit's roster is the same whichever units already existed. The units themselves are real
(imported from the ``vietnam-provinces`` package), in the legacy structure (before 1 July 2025).
"""

from __future__ import annotations

from dataclasses import dataclass, field
import datetime
import os
import random

from django.contrib.auth.hashers import make_password
from django.db import transaction

from seed.demo_activity import ActivitySummary, demo_activity_seed
from units.choices import GRASSROOTS_KINDS, Leadership, Role, StaffCategory, Structure
from units.models import RoleAssignment, Staff, Unit, User
from units.services import role_assign, staff_create
from units.unit_import import units_import

HANOI_CODE = "01"
DISTRICT_CODE = "009"  # Quận Thanh Xuân (legacy structure)
WARD_CODE = "00367"  # Phường Thanh Xuân Bắc (legacy structure)


# --- Logins -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str  # empty: taken from the linked staff record
    role: str
    unit: str  # "hanoi", "district" or "ward"
    superuser: bool = False
    # The ward staff record this login belongs to, so its owner can sign a pledge online: "head", a position
    # name, or "" for none.
    link_staff: str = ""


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("admin", "Trần Quốc Hưng", Role.CITY_ADMIN, "hanoi", superuser=True),
    DemoAccount("district.thanhxuan", "Lê Thị Thu Hà", Role.DISTRICT_OFFICE, "district"),
    DemoAccount("ward.thanhxuanbac", "", Role.WARD_OFFICER, "ward", link_staff="Công chức Văn phòng - Thống kê"),
    DemoAccount("head.thanhxuanbac", "", Role.UNIT_HEAD, "ward", link_staff="head"),
    DemoAccount("inspector", "Đỗ Mạnh Cường", Role.INSPECTOR, "district"),
)
DEMO_USERNAMES: tuple[str, ...] = tuple(account.username for account in DEMO_ACCOUNTS)


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


# --- Names --------------------------------------------------------------------------------------------------

# Weights roughly follow how common each family name is in the North (Vũ before Võ, Hoàng before Huỳnh).
FAMILY_NAMES = {
    "Nguyễn": 31, "Trần": 10, "Lê": 8, "Phạm": 7, "Hoàng": 5, "Vũ": 5, "Đỗ": 4, "Bùi": 4, "Đặng": 3, "Ngô": 3,
    "Phan": 2, "Đinh": 2, "Dương": 2, "Trịnh": 2, "Đào": 2, "Hồ": 1, "Lý": 1, "Lương": 1, "Tạ": 1, "Phùng": 1,
    "Chu": 1, "Cao": 1, "Mai": 1, "Kiều": 0.5, "Lại": 0.5, "Nghiêm": 0.5,
}
MIDDLE_NAMES = {
    "male": {
        "Văn": 30, "Đức": 10, "Minh": 8, "Quốc": 5, "Đình": 5, "Hữu": 6, "Quang": 6, "Thanh": 4, "Mạnh": 4,
        "Xuân": 4, "Công": 4, "Tiến": 3, "Ngọc": 3, "Trọng": 3, "Việt": 3, "Duy": 3, "Anh": 2,
    },
    "female": {
        "Thị": 40, "Thu": 8, "Ngọc": 6, "Thanh": 6, "Phương": 5, "Minh": 4, "Hồng": 4, "Thúy": 3, "Kim": 3,
        "Bích": 3, "Mai": 2, "Diệu": 2, "Hải": 2, "Khánh": 2, "Lan": 2,
    },
}
# Women named "Nguyễn Thị Thu Hà": Thị followed by a second middle name.
SECOND_MIDDLE_NAMES = ("Thu", "Ngọc", "Thanh", "Minh", "Hồng", "Kim", "Phương", "Lan", "Hải", "Bích")
GIVEN_NAMES = {
    "male": (
        "Anh", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Đông", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy", "Hưng",
        "Hậu", "Khánh", "Khoa", "Kiên", "Lâm", "Long", "Lộc", "Mạnh", "Nam", "Nghĩa", "Phong", "Phúc", "Quân",
        "Quang", "Sơn", "Tâm", "Thái", "Thắng", "Thành", "Thịnh", "Tiến", "Toàn", "Trung", "Tuấn", "Tùng",
        "Việt", "Vinh",
    ),
    "female": (
        "Anh", "Châu", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hồng", "Huyền", "Hương",
        "Lan", "Liên", "Linh", "Loan", "Ly", "Mai", "Nga", "Ngân", "Nhàn", "Nhung", "Oanh", "Phương", "Quyên",
        "Quỳnh", "Tâm", "Thảo", "Thủy", "Trang", "Tuyết", "Vân", "Yến",
    ),
}


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def vietnamese_name(rng: random.Random, *, female: bool) -> str:
    """A plausible full name: family name, middle name(s) matching the gender, given name."""
    gender = "female" if female else "male"
    while True:
        parts = [_weighted(rng, FAMILY_NAMES), _weighted(rng, MIDDLE_NAMES[gender])]
        if female and parts[1] == "Thị" and rng.random() < 0.25:
            parts.append(rng.choice(SECOND_MIDDLE_NAMES))
        given = rng.choice(GIVEN_NAMES[gender])
        if given in parts[1:]:
            continue  # no "Minh Minh"
        name = " ".join([*parts, given])
        if not name.isascii():  # "Phan Minh Anh" exists, but a demo name should show its diacritics
            return name


# --- Rosters ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Post:
    position: str
    category: str
    female_share: float
    leadership: str = ""


OFFICIAL, CIVIL_SERVANT = StaffCategory.OFFICIAL, StaffCategory.CIVIL_SERVANT
PUBLIC_EMPLOYEE, WORKER = StaffCategory.PUBLIC_EMPLOYEE, StaffCategory.WORKER

# Hanoi's wards ran the urban-government pilot from 2021 to 2025 (Resolution 97/2019/QH14): no ward People's
# Council, and the chair and vice-chairs of the ward People's Committee are appointed civil servants.
WARD_HEAD = Post("Chủ tịch UBND phường", CIVIL_SERVANT, 0.3, Leadership.HEAD)
WARD_DEPUTY = Post("Phó Chủ tịch UBND phường", CIVIL_SERVANT, 0.4, Leadership.DEPUTY)
WARD_OFFICIALS = (  # cán bộ: the Party committee and the mass organisations
    Post("Bí thư Đảng ủy phường", OFFICIAL, 0.25),
    Post("Phó Bí thư Thường trực Đảng ủy phường", OFFICIAL, 0.35),
    Post("Chủ tịch Ủy ban MTTQ Việt Nam phường", OFFICIAL, 0.45),
    Post("Bí thư Đoàn TNCS Hồ Chí Minh phường", OFFICIAL, 0.5),
    Post("Chủ tịch Hội Liên hiệp Phụ nữ phường", OFFICIAL, 1.0),
    Post("Chủ tịch Hội Cựu chiến binh phường", OFFICIAL, 0.05),
)
WARD_MILITARY = Post("Chỉ huy trưởng Ban Chỉ huy Quân sự phường", CIVIL_SERVANT, 0.0)
# Specialist civil servants of a ward (Decree 33/2023/NĐ-CP), with how many a large ward may have of each.
WARD_SPECIALISTS: tuple[tuple[Post, int], ...] = (
    (Post("Công chức Văn phòng - Thống kê", CIVIL_SERVANT, 0.65), 4),
    (Post("Công chức Địa chính - Xây dựng - Đô thị và Môi trường", CIVIL_SERVANT, 0.3), 5),
    (Post("Công chức Tài chính - Kế toán", CIVIL_SERVANT, 0.75), 3),
    (Post("Công chức Tư pháp - Hộ tịch", CIVIL_SERVANT, 0.6), 4),
    (Post("Công chức Văn hóa - Xã hội", CIVIL_SERVANT, 0.6), 4),
)
WARD_PUBLIC_EMPLOYEES = (
    Post("Bác sĩ Trạm Y tế phường", PUBLIC_EMPLOYEE, 0.55),
    Post("Y sĩ Trạm Y tế phường", PUBLIC_EMPLOYEE, 0.7),
    Post("Điều dưỡng Trạm Y tế phường", PUBLIC_EMPLOYEE, 0.85),
    Post("Nữ hộ sinh Trạm Y tế phường", PUBLIC_EMPLOYEE, 1.0),
)
WARD_WORKERS = (
    Post("Nhân viên hợp đồng Bộ phận Một cửa", WORKER, 0.7),
    Post("Nhân viên hợp đồng hỗ trợ Địa chính - Xây dựng", WORKER, 0.3),
    Post("Nhân viên văn thư - lưu trữ (hợp đồng)", WORKER, 0.8),
    Post("Nhân viên kỹ thuật công nghệ thông tin (hợp đồng)", WORKER, 0.2),
    Post("Nhân viên bảo vệ", WORKER, 0.0),
    Post("Lái xe", WORKER, 0.0),
    Post("Nhân viên phục vụ", WORKER, 0.9),
)
DISTRICT_ROSTER = (
    Post("Chủ tịch UBND quận", OFFICIAL, 0.2, Leadership.HEAD),
    Post("Phó Chủ tịch UBND quận", OFFICIAL, 0.3, Leadership.DEPUTY),
    Post("Phó Chủ tịch UBND quận", OFFICIAL, 0.3, Leadership.DEPUTY),
    Post("Trưởng phòng Nội vụ", CIVIL_SERVANT, 0.5),
    Post("Phó Trưởng phòng Nội vụ", CIVIL_SERVANT, 0.5),
    Post("Chuyên viên Phòng Nội vụ", CIVIL_SERVANT, 0.6),
    Post("Chuyên viên Phòng Nội vụ", CIVIL_SERVANT, 0.6),
    Post("Trưởng phòng Văn hóa và Thông tin", CIVIL_SERVANT, 0.5),
    Post("Chuyên viên Phòng Văn hóa và Thông tin", CIVIL_SERVANT, 0.6),
    Post("Thanh tra viên Thanh tra quận", CIVIL_SERVANT, 0.4),
    Post("Chuyên viên Phòng Tư pháp", CIVIL_SERVANT, 0.6),
    Post("Viên chức Trung tâm Văn hóa, Thông tin và Thể thao quận", PUBLIC_EMPLOYEE, 0.5),
)
WARD_SIZE = (20, 40)

# Everyone started before the reform of 1 July 2025, the legacy units' last day being 30 June 2025.
LEADER_START, LEADER_END = datetime.date(2020, 1, 1), datetime.date(2024, 6, 30)
STAFF_START, STAFF_END = datetime.date(2005, 1, 1), datetime.date(2024, 12, 31)


def ward_roster(rng: random.Random) -> list[Post]:
    """The posts of one ward: a head, one or two deputies, the cán bộ, the civil servants, then the rest.

    Mostly công chức, some cán bộ, a few viên chức of the ward's health station and contract workers.
    """
    size = rng.randint(*WARD_SIZE)
    posts = [WARD_HEAD] + [WARD_DEPUTY] * rng.randint(1, 2) + list(WARD_OFFICIALS) + [WARD_MILITARY]
    posts += [post for post, _cap in WARD_SPECIALISTS]
    public_employees = rng.sample(WARD_PUBLIC_EMPLOYEES, rng.randint(1, 3))
    remaining = size - len(posts) - len(public_employees)
    workers = round(remaining * rng.uniform(0.25, 0.4))
    room = {post: cap - 1 for post, cap in WARD_SPECIALISTS}
    for _ in range(remaining - workers):
        open_posts = [post for post, left in room.items() if left > 0]
        if not open_posts:
            workers += 1
            continue
        post = rng.choice(open_posts)
        room[post] -= 1
        posts.append(post)
    posts += public_employees
    posts += [rng.choice(WARD_WORKERS) for _ in range(workers)]
    return posts


def demo_staff_code(unit: Unit, number: int) -> str:
    """E.g. "CU-00367-001". Official codes repeat across the reform, so legacy units get "CU-" (cũ)."""
    prefix = "CU-" if unit.structure == Structure.LEGACY else ""
    return f"{prefix}{unit.official_code}-{number:03d}"


def _random_day(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randrange((last - first).days + 1))


def _seed_unit_staff(unit: Unit, roster: list[Post], rng: random.Random) -> int:
    """Create the roster's staff in ``unit`` through ``staff_create``, skipping codes already taken."""
    codes = [demo_staff_code(unit, number) for number in range(1, len(roster) + 1)]
    taken = set(Staff.objects.filter(staff_code__in=codes).values_list("staff_code", flat=True))
    names: set[str] = set()
    created = 0
    for code, post in zip(codes, roster, strict=False):
        name = vietnamese_name(rng, female=rng.random() < post.female_share)
        while name in names:  # two people of the same name in one small office would confuse the demo
            name = vietnamese_name(rng, female=rng.random() < post.female_share)
        names.add(name)
        leader = post.leadership != Leadership.NONE
        active_from = _random_day(rng, *((LEADER_START, LEADER_END) if leader else (STAFF_START, STAFF_END)))
        if code in taken:
            continue
        staff_create(
            actor=None,
            unit=unit,
            staff_code=code,
            full_name=name,
            category=post.category,
            position=post.position,
            leadership=post.leadership,
            active_from=active_from,
        )
        created += 1
    return created


# --- The seed -----------------------------------------------------------------------------------------------


@dataclass
class DemoSummary:
    """What ``demo_seed`` created; all zero on a second run."""

    units_created: int = 0
    staff_created: dict[str, int] = field(default_factory=dict)  # unit name → staff created
    units_left_alone: list[str] = field(default_factory=list)  # units that already had staff
    users_created: list[str] = field(default_factory=list)
    roles_created: int = 0
    head_linked: bool = False
    logins: list[DemoLogin] = field(default_factory=list)
    activity: ActivitySummary | None = None  # the year's ratings, feedback and inspection, on the first run

    @property
    def total_staff_created(self) -> int:
        return sum(self.staff_created.values())

    @property
    def created_anything(self) -> bool:
        created = (self.units_created, self.total_staff_created, self.users_created, self.roles_created)
        return any(created) or self.head_linked or self.activity is not None


def _legacy_unit(code: str) -> Unit:
    return Unit.objects.get(structure=Structure.LEGACY, official_code=code)


def _seed_staff(district: Unit, rng_seed: int, summary: DemoSummary) -> None:
    wards = list(district.children.filter(kind__in=GRASSROOTS_KINDS).order_by("official_code"))
    with_staff = set(Staff.objects.filter(unit__in=[district, *wards]).values_list("unit_id", flat=True).distinct())
    for unit in [district, *wards]:
        if unit.pk in with_staff:
            summary.units_left_alone.append(unit.name)
            continue
        # One generator per unit: its roster does not depend on which other units were seeded before.
        rng = random.Random(f"{rng_seed}:{unit.structure}:{unit.official_code}")
        roster = list(DISTRICT_ROSTER) if unit.pk == district.pk else ward_roster(rng)
        created = _seed_unit_staff(unit, roster, rng)
        if created:
            summary.staff_created[unit.name] = created


def _ward_staff(ward: Unit, link: str) -> Staff | None:
    """The first active staff member of ``ward`` without an account who holds the ``link`` post."""
    if not link:
        return None
    post = {"leadership": Leadership.HEAD} if link == "head" else {"position": link}
    return Staff.objects.active().filter(unit=ward, user__isnull=True, **post).order_by("staff_code").first()


def _seed_users(*, password: str, units: dict[str, Unit], summary: DemoSummary) -> None:
    hashed = None  # hashing is slow on purpose: hash once, only if some user is new
    for account in DEMO_ACCOUNTS:
        unit = units[account.unit]
        user = User.objects.filter(username=account.username).first()
        if user is None:
            hashed = hashed or make_password(password)
            head = _ward_staff(unit, account.link_staff)
            user = User.objects.create(
                username=account.username,
                password=hashed,
                full_name=account.full_name or (head.full_name if head else ""),
                is_staff=account.superuser,
                is_superuser=account.superuser,
                staff_member=head,
            )
            summary.users_created.append(account.username)
            summary.head_linked = summary.head_linked or head is not None
        elif account.link_staff and user.staff_member_id is None:
            # Only fills a gap (e.g. the ward's staff were added after the user); never relinks.
            head = _ward_staff(unit, account.link_staff)
            if head is not None:
                user.staff_member = head
                user.save(update_fields=["staff_member"])
                summary.head_linked = True
        if not RoleAssignment.objects.filter(user=user, unit=unit, role=account.role).exists():
            role_assign(user=user, unit=unit, role=account.role)
            summary.roles_created += 1


@transaction.atomic
def demo_seed(*, password: str, rng_seed: int = 2026, with_activity: bool = True) -> DemoSummary:
    """Make Quận Thanh Xuân (legacy) a working demo: its staff, one login per role and, once, a year of
    activity (``seed.demo_activity``: ratings, violations, feedback, an inspection).

    Imports Hanoi's units first when they are missing. Idempotent: units that already have staff are
    left alone, and demo users who already exist keep their password (``password`` only applies to
    users this run creates). ``with_activity=False`` leaves out the year of activity (tests of staff and users).
    """
    summary = DemoSummary()
    if not Unit.objects.filter(structure=Structure.SHARED, official_code=HANOI_CODE).exists():
        summary.units_created = units_import(province=int(HANOI_CODE), structure="both").total_created
    units = {
        "hanoi": Unit.objects.get(structure=Structure.SHARED, official_code=HANOI_CODE),
        "district": _legacy_unit(DISTRICT_CODE),
        "ward": _legacy_unit(WARD_CODE),
    }
    _seed_staff(units["district"], rng_seed, summary)
    _seed_users(password=password, units=units, summary=summary)
    if with_activity:
        summary.activity = demo_activity_seed(district=units["district"], rng_seed=rng_seed)
    summary.logins = demo_logins()
    return summary
