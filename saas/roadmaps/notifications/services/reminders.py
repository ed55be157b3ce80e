"""Reminders of action items: before the due date, on it, and while overdue, once per (item, kind, day).

Who is reminded: the item's assignee as it is when the reminder is sent (a reassigned item
reminds its new assignee, never the old one), while they are still a member of the tenant and
have not opted out of reminders. Done items, items of archived roadmaps and items without a
due date or an assignee remind nobody. The session must be scoped to the tenant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from saas.accounts.services import opted_out_user_ids, unsubscribe_token
from saas.extensions import db
from saas.mail.services import mail_queue
from saas.roadmaps.items.models import ActionItem, ItemStatus
from saas.roadmaps.notifications.models import NotificationSettings
from saas.roadmaps.notifications.services.schedule import catch_up_start, notification_settings_get
from saas.roadmaps.planning.models import Roadmap, RoadmapStatus
from saas.tenants.models import Membership, Tenant

OPT_OUT_KIND = "reminders"


class ReminderKind(StrEnum):
    BEFORE = "before"
    DUE = "due"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Reminder:
    """One reminder. Its key names the item, not the person: one per (item, kind, day), even when
    the item is reassigned that day (the new assignee had the assignment email)."""

    item: ActionItem
    kind: ReminderKind
    day: date  # the tenant's date the reminder is sent on

    @property
    def dedupe_key(self) -> str:
        return f"reminder:{self.item.id}:{self.kind.value}:{self.day.isoformat()}"

    @property
    def days(self) -> int:
        """Days until the due date (before), or since it (overdue)."""
        return abs((self.item.due_on - self.day).days)


def reminder_kind(*, due_on: date, day: date, settings: NotificationSettings) -> ReminderKind | None:
    """Which reminder an open item due on `due_on` gets on the sending day `day`, if any.

    - before: `days_before` days ahead of the due date (0: never);
    - due: on the due date, if `on_due_date`;
    - overdue: every `overdue_every_days` days after the due date (0: never).
    A day to remind that falls on a quiet day is caught up on the next sending day; the due-date
    reminder of a quiet day is not (the item is overdue by then).
    """
    start = catch_up_start(settings, day)
    if due_on > day:
        before = due_on - timedelta(days=settings.days_before)
        return ReminderKind.BEFORE if settings.days_before and start <= before <= day else None
    if due_on == day:
        return ReminderKind.DUE if settings.on_due_date else None
    every = settings.overdue_every_days
    if not every:
        return None
    late_first, late_last = max((start - due_on).days, 1), (day - due_on).days
    return ReminderKind.OVERDUE if late_last // every * every >= late_first else None


def reminders_due(
    *, tenant: Tenant, day: date, settings: NotificationSettings | None = None
) -> list[Reminder]:
    """The reminders the tenant sends on its date `day`, by item key."""
    settings = settings or notification_settings_get(tenant=tenant)
    horizon = day + timedelta(days=settings.days_before)
    items = db.session.scalars(
        select(ActionItem)
        .join(Roadmap, Roadmap.id == ActionItem.roadmap_id)
        .join(
            Membership,
            (Membership.user_id == ActionItem.assignee_id) & (Membership.tenant_id == tenant.id),
        )
        .where(
            ActionItem.tenant_id == tenant.id,
            ActionItem.status != ItemStatus.DONE,
            ActionItem.due_on <= horizon,
            Roadmap.status == RoadmapStatus.ACTIVE,
        )
        .options(contains_eager(ActionItem.roadmap), joinedload(ActionItem.assignee))
        .order_by(ActionItem.number)
    ).all()
    opted_out = opted_out_user_ids([item.assignee_id for item in items], OPT_OUT_KIND)
    reminders = []
    for item in items:
        kind = reminder_kind(due_on=item.due_on, day=day, settings=settings)
        if kind is not None and item.assignee_id not in opted_out:
            reminders.append(Reminder(item=item, kind=kind, day=day))
    return reminders


def reminders_send(*, tenant: Tenant, day: date) -> int:
    """Record the day's reminders in the outbox; a second run records nothing. Returns how many."""
    sent = 0
    for reminder in reminders_due(tenant=tenant, day=day):
        assignee = reminder.item.assignee
        message = mail_queue(
            to=assignee.email,
            template="roadmaps/email/reminder",
            dedupe_key=reminder.dedupe_key,
            tenant=tenant,
            reminder=reminder,
            item=reminder.item,
            assignee=assignee,
            unsubscribe_token=unsubscribe_token(assignee, OPT_OUT_KIND),
        )
        sent += message is not None
    return sent
