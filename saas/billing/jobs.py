"""Billing jobs: seat-count sync with Stripe, trial-ending reminders. Each is safe to run twice."""

from __future__ import annotations

from uuid import uuid4

from saas.billing import services
from saas.extensions import db
from saas.jobs import enqueue_after_commit, job
from saas.tenants.models import Tenant
from saas.tenants.scoping import scope_session


def subscription_sync_seats(tenant: Tenant) -> None:
    """Once this transaction commits, bring the Stripe subscription's quantity to the seats in use."""
    enqueue_after_commit(sync_seats, tenant.id, uuid4().hex)


@job
def sync_seats(tenant_id: int, operation_id: str) -> bool:
    """The job of `subscription_sync_seats`; its retries reuse `operation_id`, hence the idempotency key."""
    tenant = db.session.get(Tenant, tenant_id)
    if tenant is None:
        return False
    scope_session(db.session, [tenant.id])
    return services.seats_sync(tenant=tenant, operation_id=operation_id)


@job
def send_trial_reminders() -> int:
    """Daily: warn owners whose trial ends within three days (dedupe keys make reruns harmless)."""
    return services.trial_ending_reminders()
