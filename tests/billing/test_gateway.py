"""stripe-python really calls the local stand-in over HTTP; every create carries our idempotency key."""

from __future__ import annotations

import pytest

from saas.billing import gateway
from saas.billing.errors import BillingNotConfigured, BillingUnavailable
from tests.billing.conftest import PRICES


def test_customer_create_goes_over_http_with_our_idempotency_key(stripe):
    customer_id = gateway.customer_create(
        tenant_id=7, name="Acme", email="o@acme.example", operation_id="op-1"
    )

    [call] = stripe.calls("POST", "/v1/customers")
    assert customer_id in stripe.customers
    assert call.params == {"name": "Acme", "email": "o@acme.example", "metadata[tenant_id]": "7"}
    assert call.idempotency_key == "customer-create:op-1"


def test_a_lost_answer_is_retried_with_the_same_key_and_creates_one_customer(stripe):
    stripe.lose_next_answers(1)

    customer_id = gateway.customer_create(
        tenant_id=7, name="Acme", email="o@acme.example", operation_id="op-2"
    )

    calls = stripe.calls("POST", "/v1/customers")
    assert len(calls) == 2
    assert {call.idempotency_key for call in calls} == {"customer-create:op-2"}
    assert list(stripe.customers) == [customer_id]


def test_checkout_session_is_a_subscription_for_the_customer(stripe):
    customer = stripe.customer_put()["id"]

    url = gateway.checkout_session_create(
        customer_id=customer,
        tenant_id=7,
        plan_key="team",
        price_id=PRICES["team"],
        quantity=4,
        success_url="http://localhost/ok",
        cancel_url="http://localhost/no",
        operation_id="op-3",
    )

    [call] = stripe.calls("POST", "/v1/checkout/sessions")
    [session] = stripe.checkout_sessions.values()
    assert url == session["url"]
    assert call.params["mode"] == "subscription"
    assert call.params["customer"] == customer
    assert call.params["client_reference_id"] == "7"
    assert call.params["line_items[0][price]"] == PRICES["team"]
    assert call.params["line_items[0][quantity]"] == "4"
    assert call.params["subscription_data[metadata][plan]"] == "team"
    assert call.idempotency_key == "checkout-session:op-3"


def test_portal_session_and_subscription_reads_and_quantity_update(stripe):
    customer = stripe.customer_put()["id"]
    sub = stripe.subscription_put(customer=customer, price=PRICES["business"], quantity=3)

    url = gateway.portal_session_create(
        customer_id=customer, return_url="http://localhost/b", operation_id="op-4"
    )
    remote = gateway.subscription_set_quantity(subscription_id=sub["id"], quantity=5, operation_id="op-5")

    assert url.startswith("https://billing.stripe.com/")
    assert stripe.calls("POST", "/v1/billing_portal/sessions")[0].idempotency_key == "portal-session:op-4"
    [update] = stripe.calls("POST", f"/v1/subscriptions/{sub['id']}")
    assert update.idempotency_key == "subscription-quantity:op-5"
    assert update.params["items[0][quantity]"] == "5"
    assert (remote.quantity, remote.price_id, remote.customer_id, remote.status) == (
        5,
        PRICES["business"],
        customer,
        "active",
    )
    assert remote.current_period_end is not None


def test_stripe_errors_become_a_friendly_refusal(stripe):
    with pytest.raises(BillingUnavailable, match="nothing was charged"):
        gateway.subscription_retrieve("sub_missing")


def test_without_a_secret_key_nothing_calls_stripe(app):
    assert not gateway.is_configured()
    with pytest.raises(BillingNotConfigured):
        gateway.customer_create(tenant_id=1, name="A", email="a@example.com", operation_id="x")
