"""Summing figures of a unit's subtree up to the units directly beneath it (the rows of a dashboard or of a
report's tables: a city's districts, a district's wards).

The database does the counting, grouped by the unit that owns each row (a few hundred groups for a whole city);
``Rollup`` then adds each group to the child of the root it lies under, by reading the unit's materialised path.
A constant number of queries however many units and months there are.
"""

from __future__ import annotations

from collections.abc import Mapping

from units.models import Unit

UNIT_FIELDS = (
    "id", "name", "search_name", "path", "parent_id", "kind", "public_code", "depth", "structure", "valid_from", "valid_to",
)


def add_counts(total: dict, counts: Mapping) -> dict:
    """Add ``counts`` into ``total`` key by key and return ``total``: numbers are summed, nested mappings (a
    month's counts, counts by grade or kind) are added the same way, level by level."""
    for key, value in counts.items():
        if isinstance(value, Mapping):
            add_counts(total.setdefault(key, {}), value)
        else:
            total[key] = total.get(key, 0) + value
    return total


class Rollup:
    """The root, the units directly beneath it (``rows``), and where every unit of the subtree rolls up to.

    Figures of the root's own staff (a district's own offices) stay on the root: ``row_id`` gives the root's id.
    One query, for the units of the subtree.
    """

    def __init__(self, root: Unit):
        self.root = root
        units = list(Unit.objects.within(root).only(*UNIT_FIELDS))
        self.rows: list[Unit] = sorted((u for u in units if u.parent_id == root.pk), key=lambda u: (u.search_name, u.pk))
        self.units_by_id: dict[int, Unit] = {u.pk: u for u in units}
        child_position = root.depth + 1
        self._row_of: dict[int, int] = {}
        for unit in units:
            parts = unit.path.strip("/").split("/")
            self._row_of[unit.pk] = int(parts[child_position]) if unit.pk != root.pk and len(parts) > child_position else root.pk

    def row_id(self, unit_id: int) -> int | None:
        """The id of the row (a child of the root, or the root itself) that ``unit_id`` rolls up to."""
        return self._row_of.get(unit_id)

    def roll_up(self, by_unit: Mapping[int, Mapping]) -> dict[int, dict]:
        """Counts keyed by unit id (what the figures counters return) summed per row id with ``add_counts``; units
        outside the subtree are ignored. A row appears when at least one of its units has an entry."""
        totals: dict[int, dict] = {}
        for unit_id, counts in by_unit.items():
            row = self._row_of.get(unit_id)
            if row is not None:
                add_counts(totals.setdefault(row, {}), counts)
        return totals
