"""Reading action items: lists with filters and sorting, "my items" across tenants, CSV, an item's history."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from saas.accounts.models import User
from saas.catalog.models import Practice, ProcessArea
from saas.extensions import db
from saas.roadmaps.adoption.models import Evidence
from saas.roadmaps.items.models import ActionItem, ItemComment, ItemPriority, ItemStatus
from saas.roadmaps.items.services.items import OPEN_STATUSES, normalise_practice_code
from saas.roadmaps.planning.models import Roadmap, RoadmapArea, RoadmapStatus
from saas.tenants.models import AuditEvent, Membership, Tenant

PAGE_SIZE = 50
DUE_FILTERS = {"overdue": "Overdue", "this_week": "Due this week"}
SORT_LABELS = {
    "key": "Key",
    "title": "Title",
    "due": "Due date",
    "status": "Status",
    "priority": "Priority",
    "assignee": "Assignee",
    "updated": "Last change",
}
CSV_HEADER = [
    "Key", "Title", "Roadmap", "Area", "Practice", "Status", "Priority", "Assignee", "Assignee email",
    "Due", "Created", "Completed",
]  # fmt: skip
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_STATUS_ORDER = {status.value: position for position, status in enumerate(ItemStatus)}
_PRIORITY_ORDER = {priority.value: position for position, priority in enumerate(ItemPriority)}


@dataclass(frozen=True)
class ItemFilters:
    """What a list shows; every value comes from the query string and is checked here or ignored."""

    roadmap_id: int | None = None
    area_code: str = ""
    practice_code: str = ""
    assignee: str = ""  # "", "none" (unassigned) or a user id
    status: str = ""  # "", "open" or an ItemStatus value
    due: str = ""  # "", or a key of DUE_FILTERS
    sort: str = "key"  # a key of SORT_LABELS, "-" in front for descending


def roadmaps_for_items(*, tenant: Tenant) -> list[Roadmap]:
    """The tenant's active roadmaps by name, with their selected areas loaded."""
    return list(
        db.session.scalars(
            select(Roadmap)
            .where(Roadmap.tenant_id == tenant.id, Roadmap.status == RoadmapStatus.ACTIVE)
            .options(selectinload(Roadmap.areas).selectinload(RoadmapArea.area))
            .order_by(Roadmap.name)
        )
    )


def roadmap_with_area(roadmaps: Iterable[Roadmap], area_code: str | None) -> Roadmap | None:
    """The first roadmap selecting `area_code` (any roadmap when no code is given)."""
    roadmaps = list(roadmaps)
    if not area_code:
        return roadmaps[0] if roadmaps else None
    code = area_code.strip().upper()
    return next((r for r in roadmaps if any(a.area.code == code for a in r.areas)), None)


@dataclass(frozen=True)
class HistoryEntry:
    """One line of an item's history: an audit event or a comment."""

    at: Any
    actor: User | None
    summary: str
    comment: ItemComment | None = None


def item_history(*, tenant: Tenant, item: ActionItem) -> list[HistoryEntry]:
    """The item's audit events and comments, oldest first (two queries)."""
    events = db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.tenant_id == tenant.id,
            AuditEvent.subject_type == ActionItem.__name__,
            AuditEvent.subject_id == item.id,
            AuditEvent.action != "item.commented",  # the comment itself is shown instead
        )
        .options(selectinload(AuditEvent.actor))
    )
    entries = [HistoryEntry(event.created_at, event.actor, event.summary) for event in events]
    entries += [
        HistoryEntry(comment.created_at, comment.author, "", comment) for comment in item_comments(item=item)
    ]
    return sorted(entries, key=lambda entry: entry.at)


def item_comments(*, item: ActionItem) -> list[ItemComment]:
    return list(
        db.session.scalars(
            select(ItemComment)
            .where(ItemComment.tenant_id == item.tenant_id, ItemComment.item_id == item.id)
            .options(selectinload(ItemComment.author))
            .order_by(ItemComment.created_at, ItemComment.id)
        )
    )


def item_evidence(*, item: ActionItem) -> list[Evidence]:
    return list(
        db.session.scalars(
            select(Evidence)
            .where(Evidence.tenant_id == item.tenant_id, Evidence.item_id == item.id)
            .order_by(Evidence.created_at, Evidence.id)
        )
    )


def week_bounds(today: date) -> tuple[date, date]:
    """Monday and Sunday of the week `today` is in."""
    monday = today - timedelta(days=today.weekday())
    return monday, monday + timedelta(days=6)


def user_tenant_ids(user: User) -> list[int]:
    """The tenants the user is a member of (for scoping a session to all of them)."""
    return list(db.session.scalars(select(Membership.tenant_id).where(Membership.user_id == user.id)))


