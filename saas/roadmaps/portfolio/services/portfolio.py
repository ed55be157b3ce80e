"""The consultant portfolio: every client that let the user in as a consultant, at a glance.

Clients are the tenants where the user is `consultant` or `consultant_viewer`; a client revokes
the access by removing the membership, and is gone from the next page. The caller scopes the
session to the clients (`scope_session(db.session, client ids)`) before `portfolio_build`.

The figures come from cheap sources, each read for all clients at once (aggregates grouped by
tenant or by roadmap), so the page costs a fixed number of queries whatever the number of
clients: the active roadmaps; the latest daily snapshot of each (maturity level, practices at
LI/FI, capability level per area) and the latest one at least a week old (the trend); the
overdue items per client; the newest audit event per client; the catalog order of the areas.

Plans: the portfolio is not gated by `consultant_features`. A client pays for the consultant's
seat on its own plan and decides alone whether to let them in, and a consultant may have no
organisation of their own whose plan could be asked; so the consultant's view of the clients
that granted access is never blocked by anyone's plan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, func, or_, select

from saas.catalog.models import ProcessArea
from saas.extensions import db
from saas.roadmaps.adoption.models import RoadmapSnapshot
from saas.roadmaps.items.models import ActionItem, ItemStatus
from saas.roadmaps.planning.models import Roadmap, RoadmapStatus, TargetKind
from saas.tenants.clock import tenant_today
from saas.tenants.models import AuditEvent, Membership, Tenant
from saas.tenants.permissions import Role

TREND_DAYS = 7
SORT_LABELS = {
    "client": "Client",
    "target": "Target",
    "level": "Current level",
    "adoption": "Practices LI/FI",
    "overdue": "Overdue items",
    "activity": "Last activity",
    "trend": "Trend",
}
DEFAULT_SORT = "client"
# Distinct bar colours (Okabe-Ito, then Tableau, yellows darkened); they repeat past 16 clients.
PALETTE = (
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#A6761D", "#000000",
    "#4E79A7", "#F28E2B", "#59A14F", "#B07AA1", "#76B7B2", "#B8860B", "#9C755F", "#666666",
)  # fmt: skip


class Trend(StrEnum):
    """How a roadmap or client moved since the snapshot a week earlier."""

    UP = "up"
    FLAT = "flat"
    DOWN = "down"
    UNKNOWN = "unknown"  # no snapshot a week old yet

    @property
    def symbol(self) -> str:
        return {"up": "↑", "flat": "→", "down": "↓"}.get(self.value, "—")

    @property
    def label(self) -> str:
        return {
            "up": "improving",
            "flat": "unchanged",
            "down": "declining",
            "unknown": "no figures from a week ago",
        }[self.value]

    @property
    def rank(self) -> int | None:
        """Sort order: declining first, unknown nowhere (sorted last)."""
        return {"down": 0, "flat": 1, "up": 2}.get(self.value)


@dataclass(frozen=True)
class Figures:
    """What one snapshot says: maturity level, practices assessed and practices at LI or FI."""

    maturity_level: int
    practices: int
    implemented: int
    areas: dict[str, int]  # capability level per in-scope area code

    @classmethod
    def from_snapshot(cls, figures: dict[str, Any]) -> Figures:
        """Read a snapshot's JSON (see ratings.snapshot_figures); missing keys count as nothing."""
        counts = figures.get("counts") or {}
        practices = int(figures.get("practices") or 0)
        if counts:
            implemented = int(counts.get("FI", 0)) + int(counts.get("LI", 0))
        else:
            implemented = round(practices * float(figures.get("implemented_percent") or 0) / 100)
        areas = {
            code: int(area.get("level", 0))
            for code, area in (figures.get("areas") or {}).items()
            if isinstance(area, dict)
        }
        return cls(int(figures.get("maturity_level") or 1), practices, implemented, areas)


def percent(implemented: int, practices: int) -> float | None:
    """Share of practices at LI or FI, one decimal; None when nothing is assessed."""
    return round(100 * implemented / practices, 1) if practices else None


def trend_between(now: Iterable[Figures], then: Iterable[Figures]) -> Trend:
    """Compare the summed maturity levels first, then the share of practices at LI or FI."""
    now, then = list(now), list(then)
    if not now or not then:
        return Trend.UNKNOWN

    def score(figures: list[Figures]) -> tuple[int, float]:
        share = percent(sum(f.implemented for f in figures), sum(f.practices for f in figures))
        return sum(f.maturity_level for f in figures), share or 0.0

    before, after = score(then), score(now)
    return Trend.UP if after > before else Trend.DOWN if after < before else Trend.FLAT


