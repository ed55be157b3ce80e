"""Progress digests: the right counts for the period, to owners and program managers, once per period."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from saas.accounts.models import EmailOptOut
from saas.extensions import db
from saas.jobs import enqueue
from saas.mail.models import OutboxMessage
from saas.roadmaps.adoption.services import assessments
from saas.roadmaps.items.services import items
from saas.roadmaps.notifications import jobs
from saas.roadmaps.notifications.models import NotificationSettings
from saas.roadmaps.notifications.services.digests import digest_build
from saas.tenants.permissions import Role
from tests.mailbox import body_text
from tests.roadmaps.assessing import line_named, roadmap_with_lines
from tests.roadmaps.conftest import make_item
from tests.roadmaps.notifying import MONDAY, PARIS, dispatch_at, local, settle
from tests.support import owner_of, run_jobs

DAY = timedelta(days=1)


def digests(mailbox) -> list:
    return [m for m in mailbox.messages if "digest for" in m["Subject"]]


def html(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


@pytest.fixture
def seeded(tenant, members, catalog_model, mailbox):
    """Acme in Paris, the week before Monday 16 November 2026: two items done (and one the week
    before), three overdue, one due on Thursday, one later; three characterisation changes (two
    up, one down) and one the week before."""
    tenant.timezone = PARIS
    manager, staff = members[Role.PROGRAM_MANAGER], members[Role.STAFF]
    roadmap = roadmap_with_lines(tenant, catalog_model, ["WP", "SD"], name="Service delivery (ML2)")
    line = line_named(roadmap, "Whole organisation")

    def done(title: str, on) -> None:
        item = make_item(tenant, roadmap, title=title, assignee=staff, due_on=on)
        with time_machine.travel(local(on, hour=15)):
            items.item_set_status(tenant=tenant, actor=staff, item=item, status="done")

    def characterise(practice: str, value: str, on) -> None:
        with time_machine.travel(local(on, hour=11)):
            assessments.assessment_set(
                tenant=tenant,
                actor=manager,
                roadmap=roadmap,
                service_line=line,
                area_code="WP",
                practice_code=practice,
                characterisation=value,
            )

    done("Agree the strategy", MONDAY - 12 * DAY)
    done("Write the plan", MONDAY - 5 * DAY)
    done("Estimate the work", MONDAY - DAY)  # Sunday evening still counts
    for n in range(3):
        make_item(tenant, roadmap, title=f"Late {n}", assignee=staff, due_on=MONDAY - (n + 1) * DAY)
    make_item(tenant, roadmap, title="Review the plan", assignee=staff, due_on=MONDAY + 3 * DAY)
    make_item(tenant, roadmap, title="Next month", assignee=staff, due_on=MONDAY + 30 * DAY)
    characterise("SP 1.1", "PI", MONDAY - 10 * DAY)
    characterise("SP 1.1", "LI", MONDAY - 4 * DAY)
    characterise("SP 1.2", "FI", MONDAY - 3 * DAY)
    characterise("SP 1.3", "LI", MONDAY - 3 * DAY)
    characterise("SP 1.3", "NI", MONDAY - 2 * DAY)
    settle(mailbox)
    return tenant


def test_digest_counts_the_period_and_the_state_on_the_sending_day(seeded):
    digest = digest_build(tenant=seeded, day=MONDAY)
    assert (digest.start, digest.end, digest.period) == (MONDAY - 7 * DAY, MONDAY, "2026-W47")
    assert [item.title for item in digest.completed.items] == ["Estimate the work", "Write the plan"]
    assert (digest.overdue.count, digest.upcoming.count) == (3, 1)
    assert [item.title for item in digest.upcoming.items] == ["Review the plan"]
    assert (digest.changes.count, digest.changes.improved, digest.changes.declined) == (4, 3, 1)
    (progress,) = digest.roadmaps
    assert (progress.maturity_level, progress.target) == (1, "ML2")
    assert progress.implemented_percent > 0


def test_weekly_digest_goes_to_owners_and_program_managers_with_the_counts(seeded, members, mailbox):
    dispatch_at(local(MONDAY))

    received = digests(mailbox)
    assert sorted(m["To"] for m in received) == sorted(
        [owner_of(seeded).email, members[Role.PROGRAM_MANAGER].email]
    )
    message = received[0]
    assert message["Subject"] == "Weekly digest for Acme Services: 2 completed, 3 overdue, 1 due soon"
    text = body_text(message)
    assert "from Mon 9 Nov 2026 to Sun 15 Nov 2026" in text
    assert "Completed: 2" in text
    assert "Overdue: 3" in text
    assert "Due within a week: 1" in text
    assert "Practice characterisations changed: 4 (3 up, 1 down)" in text
    assert "WP SP 1.3 in Whole organisation: LI -> NI" in text
    assert "Service delivery (ML2): ML1, target ML2; 0 of 2 areas on target" in text
    assert "Not enough history yet" in text  # the readiness forecast
    assert "/unsubscribe/" in text
    assert f"/t/{seeded.slug}/notifications" in text
    assert 'style="width: 100%; height: 14px; background: #dc3545;"' in html(message)  # the overdue bar


def test_nothing_but_reminders_on_other_days_and_at_other_hours(seeded, mailbox):
    dispatch_at(local(MONDAY, hour=9))
    dispatch_at(local(MONDAY + DAY))
    assert digests(mailbox) == []


def test_two_dispatches_send_one_digest_per_user_and_period(seeded, mailbox):
    dispatch_at(local(MONDAY))
    dispatch_at(local(MONDAY, minute=6))  # a second scheduler started by mistake
    with time_machine.travel(local(MONDAY)):
        enqueue(jobs.send_digests, seeded.id, MONDAY.isoformat())
        enqueue(jobs.send_digests, seeded.id, MONDAY.isoformat())
        run_jobs()
    assert len(digests(mailbox)) == 2  # the owner and the program manager, once each
    keys = select(func.count()).where(OutboxMessage.dedupe_key.like(f"digest:{seeded.id}:%:2026-W47"))
    assert db.session.scalar(keys) == 2


def test_an_opted_out_manager_gets_no_digest(seeded, members, mailbox):
    db.session.add(EmailOptOut(user_id=members[Role.PROGRAM_MANAGER].id, kind="digest"))
    dispatch_at(local(MONDAY))
    assert [m["To"] for m in digests(mailbox)] == [owner_of(seeded).email]


def test_daily_digests_cover_the_days_since_the_previous_sending_day(seeded, mailbox):
    db.session.add(
        NotificationSettings(tenant=seeded, digest_frequency="daily", quiet_weekdays=[5, 6], send_hour=8)
    )
    assert digest_build(tenant=seeded, day=MONDAY).start == MONDAY - 3 * DAY  # Friday to Sunday
    dispatch_at(local(MONDAY))
    dispatch_at(local(MONDAY + DAY))
    subjects = [m["Subject"] for m in digests(mailbox) if m["To"] == owner_of(seeded).email]
    assert subjects == [
        "Daily digest for Acme Services: 1 completed, 3 overdue, 1 due soon",  # Friday to Sunday
        "Daily digest for Acme Services: 0 completed, 3 overdue, 1 due soon",  # Monday
    ]


def test_no_digest_when_it_is_off(seeded, mailbox):
    db.session.add(NotificationSettings(tenant=seeded, digest_frequency="off"))
    dispatch_at(local(MONDAY))
    assert digests(mailbox) == []
