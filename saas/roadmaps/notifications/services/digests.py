"""Progress digests: what happened in a tenant over a period, for its owners and program managers.

A digest covers the days from the period's start up to the end of the day before it is sent
(the tenant's dates): items completed in them, characterisation changes recorded in them; and
as things stand when it is sent, the overdue items, the items due in the next week and each
active roadmap's level against its target. One digest per (user, period): the outbox key is
digest:<tenant>:<user>:<period>. The session must be scoped to the tenant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, func, select

from saas.accounts.models import User
from saas.accounts.services import opted_out_user_ids, unsubscribe_token
from saas.catalog.models import Practice, ProcessArea
from saas.extensions import db
from saas.mail.services import mail_queue
from saas.roadmaps.adoption.models import AssessmentChange, PracticeAssessment
from saas.roadmaps.adoption.services.forecast import readiness_forecast
from saas.roadmaps.adoption.services.ratings import roadmap_rating, snapshot_figures
from saas.roadmaps.items.models import ActionItem, ItemStatus
from saas.roadmaps.notifications.models import DigestFrequency, NotificationSettings
from saas.roadmaps.notifications.services.schedule import (
    day_start,
    digest_period_key,
    digest_period_start,
    notification_settings_get,
)
from saas.roadmaps.planning.models import Roadmap, RoadmapStatus, ServiceLine
from saas.tenants.models import Membership, Tenant
from saas.tenants.permissions import Role

OPT_OUT_KIND = "digest"
RECIPIENT_ROLES = (Role.OWNER, Role.PROGRAM_MANAGER)
ITEMS_SHOWN = 5
CHANGES_SHOWN = 10
UPCOMING_DAYS = 7
# Better characterisations rank higher; "not yet" and "not assessed" are the bottom.
_RANK = {"FI": 4, "LI": 3, "PI": 2, "NI": 1, "NY": 0, None: 0}


@dataclass(frozen=True)
class ItemList:
    """How many items, and the first ITEMS_SHOWN of them."""

    count: int
    items: list[ActionItem]

    @property
    def more(self) -> int:
        return self.count - len(self.items)


@dataclass(frozen=True)
class CharacterisationChange:
    roadmap: str
    area: str
    practice: str
    line: str
    from_value: str | None
    to_value: str | None


@dataclass(frozen=True)
class Changes:
    """The period's characterisation changes: counts, and the latest CHANGES_SHOWN."""

    count: int
    improved: int
    declined: int
    latest: list[CharacterisationChange]


@dataclass(frozen=True)
class RoadmapProgress:
    """An active roadmap's level against its target, its practices at LI/FI and its forecast."""

    roadmap: Roadmap
    maturity_level: int
    target: str  # "ML3", or "profile"
    implemented_percent: float
    areas_on_target: int
    areas_in_scope: int
    forecast: str

    @property
    def target_label(self) -> str:
        return "its capability profile" if self.target == "profile" else self.target


@dataclass(frozen=True)
class TenantDigest:
    tenant: Tenant
    frequency: str
    period: str  # the outbox key's period: "2026-W47" or "2026-11-16"
    start: date  # first day covered
    end: date  # the sending day (not covered)
    completed: ItemList
    overdue: ItemList
    upcoming: ItemList
    changes: Changes
    roadmaps: list[RoadmapProgress]

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def is_empty(self) -> bool:
        """Nothing to tell: no active roadmap, no item in any list, no change."""
        counts = (self.completed.count, self.overdue.count, self.upcoming.count, self.changes.count)
        return not self.roadmaps and not any(counts)


def digest_build(*, tenant: Tenant, day: date, settings: NotificationSettings | None = None) -> TenantDigest:
    """The digest the tenant sends on its date `day`, in a bounded number of queries per roadmap."""
    settings = settings or notification_settings_get(tenant=tenant)
    start = digest_period_start(settings, day)
    since, until = day_start(tenant, start), day_start(tenant, day)
    open_item = ActionItem.status != ItemStatus.DONE
    return TenantDigest(
        tenant=tenant,
        frequency=settings.digest_frequency,
        period=digest_period_key(settings, day),
        start=start,
        end=day,
        completed=_item_list(
            tenant,
            [
                ActionItem.status == ItemStatus.DONE,
                ActionItem.completed_at >= since,
                ActionItem.completed_at < until,
            ],
            ActionItem.completed_at.desc(),
        ),
        overdue=_item_list(tenant, [open_item, ActionItem.due_on < day], ActionItem.due_on),
        upcoming=_item_list(
            tenant,
            [open_item, ActionItem.due_on >= day, ActionItem.due_on < day + timedelta(days=UPCOMING_DAYS)],
            ActionItem.due_on,
        ),
        changes=_changes(tenant, since, until),
        roadmaps=[_progress(roadmap, day) for roadmap in _active_roadmaps(tenant)],
    )


