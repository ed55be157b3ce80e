"""Roadmap rules: create (three ways), edit, select areas, archive, duplicate and delete.

Every function takes the tenant and the acting user explicitly, resolves ids that arrive in
a payload through tenant-scoped lookups, adds and flushes (the caller commits once) and
records the change in the audit trail.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from saas.accounts.models import User
from saas.billing.entitlements import roadmap_limit_check
from saas.catalog import services as catalog
from saas.catalog.models import CatalogModel, ProcessArea
from saas.extensions import db
from saas.roadmaps.errors import (
    CatalogMissing,
    DatesOutOfOrder,
    NameTaken,
    NotAllowed,
)
from saas.roadmaps.planning.models import (
    Phase,
    Roadmap,
    RoadmapArea,
    RoadmapServiceLine,
    RoadmapStatus,
    TargetKind,
)
from saas.roadmaps.planning.services.selection import Pick, resolve_selection
from saas.roadmaps.planning.services.service_lines import roadmap_link_lines, service_lines_resolve
from saas.tenants.models import Tenant
from saas.tenants.permissions import Role
from saas.tenants.services import audit, membership_get

NAME_LENGTH = 120
DELETING_ROLES = frozenset({Role.OWNER, Role.PROGRAM_MANAGER})


# --- reads ------------------------------------------------------------------------------------


def roadmap_get(*, tenant: Tenant, roadmap_id: int) -> Roadmap | None:
    """The roadmap with this id in this tenant, or None (callers answer 404)."""
    return db.session.scalar(select(Roadmap).where(Roadmap.tenant_id == tenant.id, Roadmap.id == roadmap_id))


@dataclass(frozen=True)
class RoadmapPage:
    """One page of a tenant's roadmaps, with the number of areas each selects."""

    roadmaps: list[Roadmap]
    area_counts: dict[int, int]
    page: int
    pages: int
    total: int


