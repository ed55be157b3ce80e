"""What the adoption page and the readiness report show, built from `roadmap_rating` and snapshots.

Charts are Chart.js configurations (the page puts them in `data-chart`); the heatmap is plain
data for an HTML table; the readiness report is one row per practice, also written as CSV.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from saas.extensions import db
from saas.roadmaps.adoption.models import Evidence, PracticeAssessment
from saas.roadmaps.adoption.services.ratings import (
    AreaRating,
    GoalRating,
    PracticeRating,
    RoadmapRating,
    roadmap_rating,
    snapshot_list,
)
from saas.roadmaps.planning.models import Roadmap

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
GENERIC_CODES = ("GG 2", "GG 3")


# --- charts ------------------------------------------------------------------------------------


def _bar_chart(labels: list[str], datasets: list[dict[str, Any]], y: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "bar",
        "data": {"labels": labels, "datasets": datasets},
        "options": {"maintainAspectRatio": False, "scales": {"y": {"beginAtZero": True, **y}}},
    }


def profile_chart(result: RoadmapRating) -> dict[str, Any]:
    """Capability profile: each in-scope area's target and achieved capability level."""
    areas = result.in_scope
    return _bar_chart(
        [area.code for area in areas],
        [
            {"label": "Target", "data": [area.target for area in areas], "backgroundColor": "#c9d6e3"},
            {"label": "Achieved", "data": [area.level for area in areas], "backgroundColor": "#1f5f8b"},
        ],
        {"max": 3, "ticks": {"stepSize": 1}, "title": {"display": True, "text": "Capability level"}},
    )


def generic_percent(area: AreaRating, code: str) -> float | None:
    """% of the generic goal's practices at LI or FI in the area; None when its target does not need the goal."""
    goal = next((goal for goal in area.goals if goal.goal.code == code), None)
    if goal is None or not goal.practices:
        return None
    return round(100 * goal.implemented_count / len(goal.practices), 1)


def coverage_chart(result: RoadmapRating) -> dict[str, Any]:
    """Institutionalisation: the share of GG 2 and GG 3 practices at LI or FI, per area that needs them."""
    areas = [area for area in result.in_scope if area.target >= 2]
    return _bar_chart(
        [area.code for area in areas],
        [
            {
                "label": code,
                "data": [generic_percent(area, code) for area in areas],
                "backgroundColor": colour,
            }
            for code, colour in zip(GENERIC_CODES, ("#2e8b57", "#7b4fa0"), strict=True)
        ],
        {"max": 100, "title": {"display": True, "text": "% practices LI or FI"}},
    )


def trend_chart(*, roadmap: Roadmap) -> dict[str, Any] | None:
    """Adoption over time from the daily snapshots (None before the first one)."""
    snapshots = snapshot_list(roadmap=roadmap)
    if not snapshots:
        return None
    return {
        "type": "line",
        "data": {
            "labels": [snapshot.taken_on.isoformat() for snapshot in snapshots],
            "datasets": [
                {
                    "label": "% practices LI or FI",
                    "data": [snapshot.figures.get("implemented_percent", 0) for snapshot in snapshots],
                    "borderColor": "#1f5f8b",
                    "yAxisID": "y",
                },
                {
                    "label": "Maturity level",
                    "data": [snapshot.figures.get("maturity_level", 1) for snapshot in snapshots],
                    "borderColor": "#c0392b",
                    "stepped": True,
                    "yAxisID": "level",
                },
            ],
        },
        "options": {
            "maintainAspectRatio": False,
            "scales": {
                "y": {"beginAtZero": True, "max": 100, "title": {"display": True, "text": "%"}},
                "level": {"position": "right", "min": 1, "max": 5, "ticks": {"stepSize": 1}},
            },
        },
    }


# --- heatmap -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeatCell:
    """One goal of one area: how many of its practices are LI/FI, and the colour that says so."""

    code: str
    label: str
    css: str
    title: str


def heat_cell(goal: GoalRating | None, code: str) -> HeatCell:
    """Green satisfied, amber partly there, red assessed with nothing at LI/FI, light when nothing assessed."""
    if goal is None:
        return HeatCell(code, "", "bg-body-secondary", f"{code}: not needed for the target")
    done, total = goal.implemented_count, len(goal.practices)
    assessed = any(practice.value is not None for practice in goal.practices)
    if goal.satisfied:
        css = "text-bg-success"
    elif done:
        css = "text-bg-warning"
    else:
        css = "text-bg-danger" if assessed else "bg-light"
    state = "satisfied" if goal.satisfied else "unsatisfied"
    judged = " (by judgement)" if goal.judgement is not None else ""
    return HeatCell(
        code, f"{done}/{total}", css, f"{code}: {state}{judged}, {done} of {total} practices LI or FI"
    )


@dataclass(frozen=True)
class Heatmap:
    columns: list[str]  # "SG 1".."SG n", "GG 2", "GG 3"
    rows: list[tuple[AreaRating, list[HeatCell]]]


def heatmap(result: RoadmapRating) -> Heatmap:
    """Areas x goals: every specific goal column any area has, then the generic goals."""
    specific = sorted(
        {goal.goal.code for area in result.in_scope for goal in area.goals if not goal.generic},
        key=lambda code: int(code.split()[-1]),
    )
    columns = [*specific, *GENERIC_CODES]
    shown = {area.code: {goal.goal.code: goal for goal in area.goals} for area in result.in_scope}
    rows = [
        (area, [heat_cell(shown[area.code].get(code), code) for code in columns]) for area in result.in_scope
    ]
    return Heatmap(columns, rows)


