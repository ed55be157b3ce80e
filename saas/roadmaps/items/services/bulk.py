"""Action items in bulk: one per practice an area still needs, and one change to many items."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from saas.accounts.models import User
from saas.catalog.models import Goal, Practice, PracticeKind
from saas.database import is_row_id
from saas.extensions import db
from saas.roadmaps.adoption.models import PracticeAssessment
from saas.roadmaps.items.models import ActionItem, ItemPriority, ItemStatus
from saas.roadmaps.items.services import items
from saas.roadmaps.planning.models import Roadmap, RoadmapArea
from saas.tenants.models import Tenant


def practices_below_target(*, roadmap_area: RoadmapArea) -> list[Practice]:
    """The practices an area still needs for its target level, in model order.

    The area's specific practices and the generic practices of levels 2..target, less those
    already assessed LI or FI in some service line of the roadmap. (A first cut: the rating
    engine's organisation-level roll-up may refine what "below target" means.)
    """
    area = roadmap_area.area
    specific = select(Practice).join(Goal).where(Practice.area_id == area.id)
    generic = (
        select(Practice)
        .join(Goal)
        .where(
            Practice.model_id == area.model_id,
            Practice.kind == PracticeKind.GENERIC,
            Practice.area_id.is_(None),
            Goal.capability_level.between(2, roadmap_area.target_capability_level),
        )
    )
    achieved = set(
        db.session.scalars(
            select(PracticeAssessment.practice_id).where(
                PracticeAssessment.tenant_id == roadmap_area.tenant_id,
                PracticeAssessment.roadmap_id == roadmap_area.roadmap_id,
                PracticeAssessment.area_id == area.id,
                PracticeAssessment.characterisation.in_(("LI", "FI")),
            )
        )
    )
    order = (Goal.position, Practice.position)
    practices = [
        *db.session.scalars(specific.order_by(*order)),
        *db.session.scalars(generic.order_by(*order)),
    ]
    return [practice for practice in practices if practice.id not in achieved]


def items_create_for_area(
    *,
    tenant: Tenant,
    actor: User | None,
    roadmap: Roadmap,
    area_code: str,
    assignee: User | None = None,
    due_on: date | None = None,
    priority: str = ItemPriority.MEDIUM,
) -> list[ActionItem]:
    """One item per practice of the area below target that has no open item in this roadmap yet."""
    roadmap_area = items.roadmap_area_resolve(roadmap, area_code)
    if roadmap_area is None:
        raise items.UnknownArea("Choose one of the roadmap's process areas.")
    covered = set(
        db.session.scalars(
            select(ActionItem.practice_id).where(
                ActionItem.tenant_id == tenant.id,
                ActionItem.roadmap_id == roadmap.id,
                ActionItem.status.in_(items.OPEN_STATUSES),
                ActionItem.practice_id.is_not(None),
            )
        )
    )
    code = roadmap_area.area.code
    return [
        items.item_create(
            tenant=tenant,
            actor=actor,
            roadmap=roadmap,
            title=f"{code} {practice.code}: {practice.title}",
            description=practice.summary,
            area_code=code,
            practice_code=practice.code,
            assignee=assignee,
            due_on=due_on,
            priority=priority,
        )
        for practice in practices_below_target(roadmap_area=roadmap_area)
        if practice.id not in covered
    ]


_KEEP: Any = object()


@dataclass(frozen=True)
class BulkResult:
    updated: int
    ignored: int  # ids that are not items of this tenant


def items_bulk_edit(
    *,
    tenant: Tenant,
    actor: User | None,
    item_ids: Iterable[int],
    assignee: User | None = _KEEP,
    due_on: date | None = _KEEP,
    status: str | None = None,
) -> BulkResult:
    """Set the assignee, due date and/or status of many items; ids of other tenants are ignored."""
    wanted = set(item_ids)
    real = {item_id for item_id in wanted if is_row_id(item_id)}
    if status is not None and status not in {s.value for s in ItemStatus}:
        raise items.InvalidStatus(f"Status must be one of: {', '.join(s.value for s in ItemStatus)}.")
    if assignee is not _KEEP:
        items.member_check(tenant, assignee)
    found = list(
        db.session.scalars(
            select(ActionItem)
            .where(ActionItem.tenant_id == tenant.id, ActionItem.id.in_(real))
            .order_by(ActionItem.number)
        )
    )
    for item in found:
        if assignee is not _KEEP:
            items.item_assign(tenant=tenant, actor=actor, item=item, assignee=assignee)
        if due_on is not _KEEP:
            items.item_update(tenant=tenant, actor=actor, item=item, due_on=due_on)
        if status is not None:
            items.item_set_status(tenant=tenant, actor=actor, item=item, status=status)
    return BulkResult(updated=len(found), ignored=len(wanted) - len(found))
