"""The timeline picture of a roadmap: phases as bars on a date axis, with the areas placed in them.

Pure layout (no queries, no Flask): the template draws the result as inline SVG, so the page
needs no script and the CSP stays strict.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from saas.roadmaps.planning.models import Phase, RoadmapArea

LABEL_WIDTH = 180  # the phase names, left of the axis
CHART_WIDTH = 620
ROW_HEIGHT = 44
AXIS_HEIGHT = 28
BAR_HEIGHT = 24


@dataclass(frozen=True)
class Bar:
    name: str
    starts_on: date
    ends_on: date
    areas: str  # "WP, WMC, MA"
    x: float
    y: float
    width: float


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Timeline:
    bars: list[Bar]
    ticks: list[Tick]
    today_x: float | None
    undated: list[str]  # phases without both dates, listed under the picture
    width: int = LABEL_WIDTH + CHART_WIDTH
    label_width: int = LABEL_WIDTH
    axis_y: int = AXIS_HEIGHT
    bar_height: int = BAR_HEIGHT

    @property
    def height(self) -> int:
        return AXIS_HEIGHT + ROW_HEIGHT * len(self.bars) + 8


def timeline_layout(phases: Iterable[Phase], areas: Iterable[RoadmapArea], *, today: date) -> Timeline | None:
    """Bars for the dated phases in time order; None when no phase has both dates."""
    phases = list(phases)
    dated = sorted((p for p in phases if p.starts_on and p.ends_on), key=lambda p: (p.starts_on, p.position))
    if not dated:
        return None
    codes = _codes_by_phase(areas)
    first = min(phase.starts_on for phase in dated)
    last = max(phase.ends_on for phase in dated)
    span = max((last - first).days, 1)

    def x(day: date) -> float:
        return round(LABEL_WIDTH + CHART_WIDTH * (day - first).days / span, 1)

    bars = [
        Bar(
            name=phase.name,
            starts_on=phase.starts_on,
            ends_on=phase.ends_on,
            areas=", ".join(codes.get(phase.id, [])),
            x=x(phase.starts_on),
            y=AXIS_HEIGHT + ROW_HEIGHT * row + (ROW_HEIGHT - BAR_HEIGHT) / 2,
            width=max(x(phase.ends_on) - x(phase.starts_on), 2),
        )
        for row, phase in enumerate(dated)
    ]
    ticks = [Tick(x(day), day.strftime("%b %Y")) for day in _month_starts(first, last)]
    today_x = x(today) if first <= today <= last else None
    undated = [phase.name for phase in phases if phase not in dated]
    return Timeline(bars, ticks, today_x, undated)


def _codes_by_phase(areas: Iterable[RoadmapArea]) -> dict[int, list[str]]:
    codes: dict[int, list[str]] = {}
    for selected in areas:
        if selected.phase_id is not None:
            codes.setdefault(selected.phase_id, []).append(selected.area.code)
    return codes


def _month_starts(first: date, last: date) -> list[date]:
    """First days of the months in the range, thinned to at most 12 ticks."""
    months = []
    year, month = first.year, first.month
    while date(year, month, 1) <= last:
        if date(year, month, 1) >= first:
            months.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    step = -(-len(months) // 12) if months else 1
    return months[::step]