@dataclass(frozen=True)
class RoadmapLine:
    """One active roadmap of a client: its target, and its latest and week-old figures."""

    id: int
    name: str
    target_level: int | None  # the target maturity level; None for a capability profile or free choice
    latest: Figures | None
    week_ago: Figures | None

    @property
    def target(self) -> str:
        return f"ML{self.target_level}" if self.target_level else "Profile"

    @property
    def current_level(self) -> int | None:
        """The maturity level of the latest snapshot; None before the first characterisation."""
        return self.latest.maturity_level if self.latest else None

    @property
    def adoption_percent(self) -> float | None:
        return percent(self.latest.implemented, self.latest.practices) if self.latest else None

    @property
    def trend(self) -> Trend:
        return trend_between([self.latest] if self.latest else [], [self.week_ago] if self.week_ago else [])


@dataclass(frozen=True)
class ClientRow:
    """A client on the portfolio. Its levels are the highest of its active roadmaps."""

    tenant: Tenant
    role: Role
    roadmaps: list[RoadmapLine]
    overdue_items: int
    last_activity: datetime | None

    @property
    def target_level(self) -> int | None:
        return max((line.target_level for line in self.roadmaps if line.target_level), default=None)

    @property
    def current_level(self) -> int | None:
        return max((line.current_level for line in self.roadmaps if line.current_level), default=None)

    @property
    def adoption_percent(self) -> float | None:
        """Practices at LI or FI over all the roadmaps' latest snapshots (weighted by practices)."""
        latest = [line.latest for line in self.roadmaps if line.latest]
        return percent(sum(f.implemented for f in latest), sum(f.practices for f in latest))

    @property
    def trend(self) -> Trend:
        """Over the roadmaps that have a snapshot from a week ago, against that snapshot."""
        compared = [line for line in self.roadmaps if line.latest and line.week_ago]
        return trend_between([line.latest for line in compared], [line.week_ago for line in compared])

    @property
    def area_levels(self) -> dict[str, int]:
        """Capability level per area, the highest any of the roadmaps' latest snapshots reaches."""
        levels: dict[str, int] = {}
        for line in self.roadmaps:
            for code, level in (line.latest.areas if line.latest else {}).items():
                levels[code] = max(level, levels.get(code, 0))
        return levels


@dataclass(frozen=True)
class Portfolio:
    rows: list[ClientRow]
    sort: str  # the sort applied, normalised ("-" in front for descending)
    area_codes: list[str] = field(default_factory=list)  # the comparison's areas, in catalog order
    chart: dict[str, Any] | None = None


# Each column's sort value; None sorts last in either direction.
_SORT_VALUES: dict[str, Callable[[ClientRow], Any]] = {
    "client": lambda row: row.tenant.name.casefold(),
    "target": lambda row: row.target_level,
    "level": lambda row: row.current_level,
    "adoption": lambda row: row.adoption_percent,
    "overdue": lambda row: row.overdue_items,
    "activity": lambda row: row.last_activity,
    "trend": lambda row: row.trend.rank,
}


def normalise_sort(sort: str) -> str:
    """A known column, "-" in front for descending; anything else is the default (client, A-Z)."""
    key = sort.removeprefix("-")
    return sort if key in _SORT_VALUES else DEFAULT_SORT


def portfolio_build(
    *, memberships: list[Membership], sort: str = DEFAULT_SORT, today: date | None = None
) -> Portfolio:
    """The portfolio of these client memberships (see client_memberships), in a fixed number of queries.

    The session must be scoped to the memberships' tenants; `today` (UTC) dates the trend.
    """
    sort = normalise_sort(sort)
    if not memberships:
        return Portfolio(rows=[], sort=sort)
    tenants = [membership.tenant for membership in memberships]
    tenant_ids = [tenant.id for tenant in tenants]
    today = today or datetime.now(UTC).date()
    roadmaps = _active_roadmaps(tenant_ids)
    latest = _snapshot_figures(tenant_ids, on_or_before=None)
    week_ago = _snapshot_figures(tenant_ids, on_or_before=today - timedelta(days=TREND_DAYS))
    overdue = _overdue_counts(tenants)
    activity = _last_activity(tenant_ids)
    rows = [
        ClientRow(
            tenant=membership.tenant,
            role=Role(membership.role),
            roadmaps=[
                RoadmapLine(roadmap_id, name, level, latest.get(roadmap_id), week_ago.get(roadmap_id))
                for roadmap_id, name, level in roadmaps.get(membership.tenant_id, [])
            ],
            overdue_items=overdue.get(membership.tenant_id, 0),
            last_activity=activity.get(membership.tenant_id),
        )
        for membership in memberships
    ]
    codes = _catalog_order({code for row in rows for code in row.area_levels})
    return Portfolio(
        rows=sort_rows(rows, sort), sort=sort, area_codes=codes, chart=comparison_chart(rows, codes)
    )


def sort_rows(rows: list[ClientRow], sort: str) -> list[ClientRow]:
    """Rows by the column of `sort`, ties by client name, clients without a value last either way."""
    key = normalise_sort(sort)
    descending = key.startswith("-")
    value = _SORT_VALUES[key.removeprefix("-")]
    by_name = sorted(rows, key=lambda row: (row.tenant.name.casefold(), row.tenant.id))
    present = [row for row in by_name if value(row) is not None]
    missing = [row for row in by_name if value(row) is None]
    return sorted(present, key=value, reverse=descending) + missing  # stable: ties keep name order


