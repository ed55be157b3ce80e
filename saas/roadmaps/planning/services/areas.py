"""The process areas a roadmap selects, and each one's plan: target level, priority, phase, owner, rationale."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from saas.accounts.models import User
from saas.catalog import services as catalog
from saas.extensions import db
from saas.roadmaps.errors import (
    InvalidLevel,
    InvalidTarget,
    NotAMember,
    NotApplicableRefused,
    PhaseNotInRoadmap,
)
from saas.roadmaps.planning.models import Phase, Roadmap, RoadmapArea, TargetKind
from saas.roadmaps.planning.services.members import member_get
from saas.roadmaps.planning.services.phases import phase_get
from saas.roadmaps.planning.services.roadmaps import new_area
from saas.roadmaps.planning.services.selection import CAPABILITY_LEVELS, MATURITY_LEVELS, Pick, profile_picks
from saas.tenants.models import Tenant
from saas.tenants.services import audit

PRIORITIES = (1, 2, 3)  # 1 high, 2 medium, 3 low


def roadmap_area_get(*, roadmap: Roadmap, roadmap_area_id: int) -> RoadmapArea | None:
    """One selected area of this roadmap, or None (callers answer 404)."""
    return db.session.scalar(
        select(RoadmapArea)
        .where(
            RoadmapArea.id == roadmap_area_id,
            RoadmapArea.roadmap_id == roadmap.id,
            RoadmapArea.tenant_id == roadmap.tenant_id,
        )
        .options(joinedload(RoadmapArea.area))
    )


def roadmap_selection_set(
    *,
    tenant: Tenant,
    actor: User,
    roadmap: Roadmap,
    profile: Mapping[str, int],
    target_maturity_level: int | None = None,
) -> Roadmap:
    """Select exactly the areas of `profile` at its levels; kept areas keep their plan, others go.

    `target_maturity_level` changes the target of a maturity-level roadmap (ignored otherwise).
    """
    areas = catalog.area_list(roadmap.model)
    picks = profile_picks(areas, profile)
    if roadmap.target_kind == TargetKind.MATURITY_LEVEL and target_maturity_level is not None:
        roadmap.target_maturity_level = _checked_maturity_level(target_maturity_level)
    codes = {area.id: area.code for area in areas}
    existing = {selected.area_id: selected for selected in roadmap.areas}
    chosen = {pick.area.id for pick in picks}
    removed = sorted(codes[area_id] for area_id in existing if area_id not in chosen)
    added = [pick.area.code for pick in picks if pick.area.id not in existing]
    roadmap.areas = [
        _keep_or_add(tenant, existing.get(pick.area.id), pick, position)
        for position, pick in enumerate(sorted(picks, key=lambda pick: pick.area.suggested_order))
    ]
    db.session.flush()
    audit(
        tenant=tenant,
        actor=actor,
        action="roadmap.selection_changed",
        subject=roadmap,
        summary=_selection_summary(roadmap, added, removed),
        added=added,
        removed=removed,
    )
    return roadmap


def roadmap_area_update(
    *,
    tenant: Tenant,
    actor: User,
    roadmap: Roadmap,
    roadmap_area: RoadmapArea,
    target_capability_level: int,
    priority: int,
    phase_id: int | None,
    owner_id: int | None,
    rationale: str,
    not_applicable: bool = False,
) -> RoadmapArea:
    """Change one selected area's plan; the phase must be this roadmap's and the owner a member."""
    if target_capability_level not in CAPABILITY_LEVELS:
        raise InvalidLevel("Target capability levels are 1, 2 or 3.", field="target_capability_level")
    if priority not in PRIORITIES:
        raise InvalidLevel("Priority is 1 (high), 2 (medium) or 3 (low).", field="priority")
    if not_applicable and not roadmap_area.area.optional_in_staging:
        raise NotApplicableRefused(f"The model does not allow scoping {roadmap_area.area.code} out.")
    phase = _phase(roadmap, phase_id)
    owner = _owner(tenant, owner_id)
    roadmap_area.phase, roadmap_area.owner = phase, owner
    roadmap_area.target_capability_level = target_capability_level
    roadmap_area.priority = priority
    roadmap_area.rationale = rationale.strip()
    roadmap_area.not_applicable = not_applicable
    db.session.flush()
    audit(
        tenant=tenant,
        actor=actor,
        action="roadmap.area_updated",
        subject=roadmap,
        summary=f"Changed the plan for {roadmap_area.area.code} in “{roadmap.name}”",
        area=roadmap_area.area.code,
    )
    return roadmap_area


def roadmap_area_remove(*, tenant: Tenant, actor: User, roadmap: Roadmap, roadmap_area: RoadmapArea) -> None:
    """Drop an area from the roadmap; its action items stay, no longer tied to the area."""
    code = roadmap_area.area.code
    roadmap.areas.remove(roadmap_area)
    db.session.flush()
    audit(
        tenant=tenant,
        actor=actor,
        action="roadmap.area_removed",
        subject=roadmap,
        summary=f"Removed {code} from “{roadmap.name}”",
        area=code,
    )


def _checked_maturity_level(level: int) -> int:
    if level not in MATURITY_LEVELS:
        raise InvalidTarget("Choose a target maturity level from 2 to 5.")
    return level


def _phase(roadmap: Roadmap, phase_id: int | None) -> Phase | None:
    if phase_id is None:
        return None
    phase = phase_get(roadmap=roadmap, phase_id=phase_id)
    if phase is None:
        raise PhaseNotInRoadmap("Choose one of this roadmap's phases.")
    return phase


def _owner(tenant: Tenant, owner_id: int | None) -> User | None:
    if owner_id is None:
        return None
    owner = member_get(tenant=tenant, user_id=owner_id)
    if owner is None:
        raise NotAMember("The owner must be a member of this organisation.")
    return owner


def _keep_or_add(tenant: Tenant, selected: RoadmapArea | None, pick: Pick, position: int) -> RoadmapArea:
    if selected is None:
        return new_area(tenant, pick, position)
    selected.target_capability_level = pick.target_capability_level
    selected.position = position
    return selected


def _selection_summary(roadmap: Roadmap, added: list[str], removed: list[str]) -> str:
    parts = [f"added {', '.join(added)}"] if added else []
    parts += [f"removed {', '.join(removed)}"] if removed else []
    return f"Changed the selection of “{roadmap.name}”" + (f": {'; '.join(parts)}" if parts else " (levels)")