def items_query(*, tenant_ids: Iterable[int], filters: ItemFilters, today: date) -> Select:
    """Items of these tenants matching `filters`, sorted, with what a list row shows loaded."""
    query = (
        select(ActionItem)
        .where(ActionItem.tenant_id.in_(list(tenant_ids)))
        .options(
            joinedload(ActionItem.tenant),
            joinedload(ActionItem.roadmap),
            joinedload(ActionItem.assignee),
            joinedload(ActionItem.practice),
            joinedload(ActionItem.roadmap_area).joinedload(RoadmapArea.area),
        )
    )
    for condition in _conditions(filters, today):
        query = query.where(condition)
    return _sorted(query, filters.sort)


def my_items_query(*, user: User, tenant_ids: Iterable[int], filters: ItemFilters, today: date) -> Select:
    """The items assigned to `user` in the given tenants (the caller scopes the session to them)."""
    return items_query(tenant_ids=tenant_ids, filters=filters, today=today).where(
        ActionItem.assignee_id == user.id
    )


def _conditions(filters: ItemFilters, today: date) -> list:
    conditions = []
    if filters.roadmap_id is not None:
        conditions.append(ActionItem.roadmap_id == filters.roadmap_id)
    if filters.area_code:
        areas = select(RoadmapArea.id).join(ProcessArea).where(ProcessArea.code == filters.area_code.upper())
        conditions.append(ActionItem.roadmap_area_id.in_(areas))
    if filters.practice_code:
        practices = select(Practice.id).where(Practice.code == normalise_practice_code(filters.practice_code))
        conditions.append(ActionItem.practice_id.in_(practices))
    if filters.assignee == "none":
        conditions.append(ActionItem.assignee_id.is_(None))
    elif filters.assignee.isdigit():
        conditions.append(ActionItem.assignee_id == int(filters.assignee))
    if filters.status == "open":
        conditions.append(ActionItem.status.in_(OPEN_STATUSES))
    elif filters.status in _STATUS_ORDER:
        conditions.append(ActionItem.status == filters.status)
    if filters.due == "overdue":
        conditions += [ActionItem.due_on < today, ActionItem.status != ItemStatus.DONE]
    elif filters.due == "this_week":
        monday, sunday = week_bounds(today)
        conditions += [ActionItem.due_on.between(monday, sunday), ActionItem.status != ItemStatus.DONE]
    return conditions


def _sorted(query: Select, sort: str) -> Select:
    descending = sort.startswith("-")
    key = sort.lstrip("-") if sort.lstrip("-") in SORT_LABELS else "key"
    if key == "assignee":
        person = aliased(User)
        query = query.outerjoin(person, person.id == ActionItem.assignee_id)
        column = func.lower(person.name)
    else:
        column = {
            "key": ActionItem.number,
            "title": func.lower(ActionItem.title),
            "due": ActionItem.due_on,
            "status": case(_STATUS_ORDER, value=ActionItem.status),
            "priority": case(_PRIORITY_ORDER, value=ActionItem.priority),
            "updated": ActionItem.updated_at,
        }[key]
    # Empty values last either way (portable: PostgreSQL and SQLite disagree on NULL order).
    return query.order_by(
        column.is_(None), column.desc() if descending else column, ActionItem.tenant_id, ActionItem.number
    )


def items_page(query: Select, page: int):
    """One page of PAGE_SIZE items (a Flask-SQLAlchemy pagination, with its counts)."""
    return db.paginate(query, page=max(page, 1), per_page=PAGE_SIZE, error_out=False, count=True)


def items_csv(items: Iterable[ActionItem]) -> str:
    """The items as CSV; cells that a spreadsheet would run as a formula are quoted with a '."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for item in items:
        writer.writerow([_safe_cell(value) for value in _csv_row(item)])
    return out.getvalue()


def _csv_row(item: ActionItem) -> list[str]:
    return [
        item.key,
        item.title,
        item.roadmap.name,
        item.roadmap_area.area.code if item.roadmap_area else "",
        item.practice.code if item.practice else "",
        ItemStatus(item.status).label,
        item.priority,
        item.assignee.name if item.assignee else "",
        item.assignee.email if item.assignee else "",
        item.due_on.isoformat() if item.due_on else "",
        item.created_at.date().isoformat(),
        item.completed_at.date().isoformat() if item.completed_at else "",
    ]


def _safe_cell(value: str) -> str:
    """OWASP CSV injection: a leading = + - @ (or tab, CR) makes spreadsheets evaluate the cell."""
    return "'" + value if value.startswith(_FORMULA_PREFIXES) else value
