"""Webhook deliveries signed exactly as Stripe signs them: Stripe-Signature: t=<unix time>,
v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with the endpoint secret>."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any

from flask.testing import FlaskClient

WEBHOOK_SECRET = "whsec_test_standin_secret"
WEBHOOK_URL = "/billing/webhook"
_numbers = itertools.count(1)


def stripe_event(
    event_type: str, obj: dict[str, Any], *, created: int | None = None, event_id: str = ""
) -> str:
    """The raw JSON body of an event, as Stripe would send it."""
    return json.dumps(
        {
            "id": event_id or f"evt_test_{next(_numbers):06d}",
            "object": "event",
            "api_version": "2026-10-28.endive",
            "created": created or int(time.time()),
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": event_type,
            "data": {"object": obj},
        }
    )


def signature(body: str, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def deliver(client: FlaskClient, body: str, *, header: str | None = None):
    """POST the body with a valid signature (or the given Stripe-Signature header)."""
    headers = {"Stripe-Signature": signature(body) if header is None else header}
    return client.post(WEBHOOK_URL, data=body, headers=headers, content_type="application/json")


def checkout_completed(*, customer: str, subscription: str, tenant_id: int, **kwargs: Any) -> str:
    session = {
        "id": f"cs_test_{next(_numbers):06d}",
        "object": "checkout.session",
        "mode": "subscription",
        "status": "complete",
        "customer": customer,
        "subscription": subscription,
        "client_reference_id": str(tenant_id),
    }
    return stripe_event("checkout.session.completed", session, **kwargs)


def invoice_event(event_type: str, *, customer: str, subscription: str, **kwargs: Any) -> str:
    invoice = {
        "id": f"in_test_{next(_numbers):06d}",
        "object": "invoice",
        "customer": customer,
        "status": "paid" if event_type == "invoice.paid" else "open",
        "parent": {"type": "subscription_details", "subscription_details": {"subscription": subscription}},
    }
    return stripe_event(event_type, invoice, **kwargs)
