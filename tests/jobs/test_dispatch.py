"""The hourly dispatcher: each tenant's reminders and digest once a day at its own hour, whatever its zone."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from rq import Queue

from saas.extensions import db
from saas.roadmaps.notifications import jobs
from saas.roadmaps.notifications.models import NotificationSettings
from saas.roadmaps.notifications.services.schedule import dispatch_due, notification_settings_get
from saas.tenants.models import Tenant
from saas.tenants.permissions import Role
from tests.roadmaps.conftest import make_item
from tests.roadmaps.notifying import MONDAY, dispatch_at, local, reminder_subjects, settle
from tests.support import make_tenant, run_jobs

ZONES = ["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "America/St_Johns", "Pacific/Chatham"]


def hourly_runs(first_day, days: int) -> list[datetime]:
    """Every time the cron "5 * * * *" fires over `days` days (UTC)."""
    start = datetime.combine(first_day, time(0, 5), UTC)
    return [start + timedelta(hours=n) for n in range(24 * days)]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("first_day", [MONDAY, date(2026, 10, 19)])
def test_one_dispatch_per_sending_day_in_every_zone(zone, first_day):
    """Half-hour and 45-minute zones included, and the week Europe turns its clocks back."""
    tenant = Tenant(slug="zone", name="Zone", timezone=zone)
    settings = notification_settings_get(tenant=tenant)
    week = [first_day + timedelta(days=n) for n in range(7)]
    assert dispatches_per_day(tenant, settings, week) == {
        day: 0 if day.weekday() in (5, 6) else 1 for day in week
    }


@pytest.mark.parametrize(("zone", "change"), [
    ("Europe/Paris", date(2026, 3, 29)),  # 02:00 does not exist
    ("Europe/Paris", date(2026, 10, 25)),  # 02:00 happens twice
    ("America/New_York", date(2026, 3, 8)),
    ("America/New_York", date(2026, 11, 1)),
])  # fmt: skip
def test_a_send_hour_skipped_or_repeated_by_a_clock_change_still_sends_once(zone, change):
    tenant = Tenant(slug="dst", name="DST", timezone=zone)
    settings = NotificationSettings(
        send_hour=2, quiet_weekdays=[], digest_frequency="weekly", digest_weekday=0
    )
    days = [change + timedelta(days=n) for n in range(-1, 2)]
    assert dispatches_per_day(tenant, settings, days) == dict.fromkeys(days, 1)


def dispatches_per_day(tenant: Tenant, settings: NotificationSettings, days: list[date]) -> dict[date, int]:
    """How many of the hourly runs, over `days` and a day either side, send the reminders of each day."""
    due = Counter()
    for now in hourly_runs(days[0] - timedelta(days=1), days=len(days) + 2):
        dispatch = dispatch_due(tenant, settings, now)
        if dispatch.reminders:
            due[dispatch.day] += 1
    return {day: due[day] for day in days}


@pytest.mark.parametrize(
    ("frequency", "expected"), [("weekly", [True] + [False] * 6), ("daily", [True] * 5 + [False] * 2)]
)
def test_weekly_digest_on_its_day_daily_on_every_sending_day(frequency, expected):
    tenant = Tenant(slug="t", name="T", timezone="UTC")
    settings = NotificationSettings(
        send_hour=8, quiet_weekdays=[5, 6], digest_frequency=frequency, digest_weekday=0
    )
    week = [MONDAY + timedelta(days=n) for n in range(7)]
    at_five_past_eight = [datetime.combine(day, time(8, 5), UTC) for day in week]
    assert [dispatch_due(tenant, settings, now).digest for now in at_five_past_eight] == expected


def test_a_forced_dispatch_ignores_the_hour_and_the_day():
    tenant = Tenant(slug="t", name="T", timezone="UTC")
    settings = notification_settings_get(tenant=tenant)
    saturday_night = datetime(2026, 11, 21, 23, 30, tzinfo=UTC)
    assert not dispatch_due(tenant, settings, saturday_night).reminders
    forced = dispatch_due(tenant, settings, saturday_night, force=True)
    assert (forced.reminders, forced.digest) == (True, True)


def test_dispatch_enqueues_only_the_tenants_whose_hour_it_is(tenant, redis):
    tenant.timezone = "Europe/Paris"
    tokyo = make_tenant("Tokyo Branch")
    tokyo.timezone = "Asia/Tokyo"
    db.session.commit()
    with time_machine.travel(local(MONDAY)):  # 08:05 in Paris, 16:05 in Tokyo
        assert jobs.dispatch_notifications() == 2  # Paris: reminders and the Monday digest
    queued = Queue("default", connection=redis).jobs
    assert sorted((job.func_name.rsplit(".", 1)[1], job.args) for job in queued) == [
        ("send_digests", (tenant.id, "2026-11-16")),
        ("send_reminders", (tenant.id, "2026-11-16")),
    ]


def test_two_schedulers_send_each_reminder_and_digest_once(tenant, members, items_roadmap, mailbox):
    tenant.timezone = "Europe/Paris"
    make_item(tenant, items_roadmap, assignee=members[Role.STAFF], due_on=MONDAY)
    settle(mailbox)
    db.session.commit()
    with time_machine.travel(local(MONDAY)):
        jobs.dispatch_notifications()
        jobs.dispatch_notifications()  # the second scheduler, the same minute
        run_jobs()
    dispatch_at(local(MONDAY, minute=30))  # and a late one, the same hour
    assert reminder_subjects(mailbox) == ["Due today: AI-1 Write the work plan"]
    digests = [m["To"] for m in mailbox.messages if "digest" in m["Subject"]]
    assert sorted(digests) == sorted([members[Role.OWNER].email, members[Role.PROGRAM_MANAGER].email])