def digest_recipients(*, tenant: Tenant) -> list[User]:
    """Owners and program managers who have not opted out of digests, by name."""
    users = list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.tenant_id == tenant.id, Membership.role.in_([r.value for r in RECIPIENT_ROLES]))
            .order_by(User.name, User.id)
        )
    )
    opted_out = opted_out_user_ids([user.id for user in users], OPT_OUT_KIND)
    return [user for user in users if user.id not in opted_out]


def digests_send(*, tenant: Tenant, day: date) -> int:
    """Record the tenant's digest for each recipient; once per (user, period). Returns how many."""
    recipients = digest_recipients(tenant=tenant)
    settings = notification_settings_get(tenant=tenant)
    if not recipients or settings.digest_frequency == DigestFrequency.OFF:
        return 0
    digest = digest_build(tenant=tenant, day=day, settings=settings)
    if digest.is_empty:
        return 0
    sent = 0
    for user in recipients:
        message = mail_queue(
            to=user.email,
            template="roadmaps/email/digest",
            dedupe_key=f"digest:{tenant.id}:{user.id}:{digest.period}",
            digest=digest,
            tenant=tenant,
            user=user,
            unsubscribe_token=unsubscribe_token(user, OPT_OUT_KIND),
        )
        sent += message is not None
    return sent


# --- the reads ------------------------------------------------------------------------------------


def _item_list(tenant: Tenant, conditions: list[ColumnElement[bool]], order: ColumnElement) -> ItemList:
    """Items of the tenant's active roadmaps meeting `conditions`: a count and the first few."""
    where = [
        ActionItem.tenant_id == tenant.id,
        Roadmap.status == RoadmapStatus.ACTIVE,
        *conditions,
    ]
    joined = select(ActionItem).join(Roadmap, Roadmap.id == ActionItem.roadmap_id).where(*where)
    count = db.session.scalar(select(func.count()).select_from(joined.subquery()))
    items = db.session.scalars(joined.order_by(order, ActionItem.number).limit(ITEMS_SHOWN)).all()
    return ItemList(count=count or 0, items=list(items))


def _changes(tenant: Tenant, since: datetime, until: datetime) -> Changes:
    """Characterisation changes recorded in [since, until) on active roadmaps."""
    where = [
        AssessmentChange.tenant_id == tenant.id,
        AssessmentChange.created_at >= since,
        AssessmentChange.created_at < until,
        Roadmap.status == RoadmapStatus.ACTIVE,
    ]
    pairs = db.session.execute(
        select(AssessmentChange.from_value, AssessmentChange.to_value, func.count())
        .join(Roadmap, Roadmap.id == AssessmentChange.roadmap_id)
        .where(*where)
        .group_by(AssessmentChange.from_value, AssessmentChange.to_value)
    ).all()
    latest = db.session.execute(
        select(Roadmap.name, ProcessArea.code, Practice.code, ServiceLine.name, AssessmentChange)
        .join(Roadmap, Roadmap.id == AssessmentChange.roadmap_id)
        .join(PracticeAssessment, PracticeAssessment.id == AssessmentChange.assessment_id)
        .join(ProcessArea, ProcessArea.id == PracticeAssessment.area_id)
        .join(Practice, Practice.id == PracticeAssessment.practice_id)
        .join(ServiceLine, ServiceLine.id == PracticeAssessment.service_line_id)
        .where(*where)
        .order_by(AssessmentChange.created_at.desc(), AssessmentChange.id.desc())
        .limit(CHANGES_SHOWN)
    ).all()
    return Changes(
        count=sum(count for _, _, count in pairs),
        improved=sum(count for old, new, count in pairs if _RANK[new] > _RANK[old]),
        declined=sum(count for old, new, count in pairs if _RANK[new] < _RANK[old]),
        latest=[
            CharacterisationChange(roadmap, area, practice, line, change.from_value, change.to_value)
            for roadmap, area, practice, line, change in latest
        ],
    )


def _active_roadmaps(tenant: Tenant) -> list[Roadmap]:
    return list(
        db.session.scalars(
            select(Roadmap)
            .where(Roadmap.tenant_id == tenant.id, Roadmap.status == RoadmapStatus.ACTIVE)
            .order_by(func.lower(Roadmap.name), Roadmap.id)
        )
    )


def _progress(roadmap: Roadmap, day: date) -> RoadmapProgress:
    result = roadmap_rating(roadmap=roadmap)
    return RoadmapProgress(
        roadmap=roadmap,
        maturity_level=result.maturity_level,
        target=result.target,
        implemented_percent=snapshot_figures(result)["implemented_percent"],
        areas_on_target=sum(area.on_target for area in result.in_scope),
        areas_in_scope=len(result.in_scope),
        forecast=readiness_forecast(roadmap=roadmap, today=day, result=result).message,
    )
