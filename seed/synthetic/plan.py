"""What a synthetic run covers: the wards (real units), the months, the author account, and random names.

Grassroots units come from Hanoi's legacy structure first (30 districts and their wards, communes and
townships, in tree order); when more are asked for, from the legacy districts of the other provinces, imported
from ``vietnam-provinces`` on demand. Months run back from last month: the current month is left empty, as a
ward officer would find it on the first of the month.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import datetime
import random

from django.contrib.auth.hashers import make_password
from django.utils import timezone
import vietnam_provinces as current
from vietnam_provinces import legacy

from core.dates import add_months, month_end
from units.choices import GRASSROOTS_KINDS, Structure
from units.models import Unit, User
from units.unit_import import units_import

HANOI = 1
AUTHOR_USERNAME = "synthetic.data"

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
          "Dương", "Lý", "Đào", "Đinh", "Trịnh", "Mai", "Lương", "Tạ", "Cao", "Chu")
FAMILY_WEIGHTS = (38, 11, 9.5, 7, 5, 2, 4.5, 4, 2, 2.1, 2, 1.4, 1.3, 1.3, 1, 0.5, 1, 1, 1, 0.8, 0.6, 0.5, 0.6, 0.5)
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Thu", "Thanh", "Quang", "Ngọc", "Xuân", "Hồng", "Kim", "Bảo", "Anh")
GIVEN = ("An", "Anh", "Bình", "Chi", "Cường", "Dũng", "Dung", "Giang", "Hà", "Hải", "Hạnh", "Hằng", "Hiếu", "Hoa",
         "Hùng", "Hương", "Huy", "Khánh", "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Nga", "Ngọc", "Nhung", "Phúc",
         "Phương", "Quân", "Quỳnh", "Sơn", "Tâm", "Thảo", "Thắng", "Thủy", "Trang", "Trung", "Tú", "Tuấn", "Vân", "Việt",
         "Yến", "Khải", "Đạt", "Hòa", "Lộc", "Thành", "Oanh", "Nhàn")


def random_name(rng: random.Random) -> str:
    return f"{rng.choices(FAMILY, FAMILY_WEIGHTS)[0]} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"






@dataclass
class Plan:
    """The run's choices, shared by every generator module."""

    wards: list[Unit]
    months: list[datetime.date]  # oldest first, ending last month
    staff_per_ward: int
    feedback: int
    author: User
    rng_seed: int
    today: datetime.date = field(default_factory=timezone.localdate)

    def rng(self, part: str) -> random.Random:
        """A generator of its own per part, so adding a kind of data never changes the others."""
        return random.Random(f"{self.rng_seed}:{part}")

    @property
    def first_day(self) -> datetime.date:
        return self.months[0]

    @property
    def last_day(self) -> datetime.date:
        return month_end(self.months[-1])

    @property
    def districts(self) -> list[Unit]:
        seen: dict[int, Unit] = {}
        for ward in self.wards:
            seen.setdefault(ward.parent_id, ward.parent)
        return list(seen.values())


def _legacy_province_codes() -> list[int]:
    codes = sorted({int(p.code) for p in legacy.Province.iter_all()} | {int(p.code) for p in current.Province.iter_all()})
    return [HANOI] + [code for code in codes if code != HANOI]


def grassroots_units(count: int) -> list[Unit]:
    """``count`` grassroots units of the legacy structure, Hanoi's first, importing provinces as needed."""
    chosen: list[Unit] = []
    for code in _legacy_province_codes():
        province_code = f"{code:02d}"
        roots = Unit.objects.filter(official_code=province_code, depth=0, structure__in=(Structure.SHARED, Structure.LEGACY))
        root = roots.first()
        if root is None or not Unit.objects.within(root).filter(structure=Structure.LEGACY).exists():
            units_import(province=code, structure="both" if code == HANOI else "legacy")
            root = roots.first()
        if root is None:
            continue
        wards = (
            Unit.objects.within(root).filter(structure=Structure.LEGACY, kind__in=GRASSROOTS_KINDS)
            .select_related("parent").order_by("path")
        )
        chosen.extend(wards[: count - len(chosen)])
        if len(chosen) >= count:
            break
    return chosen


def author_get_or_create() -> tuple[User, bool]:
    """The account every synthetic row names as its author (recorded by, inspector, …): it cannot log in."""
    user, created = User.objects.get_or_create(
        username=AUTHOR_USERNAME,
        defaults={"full_name": "Dữ liệu mô phỏng", "is_active": False, "password": make_password(None)},
    )
    return user, created


def plan_make(*, wards: int, staff_per_ward: int, months: int, feedback: int, rng_seed: int, author: User) -> Plan:
    today = timezone.localdate()
    last = add_months(today.replace(day=1), -1)
    return Plan(
        wards=grassroots_units(wards),
        months=[add_months(last, offset - months + 1) for offset in range(months)],
        staff_per_ward=staff_per_ward,
        feedback=feedback,
        author=author,
        rng_seed=rng_seed,
        today=today,
    )
