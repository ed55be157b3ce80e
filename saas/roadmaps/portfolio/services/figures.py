"""The roadmap dashboard's figures: a fixed number of queries whatever the roadmap's size.

Levels, practice counts and what blocks the target come from the rating bridge alone
(services/ratings.py: rows bounded by the catalog, read once each), so the dashboard never
disagrees with the assessment pages; the forecast adds one read of the change history; action
items, which grow with use, are only ever counted with GROUP BY or read a few at a time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from saas.extensions import db
from saas.roadmaps.adoption.services import ratings
from saas.roadmaps.adoption.services.blockers import Blocker, blocker_summary, target_blockers
from saas.roadmaps.adoption.services.forecast import Forecast, readiness_forecast
from saas.roadmaps.adoption.services.ratings import NOT_ASSESSED, AreaRating
from saas.roadmaps.items.models import ActionItem, ItemStatus
from saas.roadmaps.planning.models import Phase, Roadmap
from saas.tenants.clock import tenant_today

OVERDUE_SHOWN = 5
MILESTONES_SHOWN = 4


@dataclass(frozen=True)
class Milestone:
    on: date
    label: str


@dataclass(frozen=True)
class RoadmapFigures:
    """Everything the dashboard shows about one roadmap."""

    current_maturity_level: int
    areas: list[AreaRating]  # the selected areas in plan order, each with its current capability level
    practice_counts: dict[str, int]  # FI, LI, PI, NI, NY and NOT_ASSESSED -> number of practices
    item_counts: dict[str, int]  # every ItemStatus value -> number of items
    overdue_count: int
    overdue_items: list[ActionItem]
    milestones: list[Milestone]
    blockers: list[Blocker]  # what stops the roadmap's target, by goal and service line
    forecast: Forecast

    @property
    def blocker_summary(self) -> str:
        return blocker_summary(self.blockers)

    @property
    def items_total(self) -> int:
        return sum(self.item_counts.values())

    @property
    def items_done_percent(self) -> int:
        return round(100 * self.item_counts[ItemStatus.DONE] / self.items_total) if self.items_total else 0

    @property
    def practices_total(self) -> int:
        return sum(self.practice_counts.values())

    @property
    def areas_in_scope(self) -> list[AreaRating]:
        return [area for area in self.areas if area.applicable]

    @property
    def areas_on_target(self) -> int:
        return sum(area.on_target for area in self.areas_in_scope)


def roadmap_figures(*, roadmap: Roadmap, today: date | None = None) -> RoadmapFigures:
    """The dashboard of `roadmap`: the rating's queries plus four, however many items it has."""
    today = today or tenant_today(roadmap.tenant)
    rated = ratings.roadmap_rating(roadmap=roadmap)
    item_counts, overdue_count = _item_counts(roadmap, today)
    return RoadmapFigures(
        current_maturity_level=rated.maturity_level,
        areas=rated.areas,
        practice_counts=ratings.snapshot_figures(rated)["counts"],
        item_counts=item_counts,
        overdue_count=overdue_count,
        overdue_items=_overdue_items(roadmap, today) if overdue_count else [],
        milestones=_milestones(roadmap, today),
        blockers=target_blockers(rated),
        forecast=readiness_forecast(roadmap=roadmap, today=today, result=rated),
    )


def practice_count_labels(roadmap: Roadmap) -> Mapping[str, str]:
    """Display names of the practice-count keys, from the model's characterisation scale."""
    names = {item["code"]: item["name"] for item in roadmap.model.scales.get("characterisations", [])}
    return {**names, NOT_ASSESSED: "Not assessed"}


def _items_of(roadmap: Roadmap) -> tuple:
    return (ActionItem.roadmap_id == roadmap.id, ActionItem.tenant_id == roadmap.tenant_id)


def _overdue(today: date):
    return and_(ActionItem.due_on < today, ActionItem.status != ItemStatus.DONE)


def _item_counts(roadmap: Roadmap, today: date) -> tuple[dict[str, int], int]:
    """Items per status and how many are overdue (one GROUP BY query)."""
    rows = db.session.execute(
        select(
            ActionItem.status, func.count(ActionItem.id), func.count(ActionItem.id).filter(_overdue(today))
        )
        .where(*_items_of(roadmap))
        .group_by(ActionItem.status)
    ).all()
    counts = {status.value: 0 for status in ItemStatus} | {status: count for status, count, _ in rows}
    return counts, sum(overdue for _, _, overdue in rows)


def _overdue_items(roadmap: Roadmap, today: date) -> list[ActionItem]:
    """The longest-overdue few, with their assignees (one query)."""
    return list(
        db.session.scalars(
            select(ActionItem)
            .where(*_items_of(roadmap), _overdue(today))
            .options(joinedload(ActionItem.assignee))
            .order_by(ActionItem.due_on, ActionItem.number)
            .limit(OVERDUE_SHOWN)
        )
    )


def _milestones(roadmap: Roadmap, today: date) -> list[Milestone]:
    """The next phase ends and the roadmap's own end, soonest first (one query)."""
    phases = db.session.scalars(
        select(Phase).where(
            Phase.roadmap_id == roadmap.id, Phase.tenant_id == roadmap.tenant_id, Phase.ends_on >= today
        )
    )
    milestones = [Milestone(phase.ends_on, f"End of {phase.name}") for phase in phases]
    if roadmap.ends_on and roadmap.ends_on >= today:
        milestones.append(Milestone(roadmap.ends_on, "Roadmap ends"))
    return sorted(milestones, key=lambda milestone: milestone.on)[:MILESTONES_SHOWN]
