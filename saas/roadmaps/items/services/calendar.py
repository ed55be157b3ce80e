"""Personal iCalendar feeds: a secret, revocable URL listing the user's open items with due dates."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from datetime import timedelta

from icalendar import Calendar, Event
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from saas.accounts.models import User
from saas.accounts.services import token_digest
from saas.database import utcnow
from saas.extensions import db
from saas.roadmaps.items.models import ActionItem, CalendarFeed
from saas.roadmaps.items.services.items import OPEN_STATUSES


def feed_get(*, user: User) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def feed_rotate(*, user: User) -> str:
    """A new secret for the user's feed (the old URL stops working); returns the token, shown once."""
    token = secrets.token_urlsafe(32)
    feed = feed_get(user=user)
    if feed is None:
        feed = CalendarFeed(user=user, token_hash=token_digest(token))
        db.session.add(feed)
    else:
        feed.token_hash = token_digest(token)
        feed.created_at = utcnow()
    db.session.flush()
    return token


def feed_revoke(*, user: User) -> bool:
    """Turn the feed off; True if there was one."""
    result = db.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id))
    return result.rowcount > 0


def feed_user(token: str) -> User | None:
    """The owner of a live feed token, or None."""
    return db.session.scalar(
        select(User)
        .join(CalendarFeed, CalendarFeed.user_id == User.id)
        .where(CalendarFeed.token_hash == token_digest(token))
    )


def feed_items(*, user: User, tenant_ids: Iterable[int]) -> list[ActionItem]:
    """The user's open items with a due date in these tenants (the caller scopes the session)."""
    return list(
        db.session.scalars(
            select(ActionItem)
            .where(
                ActionItem.tenant_id.in_(list(tenant_ids)),
                ActionItem.assignee_id == user.id,
                ActionItem.status.in_(OPEN_STATUSES),
                ActionItem.due_on.is_not(None),
            )
            .options(joinedload(ActionItem.tenant))
            .order_by(ActionItem.due_on, ActionItem.id)
        )
    )


def feed_calendar(items: Iterable[ActionItem], *, item_url: Callable[[ActionItem], str], host: str) -> bytes:
    """An iCalendar (RFC 5545) document: one all-day event per item on its due date."""
    calendar = Calendar()
    calendar.add("prodid", "-//CMMI Programme//Action items//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "CMMI action items")
    for item in items:
        calendar.add_component(_event(item, url=item_url(item), host=host))
    return calendar.to_ical()


def _event(item: ActionItem, *, url: str, host: str) -> Event:
    event = Event()
    event.add("uid", f"action-item-{item.id}@{host}")
    event.add("dtstamp", item.updated_at)
    event.add("dtstart", item.due_on)
    event.add("dtend", item.due_on + timedelta(days=1))
    event.add("summary", f"{item.key} {item.title}")
    event.add("description", f"{item.tenant.name}: {item.key} {item.title}\n{url}")
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    return event
