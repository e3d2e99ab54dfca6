"""Background jobs of the units app."""

from celery import shared_task
from django.conf import settings

from units.unit_import import units_import


@shared_task(name="units.units_sync_from_package")
def units_sync_from_package(province_codes: list[int] | None = None) -> dict:
    """Re-import the configured provinces, picking up renamed or new units after a package upgrade."""
    report = {}
    for code in province_codes or settings.UNITS_SYNC_PROVINCES:
        summary = units_import(province=code, structure="both")
        report[str(code)] = {
            "created": summary.total_created,
            "updated": summary.total_updated,
            "unchanged": summary.unchanged,
        }
    return report
