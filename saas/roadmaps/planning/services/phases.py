"""Phases (waves) of a roadmap: dated steps that selected areas are placed into."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select

from saas.accounts.models import User
from saas.extensions import db
from saas.roadmaps.errors import AreaNotInRoadmap, RoadmapError
from saas.roadmaps.planning.models import Phase, Roadmap
from saas.roadmaps.planning.services.roadmaps import check_dates
from saas.tenants.models import Tenant
from saas.tenants.services import audit

NAME_LENGTH = 120


def phase_get(*, roadmap: Roadmap, phase_id: int) -> Phase | None:
    """A phase of this roadmap, or None: a phase of another roadmap or tenant is not found."""
    return db.session.scalar(
        select(Phase).where(
            Phase.id == phase_id, Phase.roadmap_id == roadmap.id, Phase.tenant_id == roadmap.tenant_id
        )
    )


def phase_create(
    *,
    tenant: Tenant,
    actor: User,
    roadmap: Roadmap,
    name: str,
    starts_on: date | None,
    ends_on: date | None,
    area_ids: Iterable[int] | None = None,
) -> Phase:
    """A new phase; `area_ids` (selected areas of this roadmap) are moved into it."""
    name = _clean_name(name)
    check_dates(starts_on, ends_on)
    phase = Phase(
        tenant=tenant, name=name, starts_on=starts_on, ends_on=ends_on, position=len(roadmap.phases)
    )
    roadmap.phases.append(phase)
    if area_ids is not None:
        _place_areas(roadmap, phase, area_ids)
    _order_by_start(roadmap)
    db.session.flush()
    audit(
        tenant=tenant,
        actor=actor,
        action="roadmap.phase_created",
        subject=roadmap,
        summary=f"Added phase “{phase.name}” to “{roadmap.name}”",
        phase_id=phase.id,
    )
    return phase


def phase_update(
    *,
    tenant: Tenant,
    actor: User,
    roadmap: Roadmap,
    phase: Phase,
    name: str,
    starts_on: date | None,
    ends_on: date | None,
    area_ids: Iterable[int] | None = None,
) -> Phase:
    """Rename or re-date a phase; `area_ids`, when given, become exactly the areas placed in it."""
    name = _clean_name(name)
    check_dates(starts_on, ends_on)
    if area_ids is not None:
        _place_areas(roadmap, phase, area_ids)
    phase.name, phase.starts_on, phase.ends_on = name, starts_on, ends_on
    _order_by_start(roadmap)
    db.session.flush()
    audit(
        tenant=tenant,
        actor=actor,
        action="roadmap.phase_updated",
        subject=roadmap,
        summary=f"Edited phase “{phase.name}” of “{roadmap.name}”",
        phase_id=phase.id,
    )
    return phase


def phase_delete(*, tenant: Tenant, actor: User, roadmap: Roadmap, phase: Phase) -> None:
    """Remove a phase; its areas stay selected, just no longer placed in a phase."""
    for selected in roadmap.areas:
        if selected.phase_id == phase.id:
            selected.phase = None
    roadmap.phases.remove(phase)
    _order_by_start(roadmap)
    db.session.flush()
    audit(
        tenant=tenant,
        actor=actor,
        action="roadmap.phase_deleted",
        subject=roadmap,
        summary=f"Removed phase “{phase.name}” from “{roadmap.name}”",
    )


def _clean_name(name: str) -> str:
    name = " ".join(name.split())[:NAME_LENGTH]
    if not name:
        raise RoadmapError("Give the phase a name.", field="name")
    return name


def _place_areas(roadmap: Roadmap, phase: Phase, area_ids: Iterable[int]) -> None:
    """Exactly these selected areas are in `phase` afterwards; ids of other roadmaps are refused."""
    wanted = set(area_ids)
    selected = {area.id: area for area in roadmap.areas}
    if wanted - selected.keys():
        raise AreaNotInRoadmap("Choose areas selected in this roadmap.")
    for area_id, area in selected.items():
        if area_id in wanted:
            area.phase = phase
        elif phase.id is not None and area.phase_id == phase.id:
            area.phase = None


def _order_by_start(roadmap: Roadmap) -> None:
    """Phases are waves in time: number them by start date (undated last, then as they were)."""
    ordered = sorted(
        roadmap.phases,
        key=lambda phase: (phase.starts_on is None, phase.starts_on or date.min, phase.position),
    )
    for position, phase in enumerate(ordered):
        phase.position = position
