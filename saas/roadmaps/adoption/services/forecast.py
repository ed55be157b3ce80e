"""Readiness forecast: when a roadmap's target is projected to be reached at the current pace.

Method (the pages state it in these words, see METHOD): at the end of each week, counting back
from today to the first recorded change of characterisation, count the practices the target
needs that were LI or FI at organisation level (the lines the roadmap covers today, rolled up by
the same rules as the rating, raises counted from the day they were recorded); fit a straight
line through those weekly counts by least squares; the forecast is the day that line reaches
the number of practices the target needs. Under four weeks of history there is not enough to go
on, and a flat or falling line means no progress at the current pace.

Past values come from the change history (AssessmentChange): starting from today's values, each
later change is undone, so rows written without history count as they are today.
`readiness_forecast` only reads (the rating's queries plus one) and is safe to call from jobs
such as the weekly digest.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from saas.extensions import db
from saas.roadmaps import rating
from saas.roadmaps.adoption.models import AssessmentChange, PracticeAssessment
from saas.roadmaps.adoption.services.ratings import PracticeRating, RoadmapRating, roadmap_rating
from saas.roadmaps.planning.models import Roadmap
from saas.tenants.clock import tenant_zone

MIN_HISTORY_DAYS = 28
METHOD = (
    "Each week, counting back from today to the first recorded characterisation, we count the practices "
    "the target needs that were LI or FI for the organisation as a whole (the service lines rolled up as "
    "in the ratings). A straight line is fitted through those weekly counts by least squares, and the "
    "forecast is the day that line reaches the number of practices the target needs. It needs at least "
    "four weeks of history, and it says so when the line is flat or falling."
)
Key = tuple[int, int]  # (process area id, practice id)


class ForecastStatus(StrEnum):
    PROJECTED = "projected"
    REACHED = "reached"
    NOT_ENOUGH_HISTORY = "not_enough_history"
    NO_PROGRESS = "no_progress"
    NOTHING_TO_FORECAST = "nothing_to_forecast"


@dataclass(frozen=True)
class WeekPoint:
    """The number of needed practices at LI or FI at the end of one day."""

    on: date
    implemented: int


@dataclass(frozen=True)
class Forecast:
    """The projection and what it rests on; `message` says it in one sentence."""

    target: str  # "ML3", or "profile"
    status: ForecastStatus
    required: int  # practices the target needs
    current: int  # of them LI or FI today
    points: tuple[WeekPoint, ...] = ()  # oldest first
    per_week: float | None = None  # the fitted line's slope
    intercept: float | None = None  # the fitted line's value at the first point
    projected_on: date | None = None

    @property
    def label(self) -> str:
        return "the target profile" if self.target == "profile" else self.target

    @property
    def history_days(self) -> int:
        return (self.points[-1].on - self.points[0].on).days if self.points else 0

    @property
    def message(self) -> str:
        """The forecast in plain words, for the dashboard and the digest."""
        if self.status is ForecastStatus.PROJECTED:
            return (
                f"At the current pace (about {self.per_week:.1f} practices a week), {self.label} "
                f"is projected for {self.projected_on.day} {self.projected_on:%B %Y}."
            )
        if self.status is ForecastStatus.REACHED:
            return f"Every practice {self.label} needs is LI or FI."
        if self.status is ForecastStatus.NO_PROGRESS:
            return "No progress at the current pace: the weekly count of practices at LI or FI is not rising."
        if self.status is ForecastStatus.NOT_ENOUGH_HISTORY:
            return "Not enough history yet: the forecast needs four weeks of characterisations."
        return f"Nothing to forecast: this roadmap assesses no practice that {self.label} needs."


@dataclass(frozen=True)
class Change:
    """One change of value of a practice in a line: enough to undo it."""

    at: datetime
    key: Key
    line_id: int
    from_value: rating.Value


def readiness_forecast(*, roadmap: Roadmap, today: date, result: RoadmapRating | None = None) -> Forecast:
    """The roadmap's forecast on `today` (the tenant's date); pass `result` to reuse a rating already read."""
    result = result or roadmap_rating(roadmap=roadmap)
    scope = scope_practices(result)
    required, current = len(scope), sum(practice.implemented for practice in scope.values())
    if not required:
        return Forecast(result.target, ForecastStatus.NOTHING_TO_FORECAST, 0, 0)
    if current >= required:
        return Forecast(result.target, ForecastStatus.REACHED, required, current)
    changes = _changes(roadmap, result, scope)
    zone = tenant_zone(roadmap.tenant)
    first = min((change.at for change in changes), default=None)
    if first is None or (today - first.astimezone(zone).date()).days < MIN_HISTORY_DAYS:
        return Forecast(result.target, ForecastStatus.NOT_ENOUGH_HISTORY, required, current)
    days = week_ends(today, first.astimezone(zone).date())
    points = weekly_counts(scope, changes, days, zone)
    return project(result.target, required, points)


def scope_practices(result: RoadmapRating) -> dict[Key, PracticeRating]:
    """The practices the target needs that the roadmap assesses: for a maturity level, its in-scope areas up to that level."""
    level = result.roadmap.target_maturity_level if result.target != "profile" else None
    return {
        (area.area.id, practice.practice.id): practice
        for area in result.in_scope
        if level is None or area.area.maturity_level <= level
        for practice in area.practices
    }


def week_ends(today: date, first: date) -> list[date]:
    """Today and every seventh day before it, back to `first`; oldest first."""
    weeks = (today - first).days // 7
    return [today - timedelta(days=7 * back) for back in range(weeks, -1, -1)]


def weekly_counts(
    scope: Mapping[Key, PracticeRating], changes: Sequence[Change], days: Sequence[date], zone: ZoneInfo
) -> list[WeekPoint]:
    """The needed practices at LI or FI at the end of each day in `days` (oldest first), undoing later changes.

    Walks back from today; only the practices a change or a raise touches are rolled up again.
    """
    values = {key: dict(practice.by_line) for key, practice in scope.items()}
    raised = {
        key: practice.raise_record.created_at for key, practice in scope.items() if practice.raise_record
    }
    undo = sorted(changes, key=lambda change: change.at, reverse=True)
    implemented: dict[Key, bool] = {}
    points, position = [], 0
    for day in reversed(days):
        cutoff = datetime.combine(day + timedelta(days=1), time(), zone).astimezone(UTC)
        dirty = set(values) if not implemented else {key for key, at in raised.items() if at >= cutoff}
        while position < len(undo) and undo[position].at >= cutoff:
            change = undo[position]
            values[change.key][change.line_id] = change.from_value
            dirty.add(change.key)
            position += 1
        for key in dirty:
            implemented[key] = _implemented(values[key].values(), raised.get(key), cutoff)
        points.append(WeekPoint(day, sum(implemented.values())))
    return points[::-1]


def _implemented(values: Iterable[rating.Value], raised_at: datetime | None, cutoff: datetime) -> bool:
    """The organisation-level value is LI or FI, with a raise counted once it was recorded."""
    values = list(values)
    raised_to = (
        rating.LI if raised_at is not None and raised_at < cutoff and rating.can_raise(values) else None
    )
    value = rating.aggregate(values, raised_to)
    return value is not None and value.implemented


def linear_fit(points: Sequence[WeekPoint]) -> tuple[float, float]:
    """Least squares through (weeks since the first point, count): (slope per week, value at the first point)."""
    xs = [(point.on - points[0].on).days / 7 for point in points]
    ys = [point.implemented for point in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread if spread else 0.0
    return slope, mean_y - slope * mean_x


def project(target: str, required: int, points: Sequence[WeekPoint]) -> Forecast:
    """The day the fitted line reaches `required` (never before tomorrow); no progress if it does not rise."""
    slope, intercept = linear_fit(points)
    current = points[-1].implemented
    base = {"points": tuple(points), "per_week": slope, "intercept": intercept}
    if slope <= 0:
        return Forecast(target, ForecastStatus.NO_PROGRESS, required, current, **base)
    days = math.ceil((required - intercept) / slope * 7)
    projected = max(points[0].on + timedelta(days=days), points[-1].on + timedelta(days=1))
    return Forecast(target, ForecastStatus.PROJECTED, required, current, **base, projected_on=projected)


def forecast_chart(forecast: Forecast) -> dict[str, Any] | None:
    """Chart.js: the weekly counts, the fitted line up to the forecast, and the number needed (None without points)."""
    if not forecast.points:
        return None
    first = forecast.points[0].on
    end = forecast.projected_on or forecast.points[-1].on
    labels = [point.on.isoformat() for point in forecast.points]
    if end > forecast.points[-1].on:
        labels.append(end.isoformat())

    def fitted(on: str) -> float:
        return round(
            (forecast.intercept or 0) + (forecast.per_week or 0) * (date.fromisoformat(on) - first).days / 7,
            2,
        )

    return {
        "type": "line",
        "data": {
            "labels": labels,
            "datasets": [
                {
                    "label": "Practices at LI or FI",
                    "data": [p.implemented for p in forecast.points],
                    "borderColor": "#1f5f8b",
                },
                {
                    "label": "Fitted pace",
                    "data": [fitted(on) for on in labels],
                    "borderColor": "#7b4fa0",
                    "borderDash": [6, 4],
                },
                {
                    "label": "Needed",
                    "data": [forecast.required] * len(labels),
                    "borderColor": "#2e8b57",
                    "pointRadius": 0,
                },
            ],
        },
        "options": {"maintainAspectRatio": False, "scales": {"y": {"beginAtZero": True}}},
    }


def _changes(roadmap: Roadmap, result: RoadmapRating, scope: Mapping[Key, PracticeRating]) -> list[Change]:
    """The changes of value of the scope's practices in the covered lines (one query)."""
    rows = db.session.execute(
        select(
            AssessmentChange.created_at,
            AssessmentChange.from_value,
            PracticeAssessment.area_id,
            PracticeAssessment.practice_id,
            PracticeAssessment.service_line_id,
        )
        .join(PracticeAssessment, PracticeAssessment.id == AssessmentChange.assessment_id)
        .where(
            AssessmentChange.roadmap_id == roadmap.id,
            AssessmentChange.tenant_id == roadmap.tenant_id,
            PracticeAssessment.service_line_id.in_([line.id for line in result.lines]),
        )
    )
    return [
        Change(at, (area_id, practice_id), line_id, rating.Characterisation(before) if before else None)
        for at, before, area_id, practice_id, line_id in rows
        if (area_id, practice_id) in scope
    ]
