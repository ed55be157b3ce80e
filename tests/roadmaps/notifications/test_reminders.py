"""Reminders: before, on and after the due date, once per (item, kind, day), to the right person only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from saas.accounts.models import EmailOptOut
from saas.accounts.services import is_opted_out, unsubscribe_token
from saas.extensions import db
from saas.roadmaps.items.services import items
from saas.roadmaps.notifications.models import NotificationSettings
from saas.roadmaps.notifications.services.reminders import ReminderKind, reminder_kind
from saas.tenants import services as tenants
from saas.tenants.permissions import Role
from tests.mailbox import body_text
from tests.roadmaps.conftest import make_item
from tests.roadmaps.notifying import MONDAY, PARIS, dispatch_at, link_in, local, reminder_subjects, settle
from tests.support import owner_of

DAY = timedelta(days=1)


def settings(**values) -> NotificationSettings:
    defaults = {"days_before": 3, "on_due_date": True, "overdue_every_days": 3, "quiet_weekdays": [5, 6]}
    return NotificationSettings(**(defaults | values))


# --- the rule ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due_on", "expected"),
    [
        (MONDAY + 3 * DAY, ReminderKind.BEFORE),
        (MONDAY + 2 * DAY, ReminderKind.BEFORE),  # three days before was Sunday: caught up on Monday
        (MONDAY + 1 * DAY, ReminderKind.BEFORE),  # three days before was Saturday
        (MONDAY + 4 * DAY, None),  # three days before was Friday: sent then
        (MONDAY + 5 * DAY, None),
        (MONDAY, ReminderKind.DUE),
        (MONDAY - 3 * DAY, ReminderKind.OVERDUE),
        (MONDAY - 6 * DAY, ReminderKind.OVERDUE),
        (MONDAY - 4 * DAY, ReminderKind.OVERDUE),  # its day 3 was Saturday: caught up on Monday
        (MONDAY - 1 * DAY, None),  # due on Sunday: one day late, the first overdue reminder is Wednesday
        (MONDAY - 2 * DAY, None),
    ],
)
def test_reminder_kind_on_a_monday_after_a_quiet_weekend(due_on, expected):
    assert reminder_kind(due_on=due_on, day=MONDAY, settings=settings()) == expected


def test_an_advance_reminder_due_on_a_quiet_day_is_caught_up():
    wednesday = MONDAY + 2 * DAY  # three days before is Sunday
    assert reminder_kind(due_on=wednesday, day=MONDAY, settings=settings()) is ReminderKind.BEFORE
    assert reminder_kind(due_on=wednesday, day=MONDAY, settings=settings(quiet_weekdays=[])) is None


def test_zero_turns_reminders_off():
    off = settings(days_before=0, on_due_date=False, overdue_every_days=0)
    for due_on in (MONDAY + 3 * DAY, MONDAY, MONDAY - 3 * DAY, MONDAY - 30 * DAY):
        assert reminder_kind(due_on=due_on, day=MONDAY, settings=off) is None


def test_overdue_reminders_repeat_every_n_days():
    tuesday, every_two = MONDAY + DAY, settings(overdue_every_days=2, quiet_weekdays=[])
    later = [tuesday + n * DAY for n in range(1, 12)]
    reminded = [day for day in later if reminder_kind(due_on=tuesday, day=day, settings=every_two)]
    assert [(day - tuesday).days for day in reminded] == [2, 4, 6, 8, 10]


# --- through the scheduler, a worker and SMTP ---------------------------------------------------


@pytest.fixture
def paris(tenant):
    tenant.timezone = PARIS
    db.session.flush()
    return tenant


@pytest.fixture
def staff(members):
    return members[Role.STAFF]


def test_due_in_three_days_today_and_overdue_each_send_one_email(paris, staff, items_roadmap, mailbox):
    for title, due_on in [
        ("Soon", MONDAY + 3 * DAY),
        ("Today", MONDAY),
        ("Late", MONDAY - 3 * DAY),
        ("Not yet", MONDAY + 4 * DAY),
        ("Between reminders", MONDAY - 2 * DAY),
        ("No date", None),
    ]:
        make_item(paris, items_roadmap, title=title, assignee=staff, due_on=due_on)
    settle(mailbox)

    dispatch_at(local(MONDAY))

    assert reminder_subjects(mailbox, staff.email) == [
        "Due in 3 days: AI-1 Soon",
        "Due today: AI-2 Today",
        "Overdue by 3 days: AI-3 Late",
    ]
    late = next(m for m in mailbox.messages if "Late" in m["Subject"])
    assert f"http://localhost/t/{paris.slug}/items/" in body_text(late)
    assert "/unsubscribe/" in late.get_body(preferencelist=("html",)).get_content()


def test_running_the_job_twice_sends_nothing_more(paris, staff, items_roadmap, mailbox):
    make_item(paris, items_roadmap, assignee=staff, due_on=MONDAY)
    settle(mailbox)
    dispatch_at(local(MONDAY))
    dispatch_at(local(MONDAY, minute=6))  # a second scheduler, or a rerun by hand
    assert len(reminder_subjects(mailbox)) == 1


def test_a_done_item_sends_nothing(paris, staff, items_roadmap, mailbox):
    item = make_item(paris, items_roadmap, assignee=staff, due_on=MONDAY)
    items.item_set_status(tenant=paris, actor=owner_of(paris), item=item, status="done")
    settle(mailbox)
    dispatch_at(local(MONDAY))
    assert reminder_subjects(mailbox) == []


def test_a_reassigned_item_reminds_the_new_assignee_only(paris, members, items_roadmap, mailbox):
    staff, consultant = members[Role.STAFF], members[Role.CONSULTANT]
    item = make_item(paris, items_roadmap, assignee=staff, due_on=MONDAY - 3 * DAY)
    dispatch_at(local(MONDAY - 3 * DAY))  # the Friday it was due: the first assignee is reminded
    items.item_assign(tenant=paris, actor=owner_of(paris), item=item, assignee=consultant)
    settle(mailbox)

    dispatch_at(local(MONDAY))

    assert reminder_subjects(mailbox) == [f"Overdue by 3 days: AI-1 {item.title}"]
    assert mailbox.to(consultant.email)
    assert not mailbox.to(staff.email)


def test_an_assignee_who_left_the_tenant_is_not_reminded(paris, staff, items_roadmap, mailbox):
    make_item(paris, items_roadmap, assignee=staff, due_on=MONDAY)
    membership = tenants.membership_get(tenant=paris, user=staff)
    tenants.membership_remove(tenant=paris, actor=owner_of(paris), membership=membership)
    settle(mailbox)
    dispatch_at(local(MONDAY))
    assert reminder_subjects(mailbox) == []


def test_an_opted_out_user_gets_no_reminders_and_others_still_do(paris, members, items_roadmap, mailbox):
    staff, manager = members[Role.STAFF], members[Role.PROGRAM_MANAGER]
    make_item(paris, items_roadmap, title="Theirs", assignee=staff, due_on=MONDAY)
    make_item(paris, items_roadmap, title="Mine", assignee=manager, due_on=MONDAY)
    db.session.add_all(
        [EmailOptOut(user_id=staff.id, kind="reminders"), EmailOptOut(user_id=manager.id, kind="digest")]
    )
    settle(mailbox)
    dispatch_at(local(MONDAY))
    assert reminder_subjects(mailbox) == ["Due today: AI-2 Mine"]


def test_nothing_on_a_quiet_day_or_at_another_hour(paris, staff, items_roadmap, mailbox):
    saturday = MONDAY + 5 * DAY
    make_item(paris, items_roadmap, title="Saturday", assignee=staff, due_on=saturday)
    make_item(paris, items_roadmap, title="Monday", assignee=staff, due_on=MONDAY)
    settle(mailbox)

    dispatch_at(local(MONDAY, hour=7))
    dispatch_at(local(MONDAY, hour=9))
    dispatch_at(local(saturday))
    assert reminder_subjects(mailbox) == []

    dispatch_at(local(MONDAY))
    assert reminder_subjects(mailbox) == ["Due today: AI-2 Monday"]


def test_the_tenant_time_zone_decides_the_hour_and_the_day(tenant, staff, items_roadmap, mailbox):
    tenant.timezone = "Asia/Tokyo"
    make_item(tenant, items_roadmap, assignee=staff, due_on=MONDAY)
    settle(mailbox)

    dispatch_at(local(MONDAY, zone=PARIS))  # 16:05 in Tokyo
    assert reminder_subjects(mailbox) == []

    sunday_evening_utc = local(MONDAY - DAY, hour=23, zone="UTC")  # Monday 08:05 in Tokyo
    dispatch_at(sunday_evening_utc)
    assert reminder_subjects(mailbox) == ["Due today: AI-1 Write the work plan"]


def test_settings_change_what_is_sent(paris, staff, items_roadmap, mailbox):
    db.session.add(
        NotificationSettings(
            tenant=paris,
            days_before=1,
            on_due_date=False,
            overdue_every_days=0,
            quiet_weekdays=[6],
            digest_frequency="off",
            digest_weekday=0,
            send_hour=17,
        )
    )
    make_item(paris, items_roadmap, title="Tomorrow", assignee=staff, due_on=MONDAY + DAY)
    make_item(paris, items_roadmap, title="Today", assignee=staff, due_on=MONDAY)
    make_item(paris, items_roadmap, title="Late", assignee=staff, due_on=MONDAY - 3 * DAY)
    settle(mailbox)

    dispatch_at(local(MONDAY))
    assert reminder_subjects(mailbox) == []  # 08:00 is no longer the hour
    dispatch_at(local(MONDAY, hour=17))
    assert reminder_subjects(mailbox) == ["Due in 1 day: AI-1 Tomorrow"]


def test_items_of_an_archived_roadmap_remind_nobody(paris, staff, items_roadmap, mailbox):
    make_item(paris, items_roadmap, assignee=staff, due_on=MONDAY)
    items_roadmap.status = "archived"
    settle(mailbox)
    dispatch_at(local(MONDAY))
    assert reminder_subjects(mailbox) == []


# --- unsubscribing ----------------------------------------------------------------------------------


def test_the_unsubscribe_link_works_without_login_and_stops_reminders(
    app, paris, staff, items_roadmap, mailbox
):
    make_item(paris, items_roadmap, title="Today", assignee=staff, due_on=MONDAY)
    make_item(paris, items_roadmap, title="Tomorrow", assignee=staff, due_on=MONDAY + DAY)
    settle(mailbox)
    dispatch_at(local(MONDAY))
    link = link_in(mailbox.to(staff.email)[0], "/unsubscribe/")
    path = link.removeprefix("http://localhost")
    client = app.test_client()  # nobody signed in

    page = client.get(path)
    assert page.status_code == 200
    assert "Stop sending reminders of your action items to staff@" in page.get_data(as_text=True)
    assert not db.session.scalar(
        select(EmailOptOut).where(EmailOptOut.user_id == staff.id)
    )  # a GET changes nothing

    done = client.submit(path, {"action": "unsubscribe"})
    assert done.status_code == 200
    assert "will no longer receive reminders" in done.get_data(as_text=True)
    assert client.submit(path, {"action": "unsubscribe"}).status_code == 200  # twice is harmless
    mailbox.clear()
    dispatch_at(local(MONDAY + DAY))
    assert reminder_subjects(mailbox, staff.email) == []

    client.submit(path, {"action": "resubscribe"})
    dispatch_at(local(MONDAY + 3 * DAY))
    assert reminder_subjects(mailbox, staff.email) == ["Overdue by 3 days: AI-1 Today"]


def test_a_tampered_unsubscribe_link_is_refused(app, members):
    staff, manager = members[Role.STAFF], members[Role.PROGRAM_MANAGER]
    mine, theirs = unsubscribe_token(staff, "reminders"), unsubscribe_token(manager, "reminders")
    payload, stamp, signature = mine.split(".")
    forged = ".".join([theirs.split(".")[0], stamp, signature])  # their id under my signature
    broken = ".".join([payload, stamp, ("A" if signature[0] != "A" else "B") + signature[1:]])
    client = app.test_client()
    assert client.get(f"/unsubscribe/{mine}").status_code == 200
    for token in (forged, broken, "not-a-token"):
        assert client.get(f"/unsubscribe/{token}").status_code == 404
        assert client.submit(f"/unsubscribe/{token}", {"action": "unsubscribe"}).status_code == 404
    assert db.session.scalar(select(func.count(EmailOptOut.id))) == 0


def test_an_unsubscribe_link_stops_only_its_own_kind(app, staff):
    token = unsubscribe_token(staff, "digest")
    app.test_client().submit(f"/unsubscribe/{token}", {"action": "unsubscribe"})
    assert is_opted_out(staff, "digest")
    assert not is_opted_out(staff, "reminders")
