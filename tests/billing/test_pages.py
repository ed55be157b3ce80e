"""Pricing, the owner's billing page, checkout and the customer portal."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from saas.billing.models import BillingCustomer, Subscription
from saas.extensions import db
from saas.tenants.models import AuditEvent
from saas.tenants.permissions import Role
from tests.billing.conftest import PRICES, link_customer
from tests.support import add_member, owner_of


def billing_url(tenant, page: str = "") -> str:
    return f"/t/{tenant.slug}/billing{page}"


def operation_id(html: str) -> str:
    return re.search(r'name="operation_id" type="hidden" value="([^"]+)"', html).group(1)


def checkout(client, tenant, *, plan: str = "team", seats: int = 3, op: str | None = None):
    if op is None:
        op = operation_id(client.get(billing_url(tenant)).get_data(as_text=True))
    data = {"plan": plan, "seats": seats, "operation_id": op}
    return client.submit(billing_url(tenant, "/checkout"), data, token_page=billing_url(tenant))


def test_pricing_page_is_public_shows_every_plan_and_is_linked_from_the_landing_page(client):
    landing = client.get("/").get_data(as_text=True)
    page = client.get("/pricing")

    assert 'href="/pricing"' in landing
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for name in ("Trial", "Team", "Business", "Consultant", "€12", "per seat a month", "Up to 15 seats"):
        assert name in html


def test_without_stripe_keys_the_billing_page_says_billing_is_not_configured(client, tenant):
    client.login(owner_of(tenant))

    page = client.get(billing_url(tenant))

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Billing is not configured" in html
    assert "Continue to payment" not in html


def test_without_stripe_keys_a_checkout_post_is_refused_politely(client, tenant):
    client.login(owner_of(tenant))

    response = checkout(client, tenant, op="an-operation-id-123")

    assert response.status_code == 302
    assert "Billing is not configured" in client.get(response.location).get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.PROGRAM_MANAGER, Role.STAFF, Role.VIEWER, Role.CONSULTANT])
def test_only_owners_see_billing(client, tenant, role):
    client.login(add_member(tenant, role))

    assert client.get(billing_url(tenant)).status_code == 403
    assert "Billing" not in client.get(f"/t/{tenant.slug}/").get_data(as_text=True).split("<main")[0]


def test_billing_page_shows_plan_status_seats_and_trial_days_left(client, stripe, tenant):
    add_member(tenant, Role.STAFF)
    client.login(owner_of(tenant))

    html = client.get(billing_url(tenant)).get_data(as_text=True)

    assert "Trial" in html
    assert "2 of 10" in html  # seats used of allowed
    assert "Trial days left" in html
    assert "14 (until" in html
    assert "Continue to payment" in html
    assert f'href="{billing_url(tenant)}"' in html  # the nav item for owners


def test_checkout_redirects_to_stripe_with_the_tenants_customer_created_once(client, stripe, tenant):
    client.login(owner_of(tenant))

    first = checkout(client, tenant, plan="team", seats=3)
    second = checkout(client, tenant, plan="business", seats=4)

    assert first.status_code == second.status_code == 303
    sessions = list(stripe.checkout_sessions.values())
    assert [first.location, second.location] == [s["url"] for s in sessions]
    assert len(stripe.calls("POST", "/v1/customers")) == 1
    [customer_id] = stripe.customers
    assert {s["customer"] for s in sessions} == {customer_id}
    assert {s["client_reference_id"] for s in sessions} == {str(tenant.id)}
    assert sessions[0]["success_url"] == f"http://localhost{billing_url(tenant, '/success')}"
    assert sessions[0]["cancel_url"] == f"http://localhost{billing_url(tenant, '/cancelled')}"
    calls = stripe.calls("POST", "/v1/checkout/sessions")
    assert calls[1].params["line_items[0][price]"] == PRICES["business"]
    assert db.session.scalar(select(BillingCustomer.stripe_customer_id)) == customer_id
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "billing.checkout_started")
        )
        == 2
    )


def test_the_same_checkout_form_sent_twice_gets_one_session_with_one_idempotency_key(client, stripe, tenant):
    client.login(owner_of(tenant))

    first = checkout(client, tenant, op="same-operation-id-1234")
    again = checkout(client, tenant, op="same-operation-id-1234")

    assert first.location == again.location
    assert len(stripe.checkout_sessions) == 1
    keys = [call.idempotency_key for call in stripe.calls("POST", "/v1/checkout/sessions")]
    assert len(keys) == 2
    assert keys[0] == keys[1]
    assert "same-operation-id-1234" in keys[0]


def test_fewer_seats_than_people_is_refused_with_a_message(client, stripe, tenant):
    add_member(tenant, Role.STAFF)
    add_member(tenant, Role.VIEWER)
    client.login(owner_of(tenant))

    response = checkout(client, tenant, seats=2)

    assert response.status_code == 422
    assert "Pick between 3 and 15 seats" in response.get_data(as_text=True)
    assert not stripe.checkout_sessions


def test_a_tenant_with_a_live_subscription_is_sent_to_the_portal_instead(client, stripe, tenant):
    customer = link_customer(tenant, stripe)
    db.session.add(
        Subscription(
            tenant_id=tenant.id, stripe_subscription_id="sub_1", plan="team", status="active", quantity=1
        )
    )
    db.session.flush()
    client.login(owner_of(tenant))

    page = client.get(billing_url(tenant)).get_data(as_text=True)
    portal = client.submit(
        billing_url(tenant, "/portal"), {"operation_id": operation_id(page)}, token_page=billing_url(tenant)
    )
    refused = checkout(client, tenant, op="another-operation-id-1")

    assert "Continue to payment" not in page
    assert "Manage subscription, card and invoices" in page
    assert portal.status_code == 303
    [session] = stripe.portal_sessions.values()
    assert portal.location == session["url"]
    assert session["customer"] == customer
    assert session["return_url"] == f"http://localhost{billing_url(tenant)}"
    assert refused.status_code == 422
    assert "already has a subscription" in refused.get_data(as_text=True)


def test_stripe_being_down_gives_a_message_not_an_error(client, stripe, tenant, monkeypatch):
    monkeypatch.setitem(client.application.config, "STRIPE_API_BASE", "http://127.0.0.1:9")
    client.login(owner_of(tenant))

    response = checkout(client, tenant)

    assert response.status_code == 302
    assert "Stripe could not complete this" in client.get(response.location).get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(BillingCustomer)) == 0


def test_success_and_cancel_pages(client, stripe, tenant):
    client.login(owner_of(tenant))

    assert "Thank you" in client.get(billing_url(tenant, "/success")).get_data(as_text=True)
    assert "Nothing was charged" in client.get(billing_url(tenant, "/cancelled")).get_data(as_text=True)
