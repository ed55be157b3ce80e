"""Reads of the catalog that every wing may use; each runs a fixed, small number of queries.

The catalog is global and read-only at run time (only the loader writes), so these take no
tenant and no actor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, contains_eager, selectinload

from saas.catalog.models import CatalogModel, Goal, Practice, PracticeKind, ProcessArea
from saas.extensions import db

DEFAULT_MODEL_KEY = "cmmi-svc"
MAX_QUERY_LENGTH = 100
MAX_QUERY_WORDS = 6
SEARCH_LIMIT = 60


def model_get(key: str = DEFAULT_MODEL_KEY) -> CatalogModel | None:
    """The model with this key, or None (callers answer 404)."""
    return db.session.scalar(select(CatalogModel).where(CatalogModel.key == key))


def model_list() -> list[CatalogModel]:
    """Every loaded model, by name."""
    return list(db.session.scalars(select(CatalogModel).order_by(CatalogModel.name, CatalogModel.version)))


def area_list(model: CatalogModel) -> list[ProcessArea]:
    """The model's process areas by code (one query)."""
    return list(
        db.session.scalars(
            select(ProcessArea).where(ProcessArea.model_id == model.id).order_by(ProcessArea.code)
        )
    )


def area_get(model: CatalogModel, code: str) -> ProcessArea | None:
    """The area with exactly this code in the model, or None (callers answer 404)."""
    return db.session.scalar(
        select(ProcessArea).where(ProcessArea.model_id == model.id, ProcessArea.code == code)
    )


def areas_with_goals(model: CatalogModel) -> list[ProcessArea]:
    """The model's areas by code with `goals` and their `practices` loaded, in order (three queries)."""
    return list(
        db.session.scalars(
            select(ProcessArea)
            .where(ProcessArea.model_id == model.id)
            .order_by(ProcessArea.code)
            .options(selectinload(ProcessArea.goals).selectinload(Goal.practices))
        )
    )


def goals_with_practices(area: ProcessArea) -> list[Goal]:
    """The area's specific goals in display order, each with its practices loaded (two queries)."""
    return list(
        db.session.scalars(
            select(Goal)
            .where(Goal.area_id == area.id)
            .order_by(Goal.position)
            .options(selectinload(Goal.practices))
        )
    )


def generic_goals(model: CatalogModel) -> list[Goal]:
    """The model's generic goals (GG 1-3 in CMMI) with their practices, by position (two queries)."""
    return list(
        db.session.scalars(
            select(Goal)
            .where(Goal.model_id == model.id, Goal.area_id.is_(None))
            .order_by(Goal.position)
            .options(selectinload(Goal.practices))
        )
    )


@dataclass(frozen=True)
class AreaGroup:
    """One heading of the explorer (a category or a maturity level) and its areas."""

    key: str
    name: str
    summary: str
    areas: list[ProcessArea]


def areas_by_category(model: CatalogModel, areas: list[ProcessArea]) -> list[AreaGroup]:
    """`areas` under the model's categories, in the pack's order; empty categories left out."""
    groups = []
    for category in model.scales.get("categories", []):
        members = [area for area in areas if area.category_key == category["key"]]
        if members:
            groups.append(AreaGroup(category["key"], category["name"], "", members))
    return groups


def areas_by_maturity_level(model: CatalogModel, areas: list[ProcessArea]) -> list[AreaGroup]:
    """`areas` under their maturity levels, lowest first; levels without areas left out."""
    groups = []
    for level in sorted({area.maturity_level for area in areas}):
        name = level_names(model, "maturity_levels").get(level)
        groups.append(
            AreaGroup(
                key=f"ml{level}",
                name=f"Maturity level {level}" + (f": {name}" if name else ""),
                summary=_level(model, "maturity_levels", level).get("summary", ""),
                areas=[area for area in areas if area.maturity_level == level],
            )
        )
    return groups


def level_names(model: CatalogModel, scale: str) -> dict[int, str]:
    """Level number -> name ("Managed") of the model's `maturity_levels` or `capability_levels`."""
    return {item["level"]: item["name"] for item in model.scales.get(scale, [])}


def _level(model: CatalogModel, scale: str, level: int | None) -> dict[str, Any]:
    return next((item for item in model.scales.get(scale, []) if item["level"] == level), {})


@dataclass(frozen=True)
class AreaThemes:
    """The plain-language themes an area mainly serves, and those it also contributes to."""

    serves: list[dict[str, Any]]
    contributes: list[dict[str, Any]]


