"""The same event delivered 20 times at once, on real connections: one effect."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask
from sqlalchemy import delete, func, select

from saas.accounts.models import User
from saas.billing.models import StripeEvent, Subscription
from saas.extensions import db
from saas.tenants.models import AuditEvent, Tenant
from saas.tenants.scoping import scope_session
from tests.billing.conftest import PRICES, link_customer
from tests.billing.webhooks import WEBHOOK_URL, checkout_completed, signature
from tests.support import make_tenant, owner_of

DELIVERIES = 20


@pytest.fixture
def committed(app: Flask):
    """Sessions on the pooled engine, as in production: data is really committed, then removed."""
    harness = db.session
    db.session = db._make_scoped_session({})
    made: dict[str, int] = {}
    try:
        yield made
    finally:
        db.session.remove()
        with app.app_context():
            scope_session(db.session, [made["tenant"]])
            db.session.execute(delete(StripeEvent))
            db.session.execute(delete(Tenant).where(Tenant.id == made["tenant"]))
            db.session.execute(delete(User).where(User.id == made["owner"]))
            db.session.commit()
            db.session.remove()
        db.session = harness


@pytest.mark.postgres
def test_the_same_event_20_times_at_once_has_one_effect(app, stripe, committed):
    with app.app_context():
        tenant = make_tenant("Twenty At Once")
        committed.update(tenant=tenant.id, owner=owner_of(tenant).id)
        customer = link_customer(tenant, stripe)
        db.session.remove()
    remote = stripe.subscription_put(customer=customer, price=PRICES["team"], quantity=2)
    body = checkout_completed(customer=customer, subscription=remote["id"], tenant_id=committed["tenant"])
    start = threading.Barrier(DELIVERIES)

    def deliver_once(_: int):
        client = app.test_client()
        start.wait()
        return client.post(
            WEBHOOK_URL,
            data=body,
            headers={"Stripe-Signature": signature(body)},
            content_type="application/json",
        )

    with ThreadPoolExecutor(DELIVERIES) as pool:
        responses = list(pool.map(deliver_once, range(DELIVERIES)))

    assert [r.status_code for r in responses] == [200] * DELIVERIES
    assert sorted(r.json["duplicate"] for r in responses) == [False] + [True] * (DELIVERIES - 1)
    assert len(stripe.calls("GET", f"/v1/subscriptions/{remote['id']}")) == 1
    with app.app_context():
        scope_session(db.session, [committed["tenant"]])
        assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 1
        assert db.session.scalars(select(Subscription.status)).all() == ["active"]
        changes = (
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "billing.subscription_changed")
        )
        assert db.session.scalar(changes) == 1
        db.session.remove()
