"""Load administrative units from the ``vietnam-provinces`` package (GPL data, never typed by hand).

Both of Vietnam's structures are loaded side by side: the legacy one (province → district → ward, valid
until 30 June 2025) and the current one (province → ward/commune, since 1 July 2025). A province that
kept its code and name across the reform (Hà Nội) is one node that both structures hang from.
Re-running updates names, kinds and parents in place and adds nothing twice: units are matched on
(structure, official code).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
import logging

from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history
import vietnam_provinces as current
from vietnam_provinces import legacy

from core.text import ascii_slug, fold_diacritics
from units.choices import LEGACY_LAST_DAY, REFORM_DATE, Structure, UnitKind
from units.jurisdiction import rules_attach_shipped
from units.models import Unit
from units.services import _set_tree_position

log = logging.getLogger(__name__)

STRUCTURES = ("legacy", "current", "both")

# The package's division types (Vietnamese words) to our kinds.
KIND_BY_DIVISION_TYPE = {
    "tỉnh": UnitKind.PROVINCE,
    "thành phố trung ương": UnitKind.CENTRAL_CITY,
    "quận": UnitKind.URBAN_DISTRICT,
    "huyện": UnitKind.RURAL_DISTRICT,
    "thị xã": UnitKind.TOWN,
    "thành phố": UnitKind.PROVINCIAL_CITY,
    "phường": UnitKind.WARD,
    "xã": UnitKind.COMMUNE,
    "thị trấn": UnitKind.TOWNSHIP,
    "đặc khu": UnitKind.SPECIAL_ZONE,
}
UPDATABLE_FIELDS = ("name", "kind", "parent", "valid_from", "valid_to")

Key = tuple[str, str]  # (structure, official code)


@dataclass(frozen=True)
class SourceUnit:
    """One unit as the package describes it."""

    structure: str
    official_code: str
    name: str
    kind: str
    parent_key: Key | None
    valid_from: object = None
    valid_to: object = None

    @property
    def key(self) -> Key:
        return (self.structure, self.official_code)


@dataclass
class ImportSummary:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: int = 0
    links_added: int = 0
    links_removed: int = 0

    @property
    def total_created(self) -> int:
        return sum(self.created.values())

    @property
    def total_updated(self) -> int:
        return sum(self.updated.values())


def _kind(division_type) -> str:
    return KIND_BY_DIVISION_TYPE.get(str(division_type.value if hasattr(division_type, "value") else division_type), UnitKind.OTHER)


def _province_codes(province: int | None) -> list[int]:
    if province is not None:
        return [province]
    codes = {int(p.code) for p in current.Province.iter_all()} | {int(p.code) for p in legacy.Province.iter_all()}
    return sorted(codes)


def _province_nodes(code: int) -> tuple[SourceUnit | None, SourceUnit | None]:
    """The (legacy, current) root nodes of a province code; one shared node when nothing changed."""
    try:
        old = legacy.Province.from_code(legacy.ProvinceCode(code))
    except (ValueError, KeyError):
        old = None
    try:
        new = current.Province.from_code(current.ProvinceCode(code))
    except (ValueError, KeyError):
        new = None
    official = f"{code:02d}"
    if old and new and old.name == new.name:
        shared = SourceUnit(Structure.SHARED, official, new.name, _kind(new.division_type), None)
        return shared, shared
    old_node = new_node = None
    if old:
        old_node = SourceUnit(Structure.LEGACY, official, old.name, _kind(old.division_type), None, None, LEGACY_LAST_DAY)
    if new:
        new_node = SourceUnit(Structure.CURRENT, official, new.name, _kind(new.division_type), None, REFORM_DATE, None)
    return old_node, new_node


def source_levels(*, province: int | None, structure: str) -> list[list[SourceUnit]]:
    """The package's units, level by level (roots first), so parents always exist before children."""
    if structure not in STRUCTURES:
        raise ValueError(f"structure must be one of {STRUCTURES}")
    with_legacy, with_current = structure in ("legacy", "both"), structure in ("current", "both")
    roots: dict[Key, SourceUnit] = {}
    districts: list[SourceUnit] = []
    wards: list[SourceUnit] = []
    for code in _province_codes(province):
        old_root, new_root = _province_nodes(code)
        if with_legacy and old_root:
            roots[old_root.key] = old_root
            for district in legacy.District.iter_by_province(legacy.ProvinceCode(code)):
                districts.append(
                    SourceUnit(Structure.LEGACY, f"{int(district.code):03d}", district.name,
                               _kind(district.division_type), old_root.key, None, LEGACY_LAST_DAY)
                )
            for ward in legacy.Ward.iter_by_province(legacy.ProvinceCode(code)):
                wards.append(
                    SourceUnit(Structure.LEGACY, f"{int(ward.code):05d}", ward.name, _kind(ward.division_type),
                               (Structure.LEGACY, f"{int(ward.district_code):03d}"), None, LEGACY_LAST_DAY)
                )
        if with_current and new_root:
            roots[new_root.key] = new_root
            for ward in current.Ward.iter_by_province(current.ProvinceCode(code)):
                wards.append(
                    SourceUnit(Structure.CURRENT, f"{int(ward.code):05d}", ward.name, _kind(ward.division_type),
                               new_root.key, REFORM_DATE, None)
                )
    return [list(roots.values()), districts, wards]