def area_themes(model: CatalogModel, area: ProcessArea) -> AreaThemes:
    """The model's themes naming this area, split by how (no query)."""
    themes = model.scales.get("themes", [])
    return AreaThemes(
        serves=[theme for theme in themes if theme["key"] in area.themes],
        contributes=[theme for theme in themes if area.code in theme.get("related_areas", [])],
    )


@dataclass(frozen=True)
class SearchResults:
    """What `search` found; `truncated` when a list was cut at SEARCH_LIMIT."""

    query: str
    areas: list[ProcessArea]
    goals: list[Goal]
    practices: list[Practice]
    truncated: bool = False

    @property
    def total(self) -> int:
        return len(self.areas) + len(self.goals) + len(self.practices)


def search(model: CatalogModel, q: str) -> SearchResults:
    """Areas, goals and practices named by a code ("SD", "SP 2.1", "WP SP 2.1") or containing every word.

    Any input is safe: it is cleaned, cut to MAX_QUERY_LENGTH and matched literally (three queries).
    """
    query = clean_query(q)
    if not query:
        return SearchResults(query, [], [], [])
    codes, keys = _code_forms(query)
    words = query.split()[:MAX_QUERY_WORDS]
    areas = _search_areas(model, query.upper(), words)
    goals = _search_goals(model, codes, keys, words)
    practices = _search_practices(model, codes, keys, words)
    truncated = any(len(found) > SEARCH_LIMIT for found in (areas, goals, practices))
    return SearchResults(
        query, areas[:SEARCH_LIMIT], goals[:SEARCH_LIMIT], practices[:SEARCH_LIMIT], truncated
    )


def clean_query(q: str | None) -> str:
    """The search text without control characters (PostgreSQL refuses NUL), spaces collapsed, cut short."""
    printable = "".join(char if char.isprintable() else " " for char in (q or "")[: MAX_QUERY_LENGTH * 4])
    return " ".join(printable.split())[:MAX_QUERY_LENGTH].strip()


def _code_forms(query: str) -> tuple[set[str], set[str]]:
    """Upper-case codes and keys the query may name: "sp2.1" -> code "SP 2.1"; "WP SP 2.1" -> key "WP:SP 2.1"."""
    text = re.sub(r"\b([A-Z]{2})(?=\d)", r"\1 ", query.upper())
    keys = {text}
    head, colon, rest = text.partition(":")
    if not colon:
        head, _space, rest = text.partition(" ")
    if rest.strip():
        keys.add(f"{head.strip()}:{rest.strip()}")
    return {text}, keys


def _all_words(words: list[str], *columns: InstrumentedAttribute[str]) -> Any:
    """Every word appears in at least one of the columns (case-insensitive, % and _ taken literally)."""
    if not words:
        return false()
    return and_(*(or_(*(column.icontains(word, autoescape=True) for column in columns)) for word in words))


def _search_areas(model: CatalogModel, code: str, words: list[str]) -> list[ProcessArea]:
    statement = (
        select(ProcessArea)
        .where(
            ProcessArea.model_id == model.id,
            or_(
                func.upper(ProcessArea.code) == code,
                _all_words(words, ProcessArea.name, ProcessArea.purpose),
            ),
        )
        .order_by(ProcessArea.code)
        .limit(SEARCH_LIMIT + 1)
    )
    return list(db.session.scalars(statement))


def _search_goals(model: CatalogModel, codes: set[str], keys: set[str], words: list[str]) -> list[Goal]:
    statement = (
        select(Goal)
        .outerjoin(Goal.area)
        .where(
            Goal.model_id == model.id,
            or_(
                func.upper(Goal.code).in_(codes),
                func.upper(Goal.key).in_(keys),
                _all_words(words, Goal.title, Goal.summary),
            ),
        )
        .options(contains_eager(Goal.area))
        .order_by(Goal.kind == PracticeKind.GENERIC, ProcessArea.code, Goal.position)
        .limit(SEARCH_LIMIT + 1)
    )
    return list(db.session.scalars(statement))


def _search_practices(
    model: CatalogModel, codes: set[str], keys: set[str], words: list[str]
) -> list[Practice]:
    statement = (
        select(Practice)
        .join(Practice.goal)
        .outerjoin(Practice.area)
        .where(
            Practice.model_id == model.id,
            or_(
                func.upper(Practice.code).in_(codes),
                func.upper(Practice.key).in_(keys),
                _all_words(words, Practice.title, Practice.summary),
            ),
        )
        .options(contains_eager(Practice.goal), contains_eager(Practice.area))
        .order_by(Practice.kind == PracticeKind.GENERIC, ProcessArea.code, Goal.position, Practice.position)
        .limit(SEARCH_LIMIT + 1)
    )
    return list(db.session.scalars(statement))
