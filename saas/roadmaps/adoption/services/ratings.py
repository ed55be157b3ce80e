"""The bridge from a roadmap's rows to the rating engine (saas/roadmaps/rating.py), and snapshots.

`roadmap_rating` reads everything in a fixed number of queries (the catalog, the selection,
the service lines, the assessments of every line, raises and judgements) and hands the engine
organisation-level values rolled up from the lines the roadmap covers.

What "current maturity level" means: the staged level the organisation would be rated at on
the evidence of this roadmap alone. Every area of the model is passed to the engine; areas
the roadmap does not select have no evidence here and count as not assessed, so a roadmap of
a few areas stays at ML1 until it covers every area of a level (its progress shows in the
areas' capability levels and in the gap). The one area the model lets an organisation scope
out (SSD) is out of scope when it is not selected or is marked not applicable. Assessments of
service lines the roadmap no longer covers, and of areas it no longer selects, are kept but
not counted.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from saas.catalog import services as catalog
from saas.catalog.models import Goal, Practice, ProcessArea
from saas.database import utcnow
from saas.extensions import db
from saas.roadmaps import rating
from saas.roadmaps.adoption.models import GoalJudgement, PracticeAssessment, PracticeRaise, RoadmapSnapshot
from saas.roadmaps.planning.models import Roadmap, RoadmapArea, ServiceLine, TargetKind
from saas.roadmaps.planning.services.roadmaps import roadmap_areas
from saas.roadmaps.planning.services.service_lines import roadmap_service_lines
from saas.tenants.clock import tenant_today

NOT_ASSESSED = "none"  # the count key of practices nobody has characterised yet
AreaPractice = tuple[int, int]  # (process area id, practice id)


@dataclass(frozen=True)
class PracticeRating:
    """A practice's organisation-level value, its value in each covered line and any recorded raise."""

    practice: Practice
    input: rating.PracticeInput
    by_line: dict[int, rating.Value]  # service line id -> value (None: not assessed)
    raise_record: PracticeRaise | None

    @property
    def value(self) -> rating.Value:
        return self.input.value

    @property
    def can_raise(self) -> bool:
        """The lines are in the judgement case (a PI/NI mix, not all NI), so PI may be raised to LI."""
        return rating.can_raise(self.by_line.values())

    @property
    def raised(self) -> bool:
        """A recorded raise is in force (it lapses while the lines are out of the judgement case)."""
        return self.raise_record is not None and self.can_raise

    @property
    def implemented(self) -> bool:
        return self.value is not None and self.value.implemented


@dataclass(frozen=True)
class GoalRating:
    """A goal of one area: its practices, the recorded judgement if any, and whether it is satisfied."""

    goal: Goal
    practices: list[PracticeRating]
    judgement: GoalJudgement | None
    input: rating.GoalInput

    @property
    def satisfied(self) -> bool:
        return self.input.satisfied

    @property
    def computed(self) -> bool:
        """What the practices alone say (every practice LI or FI), whatever the judgement."""
        return rating.goal_satisfied(practice.value for practice in self.practices)

    @property
    def implemented_count(self) -> int:
        return sum(practice.implemented for practice in self.practices)

    @property
    def generic(self) -> bool:
        return self.goal.area_id is None


@dataclass(frozen=True)
class AreaRating:
    """A selected area: its goals (specific, then the generic goals its target needs) and levels."""

    selected: RoadmapArea
    goals: list[GoalRating]
    input: rating.AreaInput
    capability: rating.Capability
    gap: rating.AreaGap | None  # what stops the area's own target capability level
    all_goals: dict[str, GoalRating]  # every goal by code, GG 3 included when not needed

    @property
    def area(self) -> ProcessArea:
        return self.selected.area

    @property
    def code(self) -> str:
        return self.selected.area.code

    @property
    def level(self) -> int:
        return self.capability.level

    @property
    def target(self) -> int:
        return self.selected.target_capability_level

    @property
    def applicable(self) -> bool:
        return not self.selected.not_applicable

    @property
    def on_target(self) -> bool:
        return self.level >= self.target

    @property
    def practices(self) -> list[PracticeRating]:
        """The practices assessed for this area: specific ones, then the needed generic ones."""
        return [practice for goal in self.goals for practice in goal.practices]

    @property
    def blockers(self) -> list[str]:
        """Plain-language lines naming what stops the area's target ("CL2 blocked: WP GG 2 (...)")."""
        return rating.describe_blockers([self.gap]) if self.gap else []

    def goal(self, code: str) -> GoalRating | None:
        return self.all_goals.get(code)


