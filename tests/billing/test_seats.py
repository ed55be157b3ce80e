"""Seats: the one after the last allowed is refused with a message; Stripe's count follows members."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from saas.accounts import services as accounts
from saas.billing.entitlements import PlanLimitReached
from saas.billing.jobs import sync_seats
from saas.billing.models import Subscription
from saas.database import utcnow
from saas.extensions import db
from saas.jobs import queue
from saas.tenants import invitations
from saas.tenants import services as tenants
from saas.tenants.models import Invitation, Membership
from saas.tenants.permissions import Role
from tests.billing.conftest import PRICES, link_customer, subscribe
from tests.support import add_member, make_user, owner_of, run_jobs


def fill_seats(tenant, count: int) -> None:
    for number in range(count):
        add_member(tenant, Role.STAFF, email=f"staff{number}@example.com")


def invite(client, tenant, email: str):
    return client.submit(
        f"/t/{tenant.slug}/members/invitations",
        {"email": email, "role": "staff"},
        token_page=f"/t/{tenant.slug}/members",
    )


# --- The cap ----------------------------------------------------------------------------------


def test_the_invitation_after_the_last_seat_is_refused_with_a_message_and_an_upgrade_link(
    client, tenant, mailbox
):
    fill_seats(tenant, 8)  # owner + 8 = 9 of the trial's 10 seats
    client.login(owner_of(tenant))

    last = invite(client, tenant, "tenth@example.com")
    refused = invite(client, tenant, "eleventh@example.com")

    html = refused.get_data(as_text=True)
    assert last.status_code == 302
    assert refused.status_code == 403
    assert "uses 10 of the 10 seats of the Trial plan" in html
    assert "Upgrade the plan, or remove a member or a pending invitation first." in html
    assert f'href="/t/{tenant.slug}/billing"' in html
    assert (
        db.session.scalar(select(Invitation.email).where(Invitation.email == "eleventh@example.com")) is None
    )


def test_a_membership_past_the_cap_is_refused_however_it_is_created(tenant):
    fill_seats(tenant, 9)

    with pytest.raises(PlanLimitReached, match="10 of the 10 seats"):
        add_member(tenant, Role.VIEWER, email="one-too-many@example.com")
    db.session.rollback()


def test_a_pending_invitation_holds_a_seat_and_accepting_it_takes_that_seat(tenant):
    fill_seats(tenant, 8)
    owner = owner_of(tenant)
    invitation = invitations.invitation_send(
        tenant=tenant, actor=owner, email="invited@example.com", role=Role.STAFF
    )
    invitation.token_hash = accounts.token_digest("the-emailed-token")
    db.session.commit()

    with pytest.raises(PlanLimitReached):
        add_member(tenant, Role.STAFF, email="gatecrasher@example.com")
    db.session.rollback()
    invitations.invitation_accept(token="the-emailed-token", user=make_user("invited@example.com"))
    db.session.commit()

    assert (
        db.session.scalar(
            select(func.count()).select_from(Membership).where(Membership.tenant_id == tenant.id)
        )
        == 10
    )


def test_an_expired_invitation_holds_no_seat(tenant):
    fill_seats(tenant, 8)
    db.session.add(
        Invitation(
            tenant=tenant,
            email="late@example.com",
            role=Role.STAFF,
            token_hash="x" * 64,
            expires_at=utcnow() - timedelta(days=1),
        )
    )
    db.session.flush()

    add_member(tenant, Role.STAFF, email="tenth@example.com")


def test_a_tenant_over_its_cap_after_a_downgrade_keeps_its_people_but_adds_nobody(stripe, tenant):
    subscription = subscribe(tenant, plan="business")
    fill_seats(tenant, 15)  # 16 people
    subscription.plan = "team"  # downgraded in the portal: 15 seats
    db.session.commit()
    member = db.session.scalars(select(Membership).where(Membership.role == Role.STAFF)).first()

    member.role = Role.VIEWER
    db.session.commit()  # a role change claims no seat
    with pytest.raises(PlanLimitReached, match="uses 16 of the 15 seats of the Team plan"):
        add_member(tenant, Role.STAFF, email="seventeenth@example.com")
    db.session.rollback()


# --- Sync with Stripe -------------------------------------------------------------------------


@pytest.fixture
def subscribed(stripe, tenant):
    customer = link_customer(tenant, stripe)
    remote = stripe.subscription_put(customer=customer, price=PRICES["team"], quantity=1)
    subscribe(tenant, stripe_subscription_id=remote["id"], quantity=1)
    queue().empty()
    return remote


def quantity_updates(stripe, remote) -> list:
    return stripe.calls("POST", f"/v1/subscriptions/{remote['id']}")


def test_a_new_member_raises_the_stripe_quantity_after_commit(stripe, tenant, subscribed):
    add_member(tenant, Role.STAFF)
    assert queue().count == 0  # nothing before the commit

    db.session.commit()
    run_jobs()

    [update] = quantity_updates(stripe, subscribed)
    assert update.params["items[0][quantity]"] == "2"
    assert update.params["items[0][id]"] == subscribed["items"]["data"][0]["id"]
    assert update.idempotency_key.startswith("subscription-quantity:")
    assert db.session.scalar(select(Subscription.quantity)) == 2


def test_a_removed_member_lowers_it_and_a_rolled_back_change_sends_nothing(stripe, tenant, subscribed):
    staff = add_member(tenant, Role.STAFF)
    db.session.commit()
    run_jobs()
    membership = tenants.membership_get(tenant=tenant, user=staff)
    tenants.membership_remove(tenant=tenant, actor=owner_of(tenant), membership=membership)
    db.session.commit()
    run_jobs()
    add_member(tenant, Role.VIEWER)
    db.session.rollback()

    assert [u.params["items[0][quantity]"] for u in quantity_updates(stripe, subscribed)] == ["2", "1"]
    assert queue().count == 0


def test_the_sync_job_run_twice_updates_stripe_once(stripe, tenant, subscribed):
    add_member(tenant, Role.STAFF)
    db.session.commit()
    queue().empty()

    assert sync_seats(tenant.id, "operation-twice") is True
    assert sync_seats(tenant.id, "operation-twice") is False
    assert len(quantity_updates(stripe, subscribed)) == 1


def test_a_retried_sync_job_reuses_its_idempotency_key(stripe, tenant, subscribed):
    add_member(tenant, Role.STAFF)
    db.session.commit()
    queue().empty()
    stripe.lose_next_answers(3)  # stripe-python's own retries lose their answers too: the job fails

    with pytest.raises(Exception, match="nothing was charged"):
        sync_seats(tenant.id, "operation-retried")
    sync_seats(tenant.id, "operation-retried")  # as RQ's retry would

    keys = {u.idempotency_key for u in quantity_updates(stripe, subscribed)}
    assert len(quantity_updates(stripe, subscribed)) == 4
    assert keys == {"subscription-quantity:operation-retried:2"}
    assert stripe.subscriptions[subscribed["id"]]["items"]["data"][0]["quantity"] == 2


def test_without_billing_no_sync_is_queued(tenant):
    add_member(tenant, Role.STAFF)
    db.session.commit()

    assert queue().count == 0
