"""The adoption matrix: practices (rows, by area and goal) x the service lines a roadmap covers.

Values come from `roadmap_rating`; one more query reads each cell's assessment id, evidence
count and newest evidence, and one the roadmap's phases for the filter. The number of queries
is the same whatever the number of areas, practices and lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from saas.extensions import db
from saas.roadmaps import rating
from saas.roadmaps.adoption.models import Evidence, PracticeAssessment
from saas.roadmaps.adoption.services.ratings import (
    NOT_ASSESSED,
    AreaRating,
    GoalRating,
    PracticeRating,
    RoadmapRating,
    roadmap_rating,
)
from saas.roadmaps.planning.models import Phase, Roadmap, ServiceLine
from saas.tenants.clock import tenant_zone

VALUE_CHOICES = (*rating.Characterisation, NOT_ASSESSED)  # what the characterisation filter accepts
CellKey = tuple[int, int, int]  # (area id, practice id, service line id)


@dataclass(frozen=True)
class Filters:
    """What the matrix is narrowed to; empty values show everything."""

    area: str = ""  # a selected area's code
    phase_id: int | None = None
    value: str = ""  # a characterisation, or NOT_ASSESSED, found in at least one line

    @classmethod
    def clean(cls, *, area: str | None, phase_id: int | None, value: str | None) -> Filters:
        """Normalised filters; unknown characterisations are dropped rather than refused."""
        value = (value or "").strip()
        value = value.upper() if value.upper() in rating.Characterisation.__members__ else value.lower()
        return cls((area or "").strip().upper(), phase_id, value if value in VALUE_CHOICES else "")

    @property
    def active(self) -> bool:
        return bool(self.area or self.phase_id or self.value)


@dataclass(frozen=True)
class Cell:
    """One practice in one line: its value, its assessment row (if any) and its evidence."""

    value: rating.Value
    assessment_id: int | None
    evidence_count: int
    evidence_age_days: int | None  # days since the newest evidence was added; None without evidence


@dataclass(frozen=True)
class Row:
    practice: PracticeRating
    cells: list[Cell]  # in the order of the matrix's lines

    @property
    def kind(self) -> str:
        """ "SP" or "GP"."""
        return self.practice.practice.code.split()[0]


@dataclass(frozen=True)
class GoalRows:
    goal: GoalRating
    rows: list[Row]


@dataclass(frozen=True)
class AreaRows:
    """One area's rows: specific goals, then the generic goals its target needs, kept apart."""

    area: AreaRating
    specific: list[GoalRows]
    generic: list[GoalRows]

    @property
    def row_count(self) -> int:
        return sum(len(goal.rows) for goal in (*self.specific, *self.generic))


@dataclass(frozen=True)
class AdoptionMatrix:
    rating: RoadmapRating
    lines: list[ServiceLine]
    areas: list[AreaRows]
    filters: Filters
    phases: list[Phase]
    total: int  # practices of the roadmap before filtering

    @property
    def shown(self) -> int:
        return sum(area.row_count for area in self.areas)


def adoption_matrix(*, roadmap: Roadmap, today: date, filters: Filters | None = None) -> AdoptionMatrix:
    """Every practice the selected areas are rated on, in each covered line (the rating's queries plus two)."""
    filters = filters or Filters()
    result = roadmap_rating(roadmap=roadmap)
    cells = _cells(roadmap, result.lines, today)
    areas = [
        _area_rows(area, result.lines, cells, filters.value)
        for area in result.areas
        if (not filters.area or area.code == filters.area)
        and (not filters.phase_id or area.selected.phase_id == filters.phase_id)
    ]
    phases = list(
        db.session.scalars(
            select(Phase)
            .where(Phase.roadmap_id == roadmap.id, Phase.tenant_id == roadmap.tenant_id)
            .order_by(Phase.position, Phase.id)
        )
    )
    return AdoptionMatrix(
        rating=result,
        lines=result.lines,
        areas=[area for area in areas if area.row_count],
        filters=filters,
        phases=phases,
        total=sum(len(area.practices) for area in result.areas),
    )


def _area_rows(
    area: AreaRating, lines: list[ServiceLine], cells: dict[CellKey, Cell], value: str
) -> AreaRows:
    goals = [_goal_rows(area, goal, lines, cells, value) for goal in area.goals]
    kept = [goal for goal in goals if goal.rows]
    return AreaRows(
        area,
        [goal for goal in kept if not goal.goal.generic],
        [goal for goal in kept if goal.goal.generic],
    )


def _goal_rows(
    area: AreaRating, goal: GoalRating, lines: list[ServiceLine], cells: dict[CellKey, Cell], value: str
) -> GoalRows:
    rows = []
    for practice in goal.practices:
        row = Row(practice, [_cell(area, practice, line, cells) for line in lines])
        if _matches(row, value):
            rows.append(row)
    return GoalRows(goal, rows)


def _cell(area: AreaRating, practice: PracticeRating, line: ServiceLine, cells: dict[CellKey, Cell]) -> Cell:
    """The line's value from the rating, with the stored row's evidence; an empty cell if never touched."""
    stored = cells.get((area.area.id, practice.practice.id, line.id))
    value = practice.by_line.get(line.id)
    if stored is None:
        return Cell(value, None, 0, None)
    return Cell(value, stored.assessment_id, stored.evidence_count, stored.evidence_age_days)


def _matches(row: Row, value: str) -> bool:
    """No value filter, or some line has that value (NOT_ASSESSED: some line is not assessed)."""
    if not value:
        return True
    wanted = None if value == NOT_ASSESSED else rating.Characterisation(value)
    return any(cell.value == wanted for cell in row.cells)


def _cells(roadmap: Roadmap, lines: list[ServiceLine], today: date) -> dict[CellKey, Cell]:
    """Each stored assessment of a covered line with its evidence count and newest evidence (one query)."""
    rows = db.session.execute(
        select(
            PracticeAssessment.id,
            PracticeAssessment.area_id,
            PracticeAssessment.practice_id,
            PracticeAssessment.service_line_id,
            func.count(Evidence.id),
            func.max(Evidence.created_at),
        )
        .outerjoin(Evidence, Evidence.assessment_id == PracticeAssessment.id)
        .where(
            PracticeAssessment.roadmap_id == roadmap.id,
            PracticeAssessment.tenant_id == roadmap.tenant_id,
            PracticeAssessment.service_line_id.in_([line.id for line in lines]),
        )
        .group_by(
            PracticeAssessment.id,
            PracticeAssessment.area_id,
            PracticeAssessment.practice_id,
            PracticeAssessment.service_line_id,
        )
    )
    zone = tenant_zone(roadmap.tenant)
    return {
        (area_id, practice_id, line_id): Cell(None, assessment_id, count, _age(newest, today, zone))
        for assessment_id, area_id, practice_id, line_id, count, newest in rows
    }


def _age(newest: datetime | None, today: date, zone: ZoneInfo) -> int | None:
    """Whole days from the newest evidence's day (in the tenant's time zone) to today."""
    return None if newest is None else max((today - newest.astimezone(zone).date()).days, 0)
