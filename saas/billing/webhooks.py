"""POST /billing/webhook: Stripe's events, verified, each applied once, in any order.

- The signature is checked over the raw body with STRIPE_WEBHOOK_SECRET (300 s tolerance);
  anything wrong gives 400 before a row is written.
- The event id is inserted into stripe_events first, in the same transaction as its effect:
  a second delivery (even a concurrent one, which waits on the unique index) finds it and
  does nothing.
- Order does not matter: an event only names the subscription; its state is fetched from
  Stripe now. An event older than the state we hold is skipped without a fetch.
- Webhooks carry no tenant: the Stripe customer is looked up in billing_customers (not
  tenant-scoped, locked per customer so one tenant's events apply one at a time), then the
  session enters that tenant's scope.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from saas.billing import gateway, public_bp, services
from saas.billing.errors import BillingUnavailable, InvalidWebhook
from saas.billing.gateway import WebhookEvent
from saas.billing.models import BillingCustomer, StripeEvent
from saas.extensions import csrf, db
from saas.tenants.models import Tenant
from saas.tenants.scoping import scope_session

SUBSCRIPTION_EVENTS = frozenset(
    {
        "checkout.session.completed",
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "invoice.paid",
        "invoice.payment_failed",
    }
)


@public_bp.post("/billing/webhook")
@csrf.exempt
def webhook():
    """400 unless signed by Stripe; 200 once applied (or seen before); 503 to be retried later."""
    try:
        event = gateway.event_construct(request.get_data(), request.headers.get("Stripe-Signature"))
    except InvalidWebhook as error:
        current_app.logger.warning("webhook refused: %s", error)
        return {"error": "invalid signature"}, 400
    try:
        fresh = event_process(event)
        db.session.commit()
    except BillingUnavailable:
        db.session.rollback()  # the event stays unrecorded, so Stripe's retry applies it
        return {"error": "Stripe could not be reached; retry later"}, 503
    return {"received": True, "duplicate": not fresh}


def event_process(event: WebhookEvent) -> bool:
    """Apply a verified event once; False, with no effect, when its id was processed before."""
    if not _record(event):
        return False
    if event.type in SUBSCRIPTION_EVENTS:
        reference = _subscription_reference(event.object)
        if reference is not None:
            _sync_subscription(*reference, event_created=event.created)
    return True


def _record(event: WebhookEvent) -> bool:
    try:
        with db.session.begin_nested():
            db.session.add(StripeEvent(event_id=event.id, type=event.type, created=event.created))
    except IntegrityError:
        return False
    return True


def _subscription_reference(obj: dict[str, Any]) -> tuple[str, str] | None:
    """(customer id, subscription id) named by a checkout session, subscription or invoice."""
    customer = obj.get("customer")
    if obj.get("object") == "subscription":
        subscription = obj.get("id")
    elif obj.get("object") == "invoice":
        # Since API version 2025-03-31 an invoice names its subscription under parent.
        details = (obj.get("parent") or {}).get("subscription_details") or {}
        subscription = details.get("subscription") or obj.get("subscription")
    else:
        subscription = obj.get("subscription") if obj.get("mode") == "subscription" else None
    if not customer or not subscription:
        return None
    return gateway.id_of(customer), gateway.id_of(subscription)


def _sync_subscription(customer_id: str, subscription_id: str, *, event_created: int) -> None:
    customer = db.session.scalar(
        select(BillingCustomer).where(BillingCustomer.stripe_customer_id == customer_id).with_for_update()
    )
    if customer is None:
        current_app.logger.warning("webhook for unknown Stripe customer %s ignored", customer_id)
        return
    scope_session(db.session, [customer.tenant_id])
    tenant = db.session.get(Tenant, customer.tenant_id)
    held = services.subscription_get(tenant=tenant)
    if held and held.stripe_subscription_id == subscription_id and event_created < held.last_event_created:
        return
    remote = gateway.subscription_retrieve(subscription_id)
    if remote.customer_id != customer_id:
        current_app.logger.warning(
            "subscription %s does not belong to %s; ignored", subscription_id, customer_id
        )
        return
    services.subscription_apply(tenant=tenant, remote=remote, event_created=event_created)
