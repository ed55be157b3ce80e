"""Load model packs into the catalog tables, matching rows by their stable keys.

Re-loading updates names, titles and summaries in place and never deletes: tenants' data
points at row ids, so a row that left the pack is only reported as retired.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from sqlalchemy import select

from saas.catalog.errors import PackError
from saas.catalog.models import CatalogModel, Goal, Practice, PracticeKind, ProcessArea
from saas.catalog.pack_format import validate_pack
from saas.extensions import db

PACKS_DIR = Path(__file__).resolve().parent / "packs"

Row = TypeVar("Row", CatalogModel, ProcessArea, Goal, Practice)


@dataclass
class LoadReport:
    """What one pack load did: rows in the pack, rows created or changed, keys no longer in the pack."""

    model_key: str
    source: str
    areas: int = 0
    goals: int = 0
    practices: int = 0
    created: int = 0
    updated: int = 0
    retired: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        retired = f", retired (kept): {', '.join(self.retired)}" if self.retired else ""
        return (
            f"{self.model_key} from {self.source}: {self.areas} areas, {self.goals} goals, "
            f"{self.practices} practices; {self.created} rows created, {self.updated} updated{retired}"
        )


def load_packs(directory: Path = PACKS_DIR) -> list[LoadReport]:
    """Load every *.yaml pack in `directory` (name order); flushes, the caller commits."""
    paths = sorted(directory.glob("*.yaml"))
    packs = [(path, read_pack(path)) for path in paths]
    _refuse_shared_model_keys(packs)
    return [upsert_pack(pack, source=str(path)) for path, pack in packs]


def load_pack(path: str | Path) -> LoadReport:
    """Validate the pack at `path` and upsert it; PackError if invalid; flushes, the caller commits."""
    return upsert_pack(read_pack(Path(path)), source=str(path))


def read_pack(path: Path) -> dict[str, Any]:
    """The validated pack in the file at `path`; PackError if unreadable or invalid."""
    try:
        with path.open(encoding="utf-8") as stream:
            data = yaml.load(stream, Loader=_PackYamlLoader)  # noqa: S506  (a SafeLoader subclass)
    except (OSError, UnicodeDecodeError) as error:
        raise PackError(f"Cannot read {path}: {error}") from None
    except yaml.YAMLError as error:
        raise PackError(f"{path} is not valid YAML: {error}") from None
    return validate_pack(data, source=str(path))


def _refuse_shared_model_keys(packs: list[tuple[Path, dict[str, Any]]]) -> None:
    seen: dict[str, Path] = {}
    for path, pack in packs:
        key = pack["model"]["key"]
        if key in seen:
            raise PackError(f"{path} and {seen[key]} both define model '{key}'; give each its own key.")
        seen[key] = path


class _PackYamlLoader(yaml.SafeLoader):
    """The safe loader, refusing duplicate keys (plain YAML silently keeps the last one)."""


def _construct_mapping(loader: _PackYamlLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _value in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue  # "<<: *anchor" may override keys; construct_mapping applies it
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, Hashable):
            continue  # construct_mapping below reports unhashable keys itself
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping",
                node.start_mark,
                f"found duplicate key {key!r}",
                key_node.start_mark,
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_PackYamlLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def upsert_pack(pack: dict[str, Any], *, source: str) -> LoadReport:
    """Create or update the rows of a validated pack by stable key; nothing is deleted."""
    report = LoadReport(model_key=pack["model"]["key"], source=source)
    sync = _PackSync(pack, report)
    model = sync.model()
    areas = sync.areas(model)
    goals = sync.goals(model, areas)
    sync.practices(model, areas, goals)
    report.retired = sync.retired_keys()
    return report


class _PackSync:
    """One pack load: the existing rows by key, consumed as the pack's rows are matched."""

    def __init__(self, pack: dict[str, Any], report: LoadReport) -> None:
        self.pack = pack
        self.report = report
        self.existing: dict[type, dict[str, Any]] = {}

    def model(self) -> CatalogModel:
        info = self.pack["model"]
        found = db.session.scalar(select(CatalogModel).where(CatalogModel.key == info["key"]))
        self.existing[CatalogModel] = {found.key: found} if found else {}
        values = {
            "key": info["key"],
            "version": info["version"],
            "name": info["name"],
            "summary": info["summary"],
            "scales": _scales(self.pack),
        }
        model = self._upsert(CatalogModel, info["key"], values)
        db.session.flush()
        self._load_existing(model)
        return model

    def areas(self, model: CatalogModel) -> dict[str, ProcessArea]:
        categories = {category["key"]: category["name"] for category in self.pack["categories"]}
        themes = _themes_by_area(self.pack["themes"])
        areas = {}
        for spec in self.pack["process_areas"]:
            values = {
                "model_id": model.id,
                "code": spec["code"],
                "name": spec["name"],
                "category_key": spec["category"],
                "category_name": categories[spec["category"]],
                "maturity_level": spec["maturity_level"],
                "purpose": spec["purpose"],
                "suggested_order": spec["suggested_order"],
                "optional_in_staging": spec["optional_in_staging"],
                "themes": themes.get(spec["code"], []),
            }
            areas[spec["code"]] = self._upsert(ProcessArea, spec["code"], values)
        self.report.areas = len(areas)
        db.session.flush()
        return areas

    def goals(self, model: CatalogModel, areas: dict[str, ProcessArea]) -> dict[str, Goal]:
        goals = {}
        for code, goal_specs, kind in self._goal_groups():
            area = areas.get(code)
            for position, spec in enumerate(goal_specs):
                key = _row_key(code, spec["id"])
                values = {
                    "model_id": model.id,
                    "area_id": area.id if area else None,
                    "key": key,
                    "code": spec["id"],
                    "title": spec["title"],
                    "summary": spec["summary"],
                    "kind": kind,
                    "capability_level": spec.get("capability_level"),
                    "position": position,
                }
                goals[key] = self._upsert(Goal, key, values)
        self.report.goals = len(goals)
        db.session.flush()
        return goals

    def practices(self, model: CatalogModel, areas: dict[str, ProcessArea], goals: dict[str, Goal]) -> None:
        count = 0
        for code, goal_specs, kind in self._goal_groups():
            area = areas.get(code)
            for goal_spec in goal_specs:
                goal = goals[_row_key(code, goal_spec["id"])]
                for position, spec in enumerate(goal_spec["practices"]):
                    key = _row_key(code, spec["id"])
                    values = {
                        "model_id": model.id,
                        "goal_id": goal.id,
                        "area_id": area.id if area else None,
                        "key": key,
                        "code": spec["id"],
                        "title": spec["title"],
                        "summary": spec["summary"],
                        "kind": kind,
                        "position": position,
                    }
                    self._upsert(Practice, key, values)
                    count += 1
        self.report.practices = count
        db.session.flush()

    def retired_keys(self) -> list[str]:
        """Keys of rows the pack no longer has (left in place for tenants' references)."""
        return sorted(key for rows in self.existing.values() for key in rows)

    def _goal_groups(self) -> list[tuple[str | None, list[dict[str, Any]], PracticeKind]]:
        """(area code or None, goal specs, kind) for every area, then the generic goals."""
        groups: list[tuple[str | None, list[dict[str, Any]], PracticeKind]] = [
            (spec["code"], spec["goals"], PracticeKind.SPECIFIC) for spec in self.pack["process_areas"]
        ]
        groups.append((None, self.pack["generic_goals"], PracticeKind.GENERIC))
        return groups

    def _load_existing(self, model: CatalogModel) -> None:
        for row_type, key_column in ((ProcessArea, "code"), (Goal, "key"), (Practice, "key")):
            rows = db.session.scalars(select(row_type).where(row_type.model_id == model.id))
            self.existing[row_type] = {getattr(row, key_column): row for row in rows}

    def _upsert(self, row_type: type[Row], key: str, values: dict[str, Any]) -> Row:
        """The row with this key, created or with changed values set; counted in the report."""
        row = self.existing[row_type].pop(key, None)
        if row is None:
            row = row_type(**values)
            db.session.add(row)
            self.report.created += 1
            return row
        changed = {name: value for name, value in values.items() if getattr(row, name) != value}
        for name, value in changed.items():
            setattr(row, name, value)
        self.report.updated += bool(changed)
        return row


def _row_key(area_code: str | None, item_id: str) -> str:
    """Stable key of a goal or practice: "CAM:SP 1.1" in an area, "GP 2.1" when generic."""
    return f"{area_code}:{item_id}" if area_code else item_id


def _themes_by_area(themes: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Area code -> keys of the themes the area mainly serves (their `areas`), in pack order."""
    served: dict[str, list[str]] = {}
    for theme in themes:
        for code in theme["areas"]:
            served.setdefault(code, []).append(theme["key"])
    return served


def _scales(pack: dict[str, Any]) -> dict[str, Any]:
    """Everything model-wide that has no table of its own, kept in CatalogModel.scales."""
    return {
        "maturity_levels": pack["maturity_levels"],
        "capability_levels": pack["capability_levels"],
        "characterisations": pack["characterisations"],
        "categories": pack["categories"],
        "themes": pack["themes"],
        "license": pack["model"]["license"],
    }
