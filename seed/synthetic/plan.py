"""What a synthetic run covers: the wards (real units), the months, the author account, and random names.

Grassroots units are the wards and communes in force today (the two-level structure since 1 July 2025): Hanoi's 126
first, in tree order; when more are asked for, those of the other provinces, imported from ``vietnam-provinces`` on
demand. Work dated before 1 July 2025 (when the months reach back that far) goes to the legacy ward merged into each
current one (``Plan.unit_on``), as it happened; a current ward with no known predecessor has no data then. Months run
back from last month: the current month is left empty, as a ward officer would find it on the first of the month.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
import datetime
import random

from django.contrib.auth.hashers import make_password
from django.db.models import Q
from django.utils import timezone
import vietnam_provinces as current

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






REFORM_DAY = datetime.date(2025, 7, 1)  # the two-level local government: legacy units end the day before


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
    predecessors: dict[int, int] = field(default_factory=dict)  # current ward id → a legacy ward merged into it

    def unit_on(self, ward: Unit, day: datetime.date) -> int | None:
        """The unit ``ward``'s work of ``day`` belongs to: the ward itself from the reform on, before it the legacy
        ward merged into it (None when unknown: no data that day)."""
        return ward.pk if day >= REFORM_DAY else self.predecessors.get(ward.pk)

    def unit_or_ward(self, ward: Unit, day: datetime.date) -> int:
        """``unit_on``, falling back on the ward itself (rare: the package links every merged ward)."""
        return self.unit_on(ward, day) or ward.pk

    def ward_of(self) -> dict[int, Unit]:
        """Each ward by its id and by its predecessor's id."""
        wards = {ward.pk: ward for ward in self.wards}
        return wards | {legacy: wards[current] for current, legacy in self.predecessors.items()}

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


def _province_codes() -> list[int]:
    codes = sorted({int(p.code) for p in current.Province.iter_all()})
    return [HANOI] + [code for code in codes if code != HANOI]


def grassroots_units(count: int, *, with_legacy: bool = False) -> list[Unit]:
    """``count`` wards and communes in force today, Hanoi's first, importing provinces as needed (with their legacy
    units too when ``with_legacy``: work before the reform goes to them)."""
    today = timezone.localdate()
    chosen: list[Unit] = []
    for code in _province_codes():
        province_code = f"{code:02d}"
        roots = Unit.objects.filter(official_code=province_code, depth=0).exclude(structure=Structure.LEGACY)
        root = roots.first()
        wanted = "both" if code == HANOI or with_legacy else "current"
        in_force = Q(valid_from__isnull=True) | Q(valid_from__lte=today), Q(valid_to__isnull=True) | Q(valid_to__gte=today)
        if root is None or not Unit.objects.within(root).filter(*in_force, kind__in=GRASSROOTS_KINDS).exists() or (
            with_legacy and not Unit.objects.within(root).filter(structure=Structure.LEGACY).exists()
        ):
            units_import(province=code, structure=wanted)
            root = roots.first()
        if root is None:
            continue
        wards = (
            Unit.objects.within(root).exclude(structure=Structure.LEGACY).filter(*in_force, kind__in=GRASSROOTS_KINDS)
            .select_related("parent").order_by("path")
        )
        chosen.extend(wards[: count - len(chosen)])
        if len(chosen) >= count:
            break
    return chosen


def predecessors_of(wards: list[Unit]) -> dict[int, int]:
    """For each ward, the first (in tree order) legacy ward merged into it that no other ward took already: a legacy
    ward split between several new wards is the predecessor of one of them only (two wards' work of one month in
    one legacy ward would be two sheets of one unit and month). Wards with fewer legacy wards choose first, so a
    ward formed from a split ward alone keeps it. One query."""
    found: dict[int, int] = {}
    taken: set[int] = set()
    links = list(Unit.merged_from.through.objects.filter(from_unit_id__in=[w.pk for w in wards])
                 .values_list("from_unit_id", "to_unit_id", "from_unit__path", "to_unit__path"))
    choices = Counter(current_id for current_id, *_rest in links)
    links.sort(key=lambda link: (choices[link[0]], link[3], link[2]))
    for current_id, legacy_id, _current_path, _legacy_path in links:
        if current_id not in found and legacy_id not in taken:
            found[current_id] = legacy_id
            taken.add(legacy_id)
    return found


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
    month_list = [add_months(last, offset - months + 1) for offset in range(months)]
    with_legacy = month_list[0] < REFORM_DAY
    chosen = grassroots_units(wards, with_legacy=with_legacy)
    return Plan(
        wards=chosen,
        predecessors=predecessors_of(chosen) if with_legacy else {},
        months=month_list,
        staff_per_ward=staff_per_ward,
        feedback=feedback,
        author=author,
        rng_seed=rng_seed,
        today=today,
    )
