"""What every case works on: the bench users (one per role, made once) and the units they look at."""

from __future__ import annotations

from dataclasses import dataclass
import datetime

from django.db.models import Count
from django.utils import timezone

from units.choices import DISTRICT_KINDS, Role, Structure, UnitKind
from units.models import RoleAssignment, Staff, Unit, User


@dataclass
class Context:
    scale: str
    city: Unit
    district: Unit
    ward: Unit
    district_user: User
    ward_user: User
    city_user: User
    runs: int = 5

    @property
    def last_month(self) -> datetime.date:
        first = timezone.localdate().replace(day=1)
        return (first - datetime.timedelta(days=1)).replace(day=1)


def _user(username: str, role: str, unit: Unit) -> User:
    user, _created = User.objects.get_or_create(username=username, defaults={"full_name": username})
    # Straight to the table: the role service records history for an audit trail a bench user does not need.
    RoleAssignment.objects.get_or_create(user=user, unit=unit, role=role)
    return user


def context_make(scale: str, runs: int = 5) -> Context:
    """The district (for current wards, the city) with the most staff (the heaviest dashboard), its largest ward, the
    city above them."""
    busiest = (
        Staff.objects.filter(active_to__isnull=True).values("unit__parent_id").annotate(n=Count("pk")).order_by("-n").first()
    )
    if busiest is None:
        raise SystemExit("make bench: the bench database holds no staff; drop it to have it generated again.")
    district = Unit.objects.get(pk=busiest["unit__parent_id"])
    # Current wards (since 1 July 2025) sit right under their city or province, which oversees them as a district
    # office did before.
    assert district.kind in DISTRICT_KINDS or district.depth == 0, district
    ward_id = (
        Staff.objects.filter(unit__parent=district, active_to__isnull=True).values("unit_id").annotate(n=Count("pk"))
        .order_by("-n", "unit_id").first()["unit_id"]
    )
    ward = Unit.objects.get(pk=ward_id)
    city = Unit.objects.get(pk=district.ancestor_ids[0]) if district.ancestor_ids else district
    assert city.structure == Structure.SHARED and city.kind == UnitKind.CENTRAL_CITY, city
    return Context(
        scale=scale, city=city, district=district, ward=ward,
        district_user=_user("bench.district", Role.DISTRICT_OFFICE, district),
        ward_user=_user("bench.ward", Role.WARD_OFFICER, ward),
        city_user=_user("bench.city", Role.CITY_ADMIN, city),
        runs=runs,
    )
