"""When reminders and digests go out: each tenant's settings, its local clock and the period keys.

Everything runs on the tenant's clock (Tenant.timezone). Reminders and digests leave at the
tenant's send hour on days that are not quiet; a weekly digest on the chosen weekday, a daily
one on every sending day. Notifications due on quiet days are caught up on the next sending day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from saas.accounts.models import User
from saas.extensions import db
from saas.roadmaps.errors import RoadmapError
from saas.roadmaps.notifications.models import DigestFrequency, NotificationSettings
from saas.tenants.clock import tenant_zone
from saas.tenants.models import Tenant
from saas.tenants.scoping import scope_session
from saas.tenants.services import audit

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SETTING_FIELDS = (
    "days_before",
    "on_due_date",
    "overdue_every_days",
    "quiet_weekdays",
    "digest_frequency",
    "digest_weekday",
    "send_hour",
)
MAX_DAYS = 30
RANGES = {  # as the table's check constraints
    "days_before": (0, MAX_DAYS),
    "overdue_every_days": (0, MAX_DAYS),
    "digest_weekday": (0, 6),
    "send_hour": (0, 23),
}
DISPATCH_EVERY = timedelta(hours=1)  # the dispatcher's cron ("5 * * * *")


class NotificationSettingsError(RoadmapError):
    """A reminder or digest setting out of range or contradicting another."""


@dataclass(frozen=True)
class Dispatch:
    """What a tenant is due on its local `day`: its reminders, its digest, both or neither."""

    day: date
    reminders: bool
    digest: bool


# --- settings -----------------------------------------------------------------------------------


def _defaults() -> dict[str, Any]:
    """The column defaults of NotificationSettings (a missing row means these)."""
    values = {}
    for name in SETTING_FIELDS:
        default = NotificationSettings.__table__.c[name].default
        values[name] = default.arg(None) if default.is_callable else default.arg
    return values


def notification_settings_get(*, tenant: Tenant) -> NotificationSettings:
    """The tenant's settings; an unsaved row holding the defaults when it never changed them."""
    found = db.session.scalar(select(NotificationSettings).where(NotificationSettings.tenant_id == tenant.id))
    return found or _default_settings(tenant)


def _default_settings(tenant: Tenant) -> NotificationSettings:
    return NotificationSettings(tenant_id=tenant.id, **_defaults())


def notification_settings_update(
    *, tenant: Tenant, actor: User, values: Mapping[str, Any]
) -> NotificationSettings:
    """Save the settings named in SETTING_FIELDS (typed as the columns), checked; audit what changed."""
    settings = notification_settings_get(tenant=tenant)
    before = {name: getattr(settings, name) for name in SETTING_FIELDS}
    after = _checked({**before, **{k: v for k, v in values.items() if k in SETTING_FIELDS}})
    changed = {name: [before[name], after[name]] for name in SETTING_FIELDS if before[name] != after[name]}
    for name, value in after.items():
        setattr(settings, name, value)
    if settings.id is None:
        db.session.add(settings)
    db.session.flush()
    if changed:
        audit(
            tenant=tenant,
            actor=actor,
            action="notifications.updated",
            subject=settings,
            summary="Changed reminder and digest settings: "
            + ", ".join(n.replace("_", " ") for n in changed),
            changes=changed,
        )
    return settings


def _checked(values: dict[str, Any]) -> dict[str, Any]:
    """Ranges as the table's constraints; at least one sending day; a weekly digest on a sending day."""
    for name, (low, high) in RANGES.items():
        if not low <= values[name] <= high:
            raise NotificationSettingsError(f"Choose a number from {low} to {high}.", field=name)
    if values["digest_frequency"] not in set(DigestFrequency):
        raise NotificationSettingsError("Choose weekly, daily or off.", field="digest_frequency")
    quiet = sorted(set(values["quiet_weekdays"]))
    if not set(quiet) <= set(range(7)):
        raise NotificationSettingsError("Choose days of the week.", field="quiet_weekdays")
    if len(quiet) == 7:
        raise NotificationSettingsError("Leave at least one day for sending.", field="quiet_weekdays")
    weekday = values["digest_weekday"]
    if values["digest_frequency"] == DigestFrequency.WEEKLY and weekday in quiet:
        raise NotificationSettingsError(
            f"The weekly digest cannot go out on a quiet day ({WEEKDAYS[weekday]}).", field="digest_weekday"
        )
    return {**values, "on_due_date": bool(values["on_due_date"]), "quiet_weekdays": quiet}


