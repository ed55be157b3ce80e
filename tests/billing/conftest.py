"""Billing fixtures: the Stripe stand-in on loopback, the app pointed at it, signed webhooks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask

from saas.billing.models import BillingCustomer, Subscription
from saas.database import utcnow
from saas.extensions import db
from saas.tenants.models import Tenant
from tests.billing.stripe_standin import API_KEY, StripeStandin
from tests.billing.webhooks import WEBHOOK_SECRET
from tests.support import make_tenant

PRICES = {
    "team": "price_team_monthly",
    "business": "price_business_monthly",
    "consultant": "price_consultant_monthly",
}


@pytest.fixture(scope="session")
def stripe_server() -> Iterator[StripeStandin]:
    server = StripeStandin().start()
    yield server
    server.stop()


@pytest.fixture
def stripe(app: Flask, stripe_server: StripeStandin, monkeypatch: pytest.MonkeyPatch) -> StripeStandin:
    """Billing switched on for this test, with stripe-python talking to the stand-in."""
    stripe_server.reset()
    settings = {
        "STRIPE_SECRET_KEY": API_KEY,
        "STRIPE_API_BASE": stripe_server.url,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_PRICE_TEAM": PRICES["team"],
        "STRIPE_PRICE_BUSINESS": PRICES["business"],
        "STRIPE_PRICE_CONSULTANT": PRICES["consultant"],
    }
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
    return stripe_server


@pytest.fixture
def tenant() -> Tenant:
    return make_tenant("Acme Services")


def subscribe(
    tenant: Tenant, *, status: str = "active", plan: str = "team", quantity: int = 1, **fields
) -> Subscription:
    """A subscription row as the webhooks would have written it."""
    subscription = Subscription(
        tenant_id=tenant.id,
        stripe_subscription_id=fields.pop("stripe_subscription_id", "sub_test"),
        status=status,
        plan=plan,
        quantity=quantity,
        **fields,
    )
    db.session.add(subscription)
    db.session.commit()
    return subscription


def end_trial(tenant: Tenant) -> None:
    tenant.trial_ends_at = utcnow() - timedelta(days=1)
    db.session.commit()


def link_customer(tenant: Tenant, standin: StripeStandin) -> str:
    """Give the tenant a Stripe customer, as its first checkout would."""
    customer_id = standin.customer_put(name=tenant.name)["id"]
    db.session.add(BillingCustomer(tenant_id=tenant.id, stripe_customer_id=customer_id))
    db.session.commit()  # committed (a savepoint in tests), as before any real webhook
    return customer_id
