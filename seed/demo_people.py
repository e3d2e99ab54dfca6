"""The demo's people: generated Vietnamese names and the rosters of a ward's People's Committee and of a district's
offices, created through ``staff_create``.

The staff are generated, not real people: names are drawn with ``random.Random`` from common Vietnamese family,
middle and given names, with one generator per unit seeded from the demo's seed and the unit's code, so a unit's
roster is the same whichever units already existed.
"""

from __future__ import annotations

from dataclasses import dataclass
import datetime
import random

from units.choices import Leadership, StaffCategory, Structure
from units.models import Staff, Unit
from units.services import staff_create

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
# In the Mekong Delta (An Giang, the former Kiên Giang) Huỳnh and Võ stand where Hoàng and Vũ do in the North (the
# same names, said differently in the South), Trương and Lâm are common, and Danh is a Khmer family name.
SOUTHERN_FAMILY_NAMES = {
    "Nguyễn": 30, "Trần": 11, "Lê": 9, "Phạm": 5, "Huỳnh": 5, "Võ": 5, "Phan": 4, "Trương": 3, "Lâm": 2, "Đặng": 2,
    "Bùi": 2, "Dương": 2, "Đỗ": 1.5, "Ngô": 1.5, "Hồ": 2, "Lý": 1.5, "Thái": 1, "Đinh": 1, "Châu": 1, "Tô": 1,
    "Danh": 1,
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


def vietnamese_name(rng: random.Random, *, female: bool, family_names: dict[str, float] | None = None) -> str:
    """A plausible full name: family name (weighted by ``family_names``, the North's by default), middle name(s)
    matching the gender, given name."""
    gender = "female" if female else "male"
    while True:
        parts = [_weighted(rng, family_names or FAMILY_NAMES), _weighted(rng, MIDDLE_NAMES[gender])]
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


def seed_unit_staff(
    unit: Unit, roster: list[Post], rng: random.Random, *, family_names: dict[str, float] | None = None
) -> int:
    """Create the roster's staff in ``unit`` through ``staff_create``, skipping codes already taken."""
    codes = [demo_staff_code(unit, number) for number in range(1, len(roster) + 1)]
    taken = set(Staff.objects.filter(staff_code__in=codes).values_list("staff_code", flat=True))
    names: set[str] = set()
    created = 0
    for code, post in zip(codes, roster, strict=False):
        name = vietnamese_name(rng, female=rng.random() < post.female_share, family_names=family_names)
        while name in names:  # two people of the same name in one small office would confuse the demo
            name = vietnamese_name(rng, female=rng.random() < post.female_share, family_names=family_names)
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