def roadmap_list(*, tenant: Tenant, status: RoadmapStatus, page: int = 1, per_page: int = 20) -> RoadmapPage:
    """The tenant's roadmaps of one status, newest first (three queries)."""
    where = (Roadmap.tenant_id == tenant.id, Roadmap.status == status)
    total = db.session.scalar(select(func.count(Roadmap.id)).where(*where)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    roadmaps = list(
        db.session.scalars(
            select(Roadmap)
            .where(*where)
            .order_by(Roadmap.created_at.desc(), Roadmap.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    counts = db.session.execute(
        select(RoadmapArea.roadmap_id, func.count(RoadmapArea.id))
        .where(RoadmapArea.roadmap_id.in_([roadmap.id for roadmap in roadmaps]))
        .group_by(RoadmapArea.roadmap_id)
    )
    return RoadmapPage(roadmaps, dict(counts.all()), page, pages, total)


def roadmap_status_counts(*, tenant: Tenant) -> dict[str, int]:
    """How many roadmaps the tenant has per status (for the list's tabs)."""
    rows = db.session.execute(
        select(Roadmap.status, func.count(Roadmap.id))
        .where(Roadmap.tenant_id == tenant.id)
        .group_by(Roadmap.status)
    )
    return {status.value: 0 for status in RoadmapStatus} | dict(rows.all())


def roadmap_areas(*, roadmap: Roadmap) -> list[RoadmapArea]:
    """The roadmap's areas in plan order, with catalog area, phase and owner loaded (one query)."""
    return list(
        db.session.scalars(
            select(RoadmapArea)
            .where(RoadmapArea.roadmap_id == roadmap.id, RoadmapArea.tenant_id == roadmap.tenant_id)
            .options(
                joinedload(RoadmapArea.area), joinedload(RoadmapArea.phase), joinedload(RoadmapArea.owner)
            )
            .order_by(RoadmapArea.position, RoadmapArea.id)
        )
    )


def catalog_model() -> CatalogModel:
    """The improvement model new roadmaps follow (CMMI-SVC v1.3)."""
    model = catalog.model_get()
    if model is None:
        raise CatalogMissing("The CMMI-SVC catalogue is not loaded; ask your administrator to load it.")
    return model


def catalog_areas(model: CatalogModel) -> list[ProcessArea]:
    """The model's areas in suggested order (the order to take them on)."""
    return sorted(catalog.area_list(model), key=lambda area: area.suggested_order)


def can_delete_roadmap(role: Role | str) -> bool:
    """Deleting loses every item and assessment, so only owners and program managers may."""
    return Role(role) in DELETING_ROLES


# --- roadmaps -------------------------------------------------------------------------------


def roadmap_create(
    *,
    tenant: Tenant,
    actor: User,
    name: str,
    target_kind: str,
    target_maturity_level: int | None = None,
    profile: Mapping[str, int] | None = None,
    area_codes: Iterable[str] | None = None,
    include_ssd: bool = False,
    starts_on: date | None,
    ends_on: date | None,
    service_line_ids: Iterable[int] | None = None,
    description: str = "",
) -> Roadmap:
    """A roadmap from a target maturity level, a capability profile or a free choice of areas.

    Names are unique per tenant; the roadmap covers the given service lines, or the tenant's
    default line (created on first use).
    """
    _check_roadmap_limit(tenant)
    name = _free_name(tenant=tenant, name=name)
    check_dates(starts_on, ends_on)
    model = catalog_model()
    picks = resolve_selection(
        catalog.area_list(model),
        target_kind=target_kind,
        target_maturity_level=target_maturity_level,
        profile=profile,
        area_codes=area_codes,
        include_ssd=include_ssd,
    )
    lines = service_lines_resolve(tenant=tenant, actor=actor, ids=service_line_ids)
    kind = TargetKind(target_kind)
    roadmap = Roadmap(
        tenant=tenant,
        model=model,
        name=name,
        description=description.strip(),
        target_kind=kind,
        target_maturity_level=target_maturity_level if kind is TargetKind.MATURITY_LEVEL else None,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
    )
    roadmap.areas = [new_area(tenant, pick, position) for position, pick in enumerate(picks)]
    roadmap.service_line_links = [RoadmapServiceLine(tenant=tenant, service_line=line) for line in lines]
    db.session.add(roadmap)
    db.session.flush()
    audit(
        tenant=tenant,
        actor=actor,
        action="roadmap.created",
        subject=roadmap,
        summary=f"Created roadmap “{roadmap.name}” ({target_label(roadmap)}, {len(picks)} areas)",
        areas=[pick.area.code for pick in picks],
    )
    return roadmap


def roadmap_update(
    *,
    tenant: Tenant,
    actor: User,
    roadmap: Roadmap,
    name: str,
    description: str,
    starts_on: date | None,
    ends_on: date | None,
    service_line_ids: Iterable[int] | None = None,
) -> Roadmap:
    """Rename, describe and re-date a roadmap; `service_line_ids` (when given) replaces the lines covered."""
    name = _free_name(tenant=tenant, name=name, roadmap=roadmap)
    check_dates(starts_on, ends_on)
    coverage = ""
    if service_line_ids is not None:
        lines = service_lines_resolve(tenant=tenant, actor=actor, ids=service_line_ids, required=True)
        coverage = roadmap_link_lines(roadmap, lines)
    roadmap.name = name
    roadmap.description = description.strip()
    roadmap.starts_on, roadmap.ends_on = starts_on, ends_on
    db.session.flush()
    audit(
        tenant=tenant,
        actor=actor,
        action="roadmap.updated",
        subject=roadmap,
        summary=f"Edited “{roadmap.name}”{coverage}",
    )
    return roadmap


def roadmap_archive(*, tenant: Tenant, actor: User, roadmap: Roadmap) -> Roadmap:
    """Move the roadmap to the archive (out of the active list; nothing is lost)."""
    return _set_status(tenant=tenant, actor=actor, roadmap=roadmap, status=RoadmapStatus.ARCHIVED)


def roadmap_restore(*, tenant: Tenant, actor: User, roadmap: Roadmap) -> Roadmap:
    """Bring an archived roadmap back to the active list, within the plan's limit."""
    _check_roadmap_limit(tenant)
    return _set_status(tenant=tenant, actor=actor, roadmap=roadmap, status=RoadmapStatus.ACTIVE)


def roadmap_duplicate(*, tenant: Tenant, actor: User, roadmap: Roadmap) -> Roadmap:
    """A new active roadmap with the same areas, phases and service lines; items and assessments stay behind."""
    _check_roadmap_limit(tenant)
    copy = Roadmap(
        tenant=tenant,
        model_id=roadmap.model_id,
        name=_copy_name(tenant=tenant, name=roadmap.name),
        description=roadmap.description,
        target_kind=roadmap.target_kind,
        target_maturity_level=roadmap.target_maturity_level,
        starts_on=roadmap.starts_on,
        ends_on=roadmap.ends_on,
        created_by=actor,
    )
    phases = {phase.id: _copy_phase(tenant, phase) for phase in roadmap.phases}
    copy.phases = list(phases.values())
    copy.areas = [_copy_area(tenant, selected, phases) for selected in roadmap.areas]
    copy.service_line_links = [
        RoadmapServiceLine(tenant=tenant, service_line_id=link.service_line_id)
        for link in roadmap.service_line_links
    ]
    db.session.add(copy)
    db.session.flush()
    audit(
        tenant=tenant,
        actor=actor,
        action="roadmap.duplicated",
        subject=copy,
        summary=f"Duplicated “{roadmap.name}” as “{copy.name}”",
        source_id=roadmap.id,
    )
    return copy


def roadmap_delete(*, tenant: Tenant, actor: User, roadmap: Roadmap) -> None:
    """Delete the roadmap with its items and assessments; owners and program managers only."""
    membership = membership_get(tenant=tenant, user=actor)
    if membership is None or not can_delete_roadmap(membership.role):
        raise NotAllowed("Only owners and program managers may delete a roadmap.")
    audit(
        tenant=tenant,
        actor=actor,
        actor_role=membership.role,
        action="roadmap.deleted",
        subject=roadmap,
        summary=f"Deleted roadmap “{roadmap.name}”",
    )
    db.session.delete(roadmap)
    db.session.flush()


def _check_roadmap_limit(tenant: Tenant) -> None:
    """The plan caps active roadmaps (billing raises PlanLimitReached with an upgrade link)."""
    active = roadmap_status_counts(tenant=tenant)[RoadmapStatus.ACTIVE.value]
    roadmap_limit_check(tenant, active_roadmaps=active)


def target_label(roadmap: Roadmap) -> str:
    """ "ML3", "capability profile" or "free choice": how the roadmap sets its target."""
    if roadmap.target_kind == TargetKind.MATURITY_LEVEL:
        return f"ML{roadmap.target_maturity_level}"
    return TargetKind(roadmap.target_kind).value.replace("_", " ")


# --- helpers -------------------------------------------------------------------------------


def check_dates(starts_on: date | None, ends_on: date | None) -> None:
    if starts_on and ends_on and ends_on < starts_on:
        raise DatesOutOfOrder("The end date is before the start date.")


def _free_name(*, tenant: Tenant, name: str, roadmap: Roadmap | None = None) -> str:
    """The cleaned name, refused if another roadmap of the tenant already has it."""
    name = " ".join(name.split())[:NAME_LENGTH]
    if not name:
        raise NameTaken("Give the roadmap a name.")
    clash = select(Roadmap.id).where(Roadmap.tenant_id == tenant.id, Roadmap.name == name)
    if roadmap is not None:
        clash = clash.where(Roadmap.id != roadmap.id)
    if db.session.scalar(clash) is not None:
        raise NameTaken(f"There is already a roadmap called “{name}”.")
    return name


def _copy_name(*, tenant: Tenant, name: str) -> str:
    """“Name (copy)”, or “Name (copy 2)”, 3... : the first that is free, cut to fit the column."""
    taken = set(
        db.session.scalars(
            select(Roadmap.name).where(Roadmap.tenant_id == tenant.id, Roadmap.name.startswith(name[:60]))
        )
    )
    number = 1
    while True:
        suffix = " (copy)" if number == 1 else f" (copy {number})"
        candidate = name[: NAME_LENGTH - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        number += 1


def new_area(tenant: Tenant, pick: Pick, position: int) -> RoadmapArea:
    return RoadmapArea(
        tenant=tenant,
        area=pick.area,
        target_capability_level=pick.target_capability_level,
        not_applicable=pick.not_applicable,
        position=position,
    )


def _set_status(*, tenant: Tenant, actor: User, roadmap: Roadmap, status: RoadmapStatus) -> Roadmap:
    roadmap.status = status
    db.session.flush()
    verb = "archived" if status is RoadmapStatus.ARCHIVED else "restored"
    audit(
        tenant=tenant,
        actor=actor,
        action=f"roadmap.{verb}",
        subject=roadmap,
        summary=f"{verb.capitalize()} “{roadmap.name}”",
    )
    return roadmap


def _copy_phase(tenant: Tenant, phase: Phase) -> Phase:
    return Phase(
        tenant=tenant,
        name=phase.name,
        starts_on=phase.starts_on,
        ends_on=phase.ends_on,
        position=phase.position,
    )


def _copy_area(tenant: Tenant, selected: RoadmapArea, phases: Mapping[int, Phase]) -> RoadmapArea:
    return RoadmapArea(
        tenant=tenant,
        area_id=selected.area_id,
        target_capability_level=selected.target_capability_level,
        priority=selected.priority,
        phase=phases.get(selected.phase_id) if selected.phase_id else None,
        owner_id=selected.owner_id,
        rationale=selected.rationale,
        not_applicable=selected.not_applicable,
        position=selected.position,
    )