@dataclass(frozen=True)
class RoadmapRating:
    """A roadmap's areas rated, the maturity level reached and the gap to the roadmap's target."""

    roadmap: Roadmap
    lines: list[ServiceLine]
    areas: list[AreaRating]  # the selected areas in plan order
    maturity_level: int
    equivalent_staging: int
    target: str  # "ML3", or "profile" when each area has its own target level
    gaps: tuple[rating.AreaGap, ...]  # selected areas short of the target
    missing_areas: list[str]  # areas the target maturity level needs that the roadmap does not select
    blockers: list[str]

    @property
    def on_target(self) -> bool:
        return not self.gaps and not self.missing_areas

    @property
    def in_scope(self) -> list[AreaRating]:
        return [area for area in self.areas if area.applicable]

    def area(self, code: str) -> AreaRating | None:
        return next((area for area in self.areas if area.code == code), None)


@dataclass(frozen=True)
class _Rows:
    """What the roadmap's tables say, keyed for the builder."""

    lines: list[ServiceLine]
    values: dict[AreaPractice, dict[int, rating.Value]]
    raises: dict[AreaPractice, PracticeRaise]
    judgements: dict[tuple[int, int], GoalJudgement]


def roadmap_rating(*, roadmap: Roadmap) -> RoadmapRating:
    """Rate the roadmap from its rows in a fixed number of queries (eleven at most), whatever its size."""
    areas = catalog.areas_with_goals(roadmap.model)
    generic = {goal.capability_level: goal for goal in catalog.generic_goals(roadmap.model)}
    selected = {figure.area_id: figure for figure in roadmap_areas(roadmap=roadmap)}
    lines = roadmap_service_lines(roadmap=roadmap)
    rows = _Rows(lines, _line_values(roadmap, lines), _raises(roadmap), _judgements(roadmap))
    empty = _Rows(lines, {}, {}, {})
    goals = {area.id: _goal_ratings(area, generic, rows if area.id in selected else empty) for area in areas}
    inputs = {area.id: _area_input(area, goals[area.id], selected.get(area.id)) for area in areas}
    rated = [_area_rating(figure, goals[area_id], inputs[area_id]) for area_id, figure in selected.items()]
    target, gaps, missing = _gap(roadmap, inputs, selected)
    blockers = rating.describe_blockers(gaps, target=target if target != "profile" else None)
    blockers += [f"{target} blocked: {code} is not in this roadmap" for code in missing]
    return RoadmapRating(
        roadmap=roadmap,
        lines=lines,
        areas=rated,
        maturity_level=rating.maturity_level(inputs.values()),
        equivalent_staging=rating.equivalent_staging(rating.capability_profile(inputs.values())),
        target=target,
        gaps=gaps,
        missing_areas=missing,
        blockers=blockers,
    )


def needed_generic_levels(target_capability_level: int) -> range:
    """The generic goals an area's target needs, by the level they institutionalise: GG 2 for CL2, GG 2-3 for CL3."""
    return range(2, target_capability_level + 1)


def _goal_ratings(area: ProcessArea, generic: dict[int, Goal], rows: _Rows) -> dict[str, GoalRating]:
    """Every goal of the area by code: its specific goals, then GG 2 and GG 3."""
    goals = [*area.goals, generic[2], generic[3]]
    return {goal.code: _goal_rating(area, goal, rows) for goal in goals}


def _goal_rating(area: ProcessArea, goal: Goal, rows: _Rows) -> GoalRating:
    practices = [_practice_rating(area, practice, rows) for practice in goal.practices]
    judgement = rows.judgements.get((area.id, goal.id))
    verdict = judgement.satisfied if judgement is not None else None
    goal_input = rating.GoalInput(goal.code, tuple(practice.input for practice in practices), verdict)
    return GoalRating(goal, practices, judgement, goal_input)


def _practice_rating(area: ProcessArea, practice: Practice, rows: _Rows) -> PracticeRating:
    """Roll the covered lines up; every covered line is named, unassessed ones as None."""
    recorded = rows.values.get((area.id, practice.id), {})
    by_line = {line.id: recorded.get(line.id) for line in rows.lines}
    raise_record = rows.raises.get((area.id, practice.id))
    practice_input = rating.PracticeInput.from_lines(
        practice.code,
        {line.name: by_line[line.id] for line in rows.lines},
        recorded_raise=rating.Characterisation(raise_record.raised_to) if raise_record else None,
    )
    return PracticeRating(practice, practice_input, by_line, raise_record)


def _area_input(
    area: ProcessArea, goals: dict[str, GoalRating], selected: RoadmapArea | None
) -> rating.AreaInput:
    specific = tuple(goals[goal.code].input for goal in area.goals)
    return rating.AreaInput(
        code=area.code,
        maturity_level=area.maturity_level,
        specific_goals=specific,
        gg2=goals["GG 2"].input,
        gg3=goals["GG 3"].input,
        applicable=not selected.not_applicable if selected else not area.optional_in_staging,
    )


def _area_rating(
    selected: RoadmapArea, goals: dict[str, GoalRating], area_input: rating.AreaInput
) -> AreaRating:
    levels = needed_generic_levels(selected.target_capability_level)
    shown = [goal for goal in goals.values() if not goal.generic or goal.goal.capability_level in levels]
    gaps = rating.profile_gap([area_input], {area_input.code: selected.target_capability_level})
    return AreaRating(
        selected=selected,
        goals=shown,
        input=area_input,
        capability=rating.capability_level(area_input),
        gap=gaps[0] if gaps else None,
        all_goals=goals,
    )