def comparison_chart(rows: list[ClientRow], codes: list[str]) -> dict[str, Any] | None:
    """Capability profiles side by side: a Chart.js grouped bar, one dataset per client (None if no figures)."""
    if not codes:
        return None
    datasets = [
        {
            "label": row.tenant.name,
            "data": [row.area_levels.get(code) for code in codes],
            "backgroundColor": PALETTE[position % len(PALETTE)],
        }
        for position, row in enumerate(sorted(rows, key=lambda row: row.tenant.name.casefold()))
        if row.area_levels
    ]
    return {
        "type": "bar",
        "data": {"labels": codes, "datasets": datasets},
        "options": {
            "maintainAspectRatio": False,
            "scales": {
                "y": {
                    "beginAtZero": True,
                    "max": 3,
                    "ticks": {"stepSize": 1},
                    "title": {"display": True, "text": "Capability level"},
                }
            },
        },
    }


# --- the aggregate reads, one query each ----------------------------------------------------------


def _active_roadmaps(tenant_ids: list[int]) -> dict[int, list[tuple[int, str, int | None]]]:
    """(id, name, target maturity level) of each client's active roadmaps, by name."""
    rows = db.session.execute(
        select(
            Roadmap.tenant_id, Roadmap.id, Roadmap.name, Roadmap.target_kind, Roadmap.target_maturity_level
        )
        .where(Roadmap.tenant_id.in_(tenant_ids), Roadmap.status == RoadmapStatus.ACTIVE)
        .order_by(Roadmap.tenant_id, func.lower(Roadmap.name), Roadmap.id)
    )
    found: dict[int, list[tuple[int, str, int | None]]] = defaultdict(list)
    for tenant_id, roadmap_id, name, kind, level in rows:
        found[tenant_id].append((roadmap_id, name, level if kind == TargetKind.MATURITY_LEVEL else None))
    return found


def _snapshot_figures(tenant_ids: list[int], *, on_or_before: date | None) -> dict[int, Figures]:
    """Each active roadmap's newest snapshot (taken on or before the day, when given), by roadmap id."""
    newest = (
        select(RoadmapSnapshot.roadmap_id, func.max(RoadmapSnapshot.taken_on).label("taken_on"))
        .join(Roadmap, Roadmap.id == RoadmapSnapshot.roadmap_id)
        .where(RoadmapSnapshot.tenant_id.in_(tenant_ids), Roadmap.status == RoadmapStatus.ACTIVE)
        .group_by(RoadmapSnapshot.roadmap_id)
    )
    if on_or_before is not None:
        newest = newest.where(RoadmapSnapshot.taken_on <= on_or_before)
    newest = newest.subquery()
    rows = db.session.execute(
        select(RoadmapSnapshot.roadmap_id, RoadmapSnapshot.figures)
        .join(
            newest,
            and_(
                RoadmapSnapshot.roadmap_id == newest.c.roadmap_id,
                RoadmapSnapshot.taken_on == newest.c.taken_on,
            ),
        )
        .where(RoadmapSnapshot.tenant_id.in_(tenant_ids))
    )
    return {roadmap_id: Figures.from_snapshot(figures or {}) for roadmap_id, figures in rows}


def _overdue_counts(tenants: list[Tenant]) -> dict[int, int]:
    """Unfinished items due before each client's own today (its time zone), per client."""
    by_day: dict[date, list[int]] = defaultdict(list)
    for tenant in tenants:
        by_day[tenant_today(tenant)].append(tenant.id)
    overdue = or_(
        *(and_(ActionItem.tenant_id.in_(ids), ActionItem.due_on < day) for day, ids in sorted(by_day.items()))
    )
    rows = db.session.execute(
        select(ActionItem.tenant_id, func.count())
        .where(overdue, ActionItem.status != ItemStatus.DONE)
        .group_by(ActionItem.tenant_id)
    )
    return dict(rows.all())


def _last_activity(tenant_ids: list[int]) -> dict[int, datetime]:
    """When each client's audit trail last recorded something."""
    rows = db.session.execute(
        select(AuditEvent.tenant_id, func.max(AuditEvent.created_at))
        .where(AuditEvent.tenant_id.in_(tenant_ids))
        .group_by(AuditEvent.tenant_id)
    )
    return {tenant_id: at for tenant_id, at in rows if at is not None}


def _catalog_order(codes: set[str]) -> list[str]:
    """The area codes by the maturity level the catalog stages them at, then by code."""
    rows = db.session.execute(
        select(ProcessArea.code, func.min(ProcessArea.maturity_level))
        .where(ProcessArea.code.in_(sorted(codes)))
        .group_by(ProcessArea.code)
    )
    staged = dict(rows.all())
    return sorted(codes, key=lambda code: (staged.get(code) or 99, code))