def _public_code(source: SourceUnit, taken: set[str]) -> str:
    candidate = f"{ascii_slug(source.name)[:70]}-{source.official_code}"
    if source.structure == Structure.LEGACY:
        candidate += "-cu"
    suffix = 2
    base = candidate
    while candidate in taken:
        candidate, suffix = f"{base}-{suffix}", suffix + 1
    taken.add(candidate)
    return candidate


def _sync_level(level: list[SourceUnit], known: dict[Key, Unit], taken: set[str], summary: ImportSummary) -> list[Unit]:
    created, changed, reparented = [], [], []
    for source in level:
        parent = known[source.parent_key] if source.parent_key else None
        values = {
            "name": source.name,
            "kind": source.kind,
            "parent": parent,
            "valid_from": source.valid_from,
            "valid_to": source.valid_to,
        }
        unit = known.get(source.key)
        if unit is None:
            unit = Unit(
                structure=source.structure,
                official_code=source.official_code,
                public_code=_public_code(source, taken),
                search_name=fold_diacritics(source.name),
                path="",
                **values,
            )
            created.append(unit)
            known[source.key] = unit
            summary.created[source.kind] += 1
            continue
        differs = [name for name in UPDATABLE_FIELDS if getattr(unit, name) != values[name]]
        if not differs:
            summary.unchanged += 1
            continue
        if "parent" in differs:
            reparented.append(unit)
        for name in differs:
            setattr(unit, name, values[name])
        unit.search_name = fold_diacritics(unit.name)
        changed.append(unit)
        summary.updated[source.kind] += 1
    if created:
        bulk_create_with_history(created, Unit, batch_size=500)
        missing_pk = [u for u in created if u.pk is None]
        if missing_pk:  # databases that do not return ids from bulk inserts
            ids = dict(Unit.objects.filter(public_code__in=[u.public_code for u in missing_pk]).values_list("public_code", "id"))
            for unit in missing_pk:
                unit.pk = unit.id = ids[unit.public_code]
        for unit in created:
            unit.path = f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"
            unit.depth = unit.path.count("/") - 2
        Unit.objects.bulk_update(created, ["path", "depth"], batch_size=500)
    if changed:
        bulk_update_with_history(changed, Unit, [*UPDATABLE_FIELDS, "search_name"], batch_size=500)
    if reparented:
        for unit in reparented:
            _set_tree_position(unit)
    return created


def _sync_merge_links(summary: ImportSummary, province: int | None) -> None:
    """Record which legacy units formed each current one, as far as both are in the database."""
    through = Unit.merged_from.through
    current_units = {
        u.official_code: u.pk
        for u in Unit.objects.filter(structure=Structure.CURRENT, kind__in=list(KIND_BY_DIVISION_TYPE.values()))
    }
    legacy_units = dict(
        Unit.objects.filter(structure=Structure.LEGACY).exclude(official_code="").values_list("official_code", "pk")
    )
    if not current_units or not legacy_units:
        return
    wanted: set[tuple[int, int]] = set()
    for code in _province_codes(province):
        try:
            wards = list(current.Ward.iter_by_province(current.ProvinceCode(code)))
        except (ValueError, KeyError):
            continue
        for ward in wards:
            new_pk = current_units.get(f"{int(ward.code):05d}")
            if new_pk is None:
                continue
            for old in ward.get_legacy_sources():
                old_pk = legacy_units.get(f"{int(old.code):05d}")
                if old_pk is not None:
                    wanted.add((new_pk, old_pk))
    from_ids = {new for new, _old in wanted}
    existing = set(through.objects.filter(from_unit_id__in=from_ids).values_list("from_unit_id", "to_unit_id"))
    to_add = wanted - existing
    to_remove = existing - wanted
    through.objects.bulk_create([through(from_unit_id=a, to_unit_id=b) for a, b in to_add], batch_size=1000)
    for a, b in to_remove:
        through.objects.filter(from_unit_id=a, to_unit_id=b).delete()
    summary.links_added, summary.links_removed = len(to_add), len(to_remove)


@transaction.atomic
def units_import(*, province: int | None = 1, structure: str = "both") -> ImportSummary:
    """Create or update the units of ``province`` (``None``: the whole country) from the package."""
    summary = ImportSummary()
    levels = source_levels(province=province, structure=structure)
    known: dict[Key, Unit] = {
        (u.structure, u.official_code): u for u in Unit.objects.exclude(official_code="").select_related("parent")
    }
    taken = set(Unit.objects.values_list("public_code", flat=True))
    for level in levels:
        _sync_level(level, known, taken, summary)
    _sync_merge_links(summary, province)
    # Rules shipped for a province (Hanoi's codes and scheme) apply once the province exists.
    for top in Unit.objects.filter(parent__isnull=True).exclude(official_code=""):
        rules_attach_shipped(top)
    log.info(
        "Units imported: %s created, %s updated, %s unchanged, %s merge links added",
        summary.total_created, summary.total_updated, summary.unchanged, summary.links_added,
    )
    return summary