# --- readiness ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadinessRow:
    """A practice of a selected area, with its notes per line, evidence count and whether it blocks."""

    area: AreaRating
    goal: GoalRating
    practice: PracticeRating
    notes: dict[int, str]  # service line id -> notes (non-empty only)
    evidence_count: int
    blocking: bool


@dataclass(frozen=True)
class Readiness:
    rating: RoadmapRating
    rows: list[ReadinessRow]

    def sections(self) -> list[tuple[AreaRating, list[ReadinessRow]]]:
        """The rows under their areas, in plan order."""
        return [(area, [row for row in self.rows if row.area is area]) for area in self.rating.areas]


def readiness(*, roadmap: Roadmap) -> Readiness:
    """Every practice the selected areas are rated on, in plan order (rating plus two queries)."""
    result = roadmap_rating(roadmap=roadmap)
    notes, evidence = _notes_and_evidence(roadmap)
    blocking = _blocking(result)
    rows = [
        ReadinessRow(
            area,
            goal,
            practice,
            notes.get((area.area.id, practice.practice.id), {}),
            evidence.get((area.area.id, practice.practice.id), 0),
            (area.code, goal.goal.code, practice.practice.code) in blocking,
        )
        for area in result.areas
        for goal in area.goals
        for practice in goal.practices
    ]
    return Readiness(result, rows)


def _blocking(result: RoadmapRating) -> set[tuple[str, str, str]]:
    """(area, goal, practice) below LI in a goal that stops an area's target or the roadmap's target."""
    gaps = [*result.gaps, *(area.gap for area in result.areas if area.gap)]
    return {
        (gap.area, goal.goal, practice.code)
        for gap in gaps
        for goal in gap.goals
        for practice in goal.practices
    }


def _notes_and_evidence(
    roadmap: Roadmap,
) -> tuple[dict[tuple[int, int], dict[int, str]], dict[tuple[int, int], int]]:
    """Notes per (area, practice) and line, and evidence counts per (area, practice) over all lines (two queries)."""
    where = (PracticeAssessment.roadmap_id == roadmap.id, PracticeAssessment.tenant_id == roadmap.tenant_id)
    notes: dict[tuple[int, int], dict[int, str]] = defaultdict(dict)
    rows = db.session.execute(
        select(
            PracticeAssessment.area_id,
            PracticeAssessment.practice_id,
            PracticeAssessment.service_line_id,
            PracticeAssessment.notes,
        ).where(*where, PracticeAssessment.notes != "")
    )
    for area_id, practice_id, line_id, text in rows:
        notes[(area_id, practice_id)][line_id] = text
    counts = db.session.execute(
        select(PracticeAssessment.area_id, PracticeAssessment.practice_id, func.count(Evidence.id))
        .join(Evidence, Evidence.assessment_id == PracticeAssessment.id)
        .where(*where)
        .group_by(PracticeAssessment.area_id, PracticeAssessment.practice_id)
    )
    return notes, {(area_id, practice_id): count for area_id, practice_id, count in counts}


def goal_verdict(goal: GoalRating) -> str:
    """ "Satisfied", "Unsatisfied", with "(judged)" when a recorded judgement decided it."""
    verdict = "Satisfied" if goal.satisfied else "Unsatisfied"
    return f"{verdict} (judged)" if goal.judgement is not None else verdict


def safe_cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run as a formula: text starting with = + - @ (or tab, CR) gets a '."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def readiness_csv(report: Readiness) -> str:
    """One header row, then one row per practice; a column per service line the roadmap covers."""
    lines = report.rating.lines
    header = [
        "Area",
        "Area name",
        "Target CL",
        "Capability level",
        "Goal",
        "Goal title",
        "Goal rating",
        "Judgement note",
        "Practice",
        "Practice title",
        "Organisation",
        *(line.name for line in lines),
        "Evidence",
        "Notes",
        "Blocking",
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(cell) for cell in header])
    writer.writerows([safe_cell(cell) for cell in _csv_row(row, lines)] for row in report.rows)
    return out.getvalue()


def _csv_row(row: ReadinessRow, lines: Iterable) -> list[object]:
    return [
        row.area.code,
        row.area.area.name,
        row.area.target,
        row.area.level,
        row.goal.goal.code,
        row.goal.goal.title,
        goal_verdict(row.goal),
        row.goal.judgement.note if row.goal.judgement else "",
        row.practice.practice.code,
        row.practice.practice.title,
        _value(row.practice.value) + (" (raised)" if row.practice.raised else ""),
        *(_value(row.practice.by_line.get(line.id)) for line in lines),
        row.evidence_count,
        notes_text(row, lines),
        "yes" if row.blocking else "",
    ]


def notes_text(row: ReadinessRow, lines: Iterable) -> str:
    """The notes of every line; prefixed with the line's name when the roadmap covers several."""
    lines = list(lines)
    if len(lines) == 1:
        return row.notes.get(lines[0].id, "")
    return " | ".join(f"{line.name}: {row.notes[line.id]}" for line in lines if line.id in row.notes)


def _value(value: object) -> str:
    return str(value) if value else "not assessed"
