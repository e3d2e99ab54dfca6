"""Summing figures of a unit's subtree up to the units directly beneath it (the rows of a dashboard or of a
report's tables: a city's districts, a district's wards).

The database does the counting, grouped by the unit that owns each row (a few hundred groups for a whole city);
``Rollup`` then adds each group to the child of the root it lies under, by reading the unit's materialised path.
A constant number of queries however many units and months there are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from units.models import Unit

UNIT_FIELDS = ("id", "name", "search_name", "path", "parent_id", "kind", "public_code", "depth", "structure")


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

    def sum_by_row(self, pairs: Iterable[tuple[int, int]]) -> dict[int, int]:
        """``(unit_id, count)`` pairs summed per row id (ids outside the subtree are ignored)."""
        totals: dict[int, int] = defaultdict(int)
        for unit_id, count in pairs:
            row = self._row_of.get(unit_id)
            if row is not None:
                totals[row] += count
        return dict(totals)

    def sum_by_row_and_key(self, triples: Iterable[tuple[int, object, int]]) -> dict[int, dict[object, int]]:
        """``(unit_id, key, count)`` triples (key: a grade, a month, a kind…) summed per row id and key."""
        totals: dict[int, dict[object, int]] = defaultdict(lambda: defaultdict(int))
        for unit_id, key, count in triples:
            row = self._row_of.get(unit_id)
            if row is not None:
                totals[row][key] += count
        return {row: dict(keys) for row, keys in totals.items()}