def _gap(
    roadmap: Roadmap, inputs: dict[int, rating.AreaInput], selected: dict[int, RoadmapArea]
) -> tuple[str, tuple[rating.AreaGap, ...], list[str]]:
    """The target's label, the selected areas' gaps and the needed areas the roadmap lacks."""
    level = roadmap.target_maturity_level
    if roadmap.target_kind == TargetKind.MATURITY_LEVEL and level:
        gaps = rating.maturity_gap(inputs.values(), level)
        chosen = {inputs[area_id].code for area_id in selected}
        missing = [gap.area for gap in gaps if gap.area not in chosen]
        return f"ML{level}", tuple(gap for gap in gaps if gap.area in chosen), missing
    targets = {inputs[area_id].code: figure.target_capability_level for area_id, figure in selected.items()}
    return "profile", rating.profile_gap([inputs[area_id] for area_id in selected], targets), []


def _line_values(roadmap: Roadmap, lines: list[ServiceLine]) -> dict[AreaPractice, dict[int, rating.Value]]:
    """Each practice's characterisation per covered line (one query, bounded by practices x lines)."""
    rows = db.session.execute(
        select(
            PracticeAssessment.area_id,
            PracticeAssessment.practice_id,
            PracticeAssessment.service_line_id,
            PracticeAssessment.characterisation,
        ).where(
            PracticeAssessment.roadmap_id == roadmap.id,
            PracticeAssessment.tenant_id == roadmap.tenant_id,
            PracticeAssessment.service_line_id.in_([line.id for line in lines]),
        )
    )
    values: dict[AreaPractice, dict[int, rating.Value]] = defaultdict(dict)
    for area_id, practice_id, line_id, value in rows:
        values[(area_id, practice_id)][line_id] = rating.Characterisation(value) if value else None
    return values


def _raises(roadmap: Roadmap) -> dict[AreaPractice, PracticeRaise]:
    rows = db.session.scalars(
        select(PracticeRaise)
        .where(PracticeRaise.roadmap_id == roadmap.id, PracticeRaise.tenant_id == roadmap.tenant_id)
        .options(joinedload(PracticeRaise.actor))
    )
    return {(row.area_id, row.practice_id): row for row in rows}


def _judgements(roadmap: Roadmap) -> dict[tuple[int, int], GoalJudgement]:
    rows = db.session.scalars(
        select(GoalJudgement)
        .where(GoalJudgement.roadmap_id == roadmap.id, GoalJudgement.tenant_id == roadmap.tenant_id)
        .options(joinedload(GoalJudgement.actor))
    )
    return {(row.area_id, row.goal_id): row for row in rows}


# --- snapshots ---------------------------------------------------------------------------------


def snapshot_figures(result: RoadmapRating) -> dict[str, Any]:
    """Counts by characterisation and % at LI/FI over the in-scope areas' assessed practices, and the levels."""
    values = [practice.value for area in result.in_scope for practice in area.practices]
    counts = Counter(NOT_ASSESSED if value is None else value.value for value in values)
    implemented = counts["FI"] + counts["LI"]
    return {
        "counts": {key: counts[key] for key in (*rating.Characterisation, NOT_ASSESSED)},
        "practices": len(values),
        "implemented_percent": round(100 * implemented / len(values), 1) if values else 0.0,
        "maturity_level": result.maturity_level,
        "equivalent_staging": result.equivalent_staging,
        "areas": {area.code: {"level": area.level, "target": area.target} for area in result.in_scope},
    }


def snapshot_refresh(*, roadmap: Roadmap, result: RoadmapRating | None = None) -> dict[str, Any]:
    """Write today's figures of the roadmap (one row per roadmap per day; a later call replaces them)."""
    figures = snapshot_figures(result or roadmap_rating(roadmap=roadmap))
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(RoadmapSnapshot).values(
        tenant_id=roadmap.tenant_id,
        roadmap_id=roadmap.id,
        taken_on=tenant_today(roadmap.tenant),
        figures=figures,
        created_at=utcnow(),
    )
    # A concurrent first change of the day may insert the row too: the later write wins.
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["roadmap_id", "taken_on"],
            set_={"figures": statement.excluded.figures, "created_at": statement.excluded.created_at},
        )
    )
    return figures


def snapshot_list(*, roadmap: Roadmap) -> list[RoadmapSnapshot]:
    """The roadmap's daily snapshots, oldest first."""
    return list(
        db.session.scalars(
            select(RoadmapSnapshot)
            .where(RoadmapSnapshot.roadmap_id == roadmap.id, RoadmapSnapshot.tenant_id == roadmap.tenant_id)
            .order_by(RoadmapSnapshot.taken_on)
        )
    )
