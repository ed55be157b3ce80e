"""The weekly portfolio digest: one email per consultant naming every client, once per week."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import time_machine

from saas.accounts.models import EmailOptOut
from saas.extensions import db
from saas.roadmaps.items.services import items
from saas.roadmaps.notifications.jobs import send_portfolio_digests
from saas.tenants.models import Membership
from saas.tenants.permissions import Role
from saas.tenants.scoping import scope_session
from tests.mailbox import body_text
from tests.roadmaps.conftest import build_roadmap
from tests.support import make_tenant, make_user, owner_of, run_jobs

MONDAY_7_UTC = datetime(2026, 11, 16, 7, 0, tzinfo=UTC)
LAST_WEEK = date(2026, 11, 11)


def client_with_work(name: str, consultant, model, *, done: int, late: int, role: Role = Role.CONSULTANT):
    """A client that made `consultant` a consultant, with items done last week and items overdue."""
    tenant = make_tenant(name)
    db.session.add(Membership(tenant=tenant, user=consultant, role=role))
    scope_session(db.session, [tenant.id])
    roadmap = build_roadmap(tenant, model, ["WP"], name=f"{name} ML2")
    owner = owner_of(tenant)
    for n in range(done + late):
        due_on = LAST_WEEK - timedelta(days=1)
        item = items.item_create(
            tenant=tenant, actor=owner, roadmap=roadmap, title=f"Item {n}", due_on=due_on
        )
        if n < done:
            with time_machine.travel(datetime(2026, 11, 11, 10, tzinfo=UTC)):
                items.item_set_status(tenant=tenant, actor=owner, item=item, status="done")
    db.session.commit()
    return tenant


def run_portfolio_digests(at: datetime = MONDAY_7_UTC) -> None:
    """What the scheduler does on Monday at 07:00 UTC, then a worker running every job."""
    db.session.commit()
    with time_machine.travel(at):
        send_portfolio_digests()
        run_jobs()


def test_a_consultant_with_three_clients_gets_one_digest_naming_all_three(catalog_model, mailbox):
    chris = make_user("chris@consulting.example", "Chris Consultant")
    client_with_work("Alpha Desk", chris, catalog_model, done=2, late=1)
    client_with_work("Beta Field", chris, catalog_model, done=0, late=3)
    client_with_work("Gamma Ops", chris, catalog_model, done=1, late=0, role=Role.CONSULTANT_VIEWER)
    mine = make_tenant("Chris Consulting", owner=chris)  # their own firm is not a client

    run_portfolio_digests()

    (message,) = mailbox.to(chris.email)
    assert message["Subject"] == "Your clients this week: 3 organisations (9 Nov 2026 to 15 Nov 2026)"
    text = body_text(message).replace("\r\n", "\n")
    for name, line in [
        ("Alpha Desk", "Completed this week: 2; overdue now: 1"),
        ("Beta Field", "Completed this week: 0; overdue now: 3"),
        ("Gamma Ops", "Completed this week: 1; overdue now: 0"),
    ]:
        assert f"{name}\n  {line}" in text
        assert f"{name} ML2: not rated yet, target ML2" in text
    assert mine.name not in text
    assert "/unsubscribe/" in text
    assert "/portfolio" in text


def test_the_portfolio_digest_is_sent_once_per_week(catalog_model, mailbox):
    chris = make_user("chris@consulting.example", "Chris Consultant")
    client_with_work("Alpha Desk", chris, catalog_model, done=1, late=0)
    run_portfolio_digests()
    run_portfolio_digests(MONDAY_7_UTC + timedelta(minutes=1))  # a second scheduler
    assert len(mailbox.to(chris.email)) == 1
    run_portfolio_digests(MONDAY_7_UTC + timedelta(days=7))
    assert len(mailbox.to(chris.email)) == 2


def test_an_opted_out_consultant_gets_no_portfolio_digest(catalog_model, mailbox):
    chris = make_user("chris@consulting.example", "Chris Consultant")
    client_with_work("Alpha Desk", chris, catalog_model, done=1, late=0)
    db.session.add(EmailOptOut(user_id=chris.id, kind="portfolio_digest"))
    run_portfolio_digests()
    assert mailbox.to(chris.email) == []
