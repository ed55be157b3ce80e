"""Which process areas a roadmap selects and what a selection can reach: pure rules, no queries.

The three ways to build a roadmap all end in a list of `Pick`s (an area and the capability
level aimed for). A target maturity level picks every area of that level and below at the
level equivalent staging asks for (CL2 for ML2, CL3 for ML3 to ML5). SSD, the one area the
model lets an organisation scope out, is always picked from ML3 up so "ML3" means the same
20 areas everywhere; unless `include_ssd` it is marked not applicable, which leaves it out
of every rating while keeping it one click away.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from saas.catalog.models import ProcessArea
from saas.roadmaps import rating
from saas.roadmaps.errors import EmptySelection, InvalidLevel, InvalidTarget, UnknownAreaCodes
from saas.roadmaps.planning.models import TargetKind

CAPABILITY_LEVELS = (1, 2, 3)
MATURITY_LEVELS = (2, 3, 4, 5)
DEFAULT_CAPABILITY_LEVEL = 2


@dataclass(frozen=True)
class Pick:
    """One area a roadmap selects: the capability level aimed for and whether it is scoped out."""

    area: ProcessArea
    target_capability_level: int
    not_applicable: bool = False


@dataclass(frozen=True)
class SelectionEffect:
    """What a selection reaches under equivalent staging, and what the next level still needs."""

    selected: int
    reachable: int  # 1 when not even every ML2 area is picked at CL2
    next_level: int | None
    next_requires: int | None  # the capability level the next maturity level asks of its areas
    missing: list[str]  # codes to add for the next level
    too_low: list[str]  # picked codes whose target is below what the next level asks


def required_capability_level(maturity_level: int) -> int:
    """Equivalent staging: ML2 asks its areas for CL2; ML3 to ML5 ask every area up to them for CL3."""
    return 2 if maturity_level == 2 else 3


def normalise_code(code: str) -> str:
    return code.strip().upper()


def resolve_selection(
    areas: list[ProcessArea],
    *,
    target_kind: str,
    target_maturity_level: int | None = None,
    profile: Mapping[str, int] | None = None,
    area_codes: Iterable[str] | None = None,
    include_ssd: bool = False,
) -> list[Pick]:
    """The picks of a new roadmap, in the catalog's suggested order; refuses unknown codes and levels."""
    if target_kind == TargetKind.MATURITY_LEVEL:
        picks = maturity_level_picks(areas, target_maturity_level, include_ssd=include_ssd)
    elif target_kind == TargetKind.CAPABILITY_PROFILE:
        picks = profile_picks(areas, profile or {})
    elif target_kind == TargetKind.FREE:
        picks = profile_picks(areas, dict.fromkeys(area_codes or (), DEFAULT_CAPABILITY_LEVEL))
    else:
        raise InvalidTarget("Choose a target maturity level, a capability profile or a free choice of areas.")
    return sorted(picks, key=lambda pick: pick.area.suggested_order)


def maturity_level_picks(
    areas: list[ProcessArea], maturity_level: int | None, *, include_ssd: bool = False
) -> list[Pick]:
    """Every area of `maturity_level` and below, at the capability level that level asks for."""
    if maturity_level not in MATURITY_LEVELS:
        raise InvalidTarget("Choose a target maturity level from 2 to 5.")
    level = required_capability_level(maturity_level)
    return [
        Pick(area, level, not_applicable=area.optional_in_staging and not include_ssd)
        for area in areas
        if area.maturity_level <= maturity_level
    ]


def profile_picks(areas: list[ProcessArea], profile: Mapping[str, int]) -> list[Pick]:
    """The named areas at the given capability levels (1-3), exactly as chosen."""
    chosen = {normalise_code(code): level for code, level in profile.items()}
    by_code = {area.code: area for area in areas}
    unknown = [code for code in chosen if code not in by_code]
    if unknown:
        raise UnknownAreaCodes(unknown)
    if not chosen:
        raise EmptySelection("Select at least one process area.")
    invalid = sorted(code for code, level in chosen.items() if level not in CAPABILITY_LEVELS)
    if invalid:
        raise InvalidLevel(f"Target capability levels are 1, 2 or 3; check {', '.join(invalid)}.")
    return [Pick(by_code[code], level) for code, level in chosen.items()]


def selection_effect(areas: list[ProcessArea], picks: list[Pick]) -> SelectionEffect:
    """The highest maturity level whose areas are all picked at the level it asks for, and the gap to the next."""
    picked = {pick.area.code: pick for pick in picks}
    reachable = rating.equivalent_staging(_levels(areas, picked))
    next_level = reachable + 1 if reachable < max(MATURITY_LEVELS) else None
    if next_level is None:
        return SelectionEffect(len(picks), reachable, None, None, [], [])
    needs = required_capability_level(next_level)
    due = [area for area in areas if area.maturity_level <= next_level and _in_scope(area, picked)]
    return SelectionEffect(
        selected=len(picks),
        reachable=reachable,
        next_level=next_level,
        next_requires=needs,
        missing=sorted(area.code for area in due if area.code not in picked),
        too_low=sorted(
            area.code
            for area in due
            if area.code in picked and picked[area.code].target_capability_level < needs
        ),
    )


def _in_scope(area: ProcessArea, picked: Mapping[str, Pick]) -> bool:
    """Scoped-out areas (picked as not applicable, or optional and left out) do not count."""
    if area.code in picked:
        return not picked[area.code].not_applicable
    return not area.optional_in_staging


def _levels(areas: list[ProcessArea], picked: Mapping[str, Pick]) -> list[rating.AreaLevel]:
    """The selection as a capability profile: targets for picked areas, CL0 for the others."""
    return [
        rating.AreaLevel(
            code=area.code,
            maturity_level=area.maturity_level,
            capability_level=picked[area.code].target_capability_level if area.code in picked else 0,
            applicable=_in_scope(area, picked),
        )
        for area in areas
    ]
