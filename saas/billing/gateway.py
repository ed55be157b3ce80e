"""Every call to Stripe goes through here, and nothing else imports `stripe`.

One `StripeClient` per configuration (STRIPE_SECRET_KEY, and STRIPE_API_BASE when a local
stand-in replaces api.stripe.com). Every POST carries an Idempotency-Key derived from our
own operation id, so a retried operation (stripe-python's network retries, an RQ retry, a
double-submitted form) creates one object. Callers get plain data back, never Stripe objects.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, TypeVar

import stripe
from flask import current_app

from saas.billing.errors import BillingNotConfigured, BillingUnavailable, InvalidWebhook

WEBHOOK_TOLERANCE_SECONDS = 300
NETWORK_RETRIES = 2

T = TypeVar("T")


@dataclass(frozen=True)
class RemoteSubscription:
    """A subscription as Stripe holds it now (single-item, per-seat subscriptions)."""

    id: str
    customer_id: str
    status: str
    price_id: str
    item_id: str
    quantity: int
    current_period_end: datetime | None
    cancel_at_period_end: bool
    plan_hint: str  # metadata["plan"] written at checkout, for prices no longer configured


@dataclass(frozen=True)
class WebhookEvent:
    id: str
    type: str
    created: int
    object: dict[str, Any]


def is_configured() -> bool:
    """Billing is on when a Stripe secret key is set; the quick start runs without one."""
    return bool(current_app.config["STRIPE_SECRET_KEY"])


def customer_create(*, tenant_id: int, name: str, email: str, operation_id: str) -> str:
    """A new Stripe customer for the tenant; its id."""
    customer = _call(
        lambda client: client.v1.customers.create(
            params={"name": name, "email": email, "metadata": {"tenant_id": str(tenant_id)}},
            options={"idempotency_key": f"customer-create:{operation_id}"},
        )
    )
    return customer.id


def checkout_session_create(
    *,
    customer_id: str,
    tenant_id: int,
    plan_key: str,
    price_id: str,
    quantity: int,
    success_url: str,
    cancel_url: str,
    operation_id: str,
) -> str:
    """A Checkout session subscribing the customer to `quantity` seats of the price; its URL."""
    session = _call(
        lambda client: client.v1.checkout.sessions.create(
            params={
                "mode": "subscription",
                "customer": customer_id,
                "client_reference_id": str(tenant_id),
                "line_items": [{"price": price_id, "quantity": quantity}],
                "subscription_data": {"metadata": {"tenant_id": str(tenant_id), "plan": plan_key}},
                "success_url": success_url,
                "cancel_url": cancel_url,
            },
            options={"idempotency_key": f"checkout-session:{operation_id}"},
        )
    )
    return session.url


def portal_session_create(*, customer_id: str, return_url: str, operation_id: str) -> str:
    """A customer-portal session (plan, card, cancellation, invoices); its URL."""
    session = _call(
        lambda client: client.v1.billing_portal.sessions.create(
            params={"customer": customer_id, "return_url": return_url},
            options={"idempotency_key": f"portal-session:{operation_id}"},
        )
    )
    return session.url


def subscription_retrieve(subscription_id: str) -> RemoteSubscription:
    return _remote_subscription(_call(lambda client: client.v1.subscriptions.retrieve(subscription_id)))


def subscription_set_quantity(
    *, subscription_id: str, quantity: int, operation_id: str
) -> RemoteSubscription:
    """Bill `quantity` seats from now on (prorated)."""
    current = subscription_retrieve(subscription_id)
    updated = _call(
        lambda client: client.v1.subscriptions.update(
            subscription_id,
            params={
                "items": [{"id": current.item_id, "quantity": quantity}],
                "proration_behavior": "create_prorations",
            },
            options={"idempotency_key": f"subscription-quantity:{operation_id}"},
        )
    )
    return _remote_subscription(updated)


def event_construct(payload: bytes, signature_header: str | None) -> WebhookEvent:
    """The event of a webhook whose signature checks out (HMAC over the raw body, 300 s tolerance
    either way: stripe-python only refuses old timestamps, so one from the future is refused here)."""
    secret = current_app.config["STRIPE_WEBHOOK_SECRET"]
    if not is_configured() or not secret:
        raise InvalidWebhook("Billing webhooks are not configured.")
    if _signed_at(signature_header) > time.time() + WEBHOOK_TOLERANCE_SECONDS:
        raise InvalidWebhook("Timestamp outside the tolerance zone (in the future).")
    try:
        event = _client().construct_event(payload, signature_header, secret, WEBHOOK_TOLERANCE_SECONDS)
    except (stripe.SignatureVerificationError, ValueError) as error:
        raise InvalidWebhook(str(error)) from error
    return WebhookEvent(
        id=event.id, type=event.type, created=int(event.created), object=event.data.object.to_dict()
    )


def _signed_at(signature_header: str | None) -> int:
    """The `t=` of a Stripe-Signature header; 0 when absent or not a number (the signature check refuses it)."""
    for part in (signature_header or "").split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            return int(value)
    return 0


def _call(request: Callable[[stripe.StripeClient], T]) -> T:
    """Run one request; BillingUnavailable (with a message for people) when Stripe fails it."""
    client = _client()
    try:
        return request(client)
    except stripe.StripeError as error:
        current_app.logger.warning("Stripe call failed: %s", error)
        raise BillingUnavailable(
            "Stripe could not complete this just now; nothing was charged. Please try again."
        ) from error


def _client() -> stripe.StripeClient:
    if not is_configured():
        raise BillingNotConfigured("Billing is not configured on this installation.")
    return _client_for(current_app.config["STRIPE_SECRET_KEY"], current_app.config["STRIPE_API_BASE"])


@lru_cache(maxsize=4)
def _client_for(api_key: str, api_base: str) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base} if api_base else None,
        max_network_retries=NETWORK_RETRIES,
    )


def _remote_subscription(subscription: Any) -> RemoteSubscription:
    data = subscription.to_dict()
    item = (data.get("items") or {}).get("data", [{}])[0]
    # Since API version 2025-03-31 the billing period lives on the items.
    period_end = item.get("current_period_end") or data.get("current_period_end")
    return RemoteSubscription(
        id=data["id"],
        customer_id=id_of(data["customer"]),
        status=data["status"],
        price_id=id_of(item.get("price") or ""),
        item_id=item.get("id", ""),
        quantity=int(item.get("quantity") or 1),
        current_period_end=datetime.fromtimestamp(period_end, UTC) if period_end else None,
        cancel_at_period_end=bool(data.get("cancel_at_period_end")),
        plan_hint=(data.get("metadata") or {}).get("plan", ""),
    )


def id_of(value: str | dict[str, Any]) -> str:
    """An expandable field's id, whether Stripe sent the id or the expanded object."""
    return value["id"] if isinstance(value, dict) else value
