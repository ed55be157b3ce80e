"""The webhook: verified signatures, each event once, any order gives the same state."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from saas.billing.models import StripeEvent, Subscription
from saas.extensions import db
from saas.tenants.models import AuditEvent, Tenant
from saas.tenants.scoping import scope_session
from tests.billing.conftest import PRICES, link_customer
from tests.billing.stripe_standin import StripeStandin
from tests.billing.webhooks import (
    checkout_completed,
    deliver,
    invoice_event,
    signature,
    stripe_event,
)
from tests.support import make_tenant


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def state(tenant: Tenant) -> tuple | None:
    scope_session(db.session, [tenant.id])
    sub = db.session.scalar(select(Subscription).where(Subscription.tenant_id == tenant.id))
    if sub is None:
        return None
    return (sub.stripe_subscription_id, sub.plan, sub.status, sub.quantity, sub.cancel_at_period_end)


@dataclass
class Story:
    """One tenant's subscription history as Stripe would report it: the events, and Stripe's state now."""

    tenant: Tenant
    customer: str
    subscription: dict
    events: list[str]


def subscribe_story(tenant: Tenant, stripe: StripeStandin) -> Story:
    """Checkout, creation, then an upgrade to Business with 5 seats; Stripe now holds the last state."""
    customer = link_customer(tenant, stripe)
    sub = stripe.subscription_put(
        customer=customer, price=PRICES["team"], quantity=3, status="incomplete", plan="team"
    )
    t = int(time.time()) - 100
    created = dict(sub, status="incomplete")
    events = [
        stripe_event("customer.subscription.created", created, created=t),
        checkout_completed(customer=customer, subscription=sub["id"], tenant_id=tenant.id, created=t + 1),
        invoice_event("invoice.paid", customer=customer, subscription=sub["id"], created=t + 2),
        stripe_event("customer.subscription.updated", dict(sub, status="active"), created=t + 3),
        stripe_event("customer.subscription.updated", dict(sub, status="active"), created=t + 40),
    ]
    stripe.subscription_set(sub["id"], status="active", quantity=5)
    sub["items"]["data"][0]["price"] = {"id": PRICES["business"], "object": "price"}
    return Story(tenant, customer, sub, events)


# --- Signatures -------------------------------------------------------------------------------


def test_a_correctly_signed_event_is_accepted(client, stripe, tenant):
    story = subscribe_story(tenant, stripe)

    response = deliver(client, story.events[1])

    assert response.status_code == 200
    assert response.json == {"received": True, "duplicate": False}
    assert state(tenant) == (story.subscription["id"], "business", "active", 5, False)


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(
            lambda body: (body.replace('"active"', '"canceled"'), signature(body)), id="tampered body"
        ),
        pytest.param(lambda body: (body, signature(body, secret="whsec_someone_else")), id="wrong secret"),
        pytest.param(
            lambda body: (body, signature(body, timestamp=int(time.time()) - 301)), id="stale timestamp"
        ),
        pytest.param(
            lambda body: (body, signature(body, timestamp=int(time.time()) + 365 * 86400)),
            id="timestamp a year ahead",
        ),
        pytest.param(lambda body: (body, ""), id="missing header"),
        pytest.param(lambda body: (body, "t=abc,v1=nothex"), id="garbled header"),
        pytest.param(lambda body: (body, signature(body).replace("v1=", "v0=")), id="wrong scheme"),
    ],
)
def test_a_bad_signature_gets_400_and_writes_nothing(client, stripe, tenant, tamper):
    story = subscribe_story(tenant, stripe)
    body, header = tamper(story.events[3])
    audits = count(AuditEvent)

    response = deliver(client, body, header=header)

    assert response.status_code == 400
    assert count(StripeEvent) == 0
    assert state(tenant) is None
    assert count(AuditEvent) == audits
    assert not stripe.calls("GET", f"/v1/subscriptions/{story.subscription['id']}")


def test_a_timestamp_within_the_tolerance_is_accepted(client, stripe, tenant):
    story = subscribe_story(tenant, stripe)
    body = story.events[3]

    response = deliver(client, body, header=signature(body, timestamp=int(time.time()) - 280))

    assert response.status_code == 200


def test_without_a_webhook_secret_every_delivery_is_refused(client, stripe, tenant, monkeypatch):
    story = subscribe_story(tenant, stripe)
    monkeypatch.setitem(client.application.config, "STRIPE_WEBHOOK_SECRET", "")

    assert deliver(client, story.events[3]).status_code == 400
    assert count(StripeEvent) == 0


def test_the_webhook_needs_no_csrf_token_or_login(client, stripe, tenant):
    story = subscribe_story(tenant, stripe)

    assert deliver(client, story.events[0]).status_code == 200


# --- Once -------------------------------------------------------------------------------------


def test_the_same_event_delivered_twice_has_one_effect(client, stripe, tenant):
    story = subscribe_story(tenant, stripe)

    first = deliver(client, story.events[1])
    second = deliver(client, story.events[1])

    assert first.json["duplicate"] is False
    assert second.status_code == 200
    assert second.json["duplicate"] is True
    assert count(StripeEvent) == 1
    assert len(stripe.calls("GET", f"/v1/subscriptions/{story.subscription['id']}")) == 1
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "billing.subscription_changed")
        )
        == 1
    )


def test_stripe_unreachable_while_applying_gives_503_and_the_retry_applies_it(
    client, stripe, tenant, monkeypatch
):
    story = subscribe_story(tenant, stripe)
    monkeypatch.setitem(client.application.config, "STRIPE_API_BASE", "http://127.0.0.1:9")

    failed = deliver(client, story.events[1])
    monkeypatch.setitem(client.application.config, "STRIPE_API_BASE", stripe.url)
    retried = deliver(client, story.events[1])

    assert failed.status_code == 503
    assert retried.json == {"received": True, "duplicate": False}
    assert state(tenant)[2] == "active"


# --- Order ------------------------------------------------------------------------------------


def test_subscription_updated_before_checkout_completed_ends_in_the_right_state(client, stripe, tenant):
    story = subscribe_story(tenant, stripe)

    deliver(client, story.events[3])
    deliver(client, story.events[1])

    assert state(tenant) == (story.subscription["id"], "business", "active", 5, False)


def test_in_order_reversed_shuffled_and_replayed_twice_end_in_the_same_state(client, stripe):
    orders = {
        "in order": lambda events: events,
        "reversed": lambda events: events[::-1],
        "shuffled": lambda events: random.Random(9).sample(events, len(events)),
        "twice shuffled": lambda events: random.Random(4).sample(events * 2, len(events) * 2),
    }
    finals = {}
    for name, order in orders.items():
        story = subscribe_story(make_tenant(f"Tenant {name}"), stripe)
        for body in order(story.events):
            assert deliver(client, body).status_code == 200
        sub_id, *rest = state(story.tenant)
        assert sub_id == story.subscription["id"]
        finals[name] = tuple(rest)

    assert set(finals.values()) == {("business", "active", 5, False)}


def test_an_event_older_than_the_state_held_is_recorded_without_fetching(client, stripe, tenant):
    story = subscribe_story(tenant, stripe)
    deliver(client, story.events[4])

    deliver(client, story.events[0])

    assert len(stripe.calls("GET", f"/v1/subscriptions/{story.subscription['id']}")) == 1
    assert count(StripeEvent) == 2


def test_payment_failed_starts_the_grace_period_and_paid_ends_it(app, client, stripe, tenant):
    story = subscribe_story(tenant, stripe)
    deliver(client, story.events[1])
    stripe.subscription_set(story.subscription["id"], status="past_due")

    deliver(
        client,
        invoice_event(
            "invoice.payment_failed", customer=story.customer, subscription=story.subscription["id"]
        ),
    )
    scope_session(db.session, [tenant.id])
    sub = db.session.scalar(select(Subscription))
    grace = (sub.grace_until - sub.status_changed_at).days
    stripe.subscription_set(story.subscription["id"], status="active")
    deliver(
        client, invoice_event("invoice.paid", customer=story.customer, subscription=story.subscription["id"])
    )
    db.session.refresh(sub)

    assert grace == app.config["BILLING_GRACE_DAYS"]
    assert (sub.status, sub.grace_until) == ("active", None)


def test_deleted_subscription_is_canceled_and_late_news_of_it_does_not_replace_a_new_one(
    client, stripe, tenant
):
    story = subscribe_story(tenant, stripe)
    old = story.subscription
    stripe.subscription_set(old["id"], status="canceled")
    deliver(client, stripe_event("customer.subscription.deleted", old))
    assert state(tenant)[2] == "canceled"

    new = stripe.subscription_put(customer=story.customer, price=PRICES["team"], quantity=2)
    deliver(client, checkout_completed(customer=story.customer, subscription=new["id"], tenant_id=tenant.id))
    deliver(client, story.events[3])  # a late "updated" about the old, now canceled, subscription

    assert state(tenant) == (new["id"], "team", "active", 2, False)


def test_events_of_unknown_customers_and_other_types_are_acknowledged_and_ignored(client, stripe, tenant):
    foreign = stripe.subscription_put(customer="cus_not_ours", price=PRICES["team"])

    assert deliver(client, stripe_event("customer.subscription.updated", foreign)).status_code == 200
    assert (
        deliver(client, stripe_event("charge.refunded", {"id": "ch_1", "object": "charge"})).status_code
        == 200
    )
    assert count(StripeEvent) == 2
    assert state(tenant) is None
