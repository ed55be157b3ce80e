"""What the assessment pages read: an area's grid in one line, and one practice with its history.

Each read runs a fixed number of queries on top of `roadmap_rating`, whatever the roadmap's size.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from saas.catalog.models import Practice
from saas.extensions import db
from saas.roadmaps.adoption.models import AssessmentChange, Evidence, PracticeAssessment
from saas.roadmaps.adoption.services.ratings import (
    AreaRating,
    GoalRating,
    PracticeRating,
    RoadmapRating,
    roadmap_rating,
)
from saas.roadmaps.planning.models import Roadmap, RoadmapArea, ServiceLine
from saas.tenants.models import Tenant

HISTORY_SHOWN = 100


@dataclass(frozen=True)
class GridRow:
    """One practice in one line: its ratings, the assessment row (None: never touched), evidence count."""

    practice: PracticeRating
    assessment: PracticeAssessment | None
    evidence_count: int


@dataclass(frozen=True)
class AssessmentGrid:
    """An area's assessment grid in one service line, with the roadmap's rating around it."""

    rating: RoadmapRating
    area: AreaRating
    line: ServiceLine
    rows: dict[int, GridRow]  # practice id -> row

    def row(self, practice: PracticeRating) -> GridRow:
        return self.rows[practice.practice.id]


def assessment_grid(*, roadmap: Roadmap, selected: RoadmapArea, line: ServiceLine) -> AssessmentGrid:
    """The area's practices in one covered line, each with its assessment and evidence count (twelve queries)."""
    result = roadmap_rating(roadmap=roadmap)
    area = result.area(selected.area.code)
    assert area is not None  # `selected` is one of the roadmap's areas
    assessments = {
        row.practice_id: row
        for row in db.session.scalars(
            select(PracticeAssessment)
            .where(
                PracticeAssessment.roadmap_id == roadmap.id,
                PracticeAssessment.tenant_id == roadmap.tenant_id,
                PracticeAssessment.service_line_id == line.id,
                PracticeAssessment.area_id == selected.area_id,
            )
            .options(joinedload(PracticeAssessment.updated_by))
        )
    }
    counts = evidence_counts(assessment_ids=[row.id for row in assessments.values()])
    rows = {
        practice.practice.id: GridRow(
            practice,
            assessments.get(practice.practice.id),
            counts.get(assessments[practice.practice.id].id, 0) if practice.practice.id in assessments else 0,
        )
        for practice in area.practices
    }
    return AssessmentGrid(result, area, line, rows)


def evidence_counts(*, assessment_ids: list[int]) -> dict[int, int]:
    """Assessment id -> number of evidence items (one query)."""
    if not assessment_ids:
        return {}
    rows = db.session.execute(
        select(Evidence.assessment_id, func.count(Evidence.id))
        .where(Evidence.assessment_id.in_(assessment_ids))
        .group_by(Evidence.assessment_id)
    )
    return dict(rows.all())


def assessment_counts_by_line(tenant: Tenant) -> dict[int, int]:
    """Service line id -> assessment rows it holds (one query); the planning package counts them
    before a line may be deleted."""
    rows = db.session.execute(
        select(PracticeAssessment.service_line_id, func.count(PracticeAssessment.id))
        .where(PracticeAssessment.tenant_id == tenant.id)
        .group_by(PracticeAssessment.service_line_id)
    )
    return dict(rows.all())


@dataclass(frozen=True)
class HistoryEntry:
    change: AssessmentChange
    line_name: str


@dataclass(frozen=True)
class PracticeDetail:
    """One practice of one area: its values per line, its goal, each line's assessment, and its history."""

    rating: RoadmapRating
    area: AreaRating
    goal: GoalRating
    practice: PracticeRating
    assessments: dict[int, PracticeAssessment]  # service line id -> row
    history: list[HistoryEntry]  # newest first, at most HISTORY_SHOWN


def practice_detail(*, roadmap: Roadmap, selected: RoadmapArea, practice: Practice) -> PracticeDetail:
    """Everything the practice page shows except evidence (a fixed number of queries)."""
    result = roadmap_rating(roadmap=roadmap)
    area = result.area(selected.area.code)
    assert area is not None
    goal, rated = next(
        (goal, item) for goal in area.goals for item in goal.practices if item.practice.id == practice.id
    )
    rows = db.session.scalars(
        select(PracticeAssessment)
        .where(
            PracticeAssessment.roadmap_id == roadmap.id,
            PracticeAssessment.tenant_id == roadmap.tenant_id,
            PracticeAssessment.area_id == selected.area_id,
            PracticeAssessment.practice_id == practice.id,
        )
        .options(joinedload(PracticeAssessment.updated_by))
    )
    return PracticeDetail(
        result,
        area,
        goal,
        rated,
        {row.service_line_id: row for row in rows},
        assessment_history(roadmap=roadmap, area_id=selected.area_id, practice_id=practice.id),
    )


def assessment_history(*, roadmap: Roadmap, area_id: int, practice_id: int) -> list[HistoryEntry]:
    """The practice's changes of value in every line, newest first (one query, at most HISTORY_SHOWN)."""
    rows = db.session.execute(
        select(AssessmentChange, ServiceLine.name)
        .join(PracticeAssessment, PracticeAssessment.id == AssessmentChange.assessment_id)
        .join(ServiceLine, ServiceLine.id == PracticeAssessment.service_line_id)
        .where(
            AssessmentChange.roadmap_id == roadmap.id,
            AssessmentChange.tenant_id == roadmap.tenant_id,
            PracticeAssessment.area_id == area_id,
            PracticeAssessment.practice_id == practice_id,
        )
        .options(joinedload(AssessmentChange.actor))
        .order_by(AssessmentChange.created_at.desc(), AssessmentChange.id.desc())
        .limit(HISTORY_SHOWN)
    )
    return [HistoryEntry(change, name) for change, name in rows]
