"""Demo inspection team: the province's team, led by the demo inspector, so visits can be planned across its wards."""

from django.db import transaction

from evaluations.models import InspectionTeam
from units.models import Unit, User


@transaction.atomic
def demo_team_seed(*, owner: Unit, leader: User | None, name: str) -> InspectionTeam | None:
    """Create ``owner``'s inspection team once (idempotent); None when it exists or there is no leader or name."""
    if leader is None or not name or InspectionTeam.objects.filter(owner_unit=owner).exists():
        return None
    team = InspectionTeam.objects.create(name=name, owner_unit=owner, leader=leader)
    team.members.add(leader)
    return team