def tenant_settings_list() -> list[tuple[Tenant, NotificationSettings]]:
    """Every tenant with its settings; scopes the session to all tenants (for the dispatcher only)."""
    tenants = list(db.session.scalars(select(Tenant).order_by(Tenant.id)))
    scope_session(db.session, [tenant.id for tenant in tenants])
    saved = {row.tenant_id: row for row in db.session.scalars(select(NotificationSettings))}
    return [(tenant, saved.get(tenant.id) or _default_settings(tenant)) for tenant in tenants]


# --- the clock ----------------------------------------------------------------------------------


def day_start(tenant: Tenant, day: date) -> datetime:
    """Midnight starting `day` on the tenant's clock, in UTC (for comparing with stored timestamps)."""
    return datetime.combine(day, time(), tenant_zone(tenant)).astimezone(UTC)


def dispatch_due(
    tenant: Tenant, settings: NotificationSettings, now: datetime, *, force: bool = False
) -> Dispatch:
    """Due when the tenant's send time passed within the last hour (the dispatcher runs hourly) on a
    sending day: reminders, and the digest on a digest day. Exactly once a day, also on days a
    clock change skips or repeats the send hour.

    `force` (a run by hand) sends both now, whatever the hour or the day; a digest that is off stays off.
    """
    if force:
        day, due = now.astimezone(tenant_zone(tenant)).date(), True
    else:
        sent_at = last_send_time(tenant, settings, now)
        day = sent_at.astimezone(tenant_zone(tenant)).date()
        due = now - sent_at < DISPATCH_EVERY and is_sending_day(settings, day)
    digest_on = settings.digest_frequency != DigestFrequency.OFF
    digest_day = (
        settings.digest_frequency == DigestFrequency.DAILY or day.weekday() == settings.digest_weekday
    )
    return Dispatch(day=day, reminders=due, digest=due and digest_on and (force or digest_day))


def last_send_time(tenant: Tenant, settings: NotificationSettings, now: datetime) -> datetime:
    """The latest send time (the send hour on the tenant's clock) at or before `now`, in UTC."""
    zone = tenant_zone(tenant)
    today = now.astimezone(zone).date()

    def send_time(day: date) -> datetime:
        # A send hour that a clock change skips maps to the moment of the change (fold=0).
        return datetime.combine(day, time(settings.send_hour), zone).astimezone(UTC)

    return send_time(today) if send_time(today) <= now else send_time(today - timedelta(days=1))


def is_sending_day(settings: NotificationSettings, day: date) -> bool:
    return day.weekday() not in settings.quiet_weekdays


def catch_up_start(settings: NotificationSettings, day: date) -> date:
    """The first day whose notifications leave on `day`: `day`, or the quiet days just before it."""
    start = day
    while (day - start).days < 6 and not is_sending_day(settings, start - timedelta(days=1)):
        start -= timedelta(days=1)
    return start


def digest_period_key(settings: NotificationSettings, day: date) -> str:
    """One digest per period: the ISO week ("2026-W47") when weekly, the date when daily."""
    if settings.digest_frequency == DigestFrequency.WEEKLY:
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.isoformat()


def digest_period_start(settings: NotificationSettings, day: date) -> date:
    """The first day a digest sent on `day` covers (it covers up to the end of the day before).

    Weekly: the seven days before. Daily: the days since the previous sending day, that one included.
    """
    if settings.digest_frequency == DigestFrequency.WEEKLY:
        return day - timedelta(days=7)
    start = day - timedelta(days=1)
    while (day - start).days < 7 and not is_sending_day(settings, start):
        start -= timedelta(days=1)
    return start
