"""Fixed vocabularies of the units app."""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy

# Vietnam's two-level structure took effect on this day (Resolution 202/2025/QH15): districts were dissolved.
REFORM_DATE = datetime.date(2025, 7, 1)
LEGACY_LAST_DAY = datetime.date(2025, 6, 30)


class Structure(models.TextChoices):
    """Which administrative structure a unit belongs to. Official codes are unique only within one."""

    SHARED = "", _("Both structures")
    LEGACY = "legacy", _("Before 1 July 2025 (three levels)")
    CURRENT = "current", _("Since 1 July 2025 (two levels)")


class UnitKind(models.TextChoices):
    """The kind of an administrative unit, or of a body inside one."""

    PROVINCE = "province", _("Province")
    CENTRAL_CITY = "central_city", _("Centrally-run city")
    URBAN_DISTRICT = "urban_district", pgettext_lazy("unit kind", "Urban district")
    RURAL_DISTRICT = "rural_district", pgettext_lazy("unit kind", "Rural district")
    TOWN = "town", pgettext_lazy("unit kind", "District-level town")
    PROVINCIAL_CITY = "provincial_city", _("Provincial city")
    WARD = "ward", pgettext_lazy("unit kind", "Ward")
    COMMUNE = "commune", pgettext_lazy("unit kind", "Commune")
    TOWNSHIP = "township", _("Township")
    SPECIAL_ZONE = "special_zone", _("Special zone")
    DEPARTMENT = "department", _("Department or office")
    PUBLIC_SERVICE = "public_service", _("Public-service unit")
    OTHER = "other", _("Other body")


# Kinds that sit at the grassroots: a ward officer's unit, a monthly sheet's unit.
GRASSROOTS_KINDS = (UnitKind.WARD, UnitKind.COMMUNE, UnitKind.TOWNSHIP, UnitKind.SPECIAL_ZONE)
DISTRICT_KINDS = (UnitKind.URBAN_DISTRICT, UnitKind.RURAL_DISTRICT, UnitKind.TOWN, UnitKind.PROVINCIAL_CITY)


class StaffCategory(models.TextChoices):
    """The four categories of public personnel (cán bộ, công chức, viên chức, người lao động)."""

    OFFICIAL = "official", _("Official (cán bộ)")
    CIVIL_SERVANT = "civil_servant", _("Civil servant (công chức)")
    PUBLIC_EMPLOYEE = "public_employee", _("Public employee (viên chức)")
    WORKER = "worker", _("Worker (người lao động)")


class Leadership(models.TextChoices):
    """A staff member's leadership role in their unit."""

    NONE = "", _("None")
    HEAD = "head", _("Head")
    DEPUTY = "deputy", _("Deputy head")


class Role(models.TextChoices):
    """What a user does for the units under the one they are assigned to."""

    WARD_OFFICER = "ward_officer", _("Ward officer")
    UNIT_HEAD = "unit_head", _("Unit head")
    # The district office before 1 July 2025, the city's or province's department (sở) overseeing the wards since.
    DISTRICT_OFFICE = "district_office", _("Oversight office (department)")
    INSPECTOR = "inspector", _("Inspector")
    CITY_ADMIN = "city_admin", _("Province or city administrator")
