"""Demo inspection team: Quận Thanh Xuân's team, led by the demo inspector, so surprise visits can be planned."""

from django.db import transaction

from evaluations.models import InspectionTeam
from units.choices import Structure
from units.models import Unit, User


@transaction.atomic
def demo_inspections_seed() -> InspectionTeam | None:
    """Create the district's inspection team once (idempotent); None when it exists or the demo is missing."""
    district = Unit.objects.filter(structure=Structure.LEGACY, official_code="009").first()
    inspector = User.objects.filter(username="inspector").first()
    if district is None or inspector is None or InspectionTeam.objects.filter(owner_unit=district).exists():
        return None
    team = InspectionTeam.objects.create(name="Đoàn kiểm tra công vụ số 1", owner_unit=district, leader=inspector)
    team.members.add(inspector)
    return team
