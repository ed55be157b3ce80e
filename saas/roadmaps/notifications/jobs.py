"""Notification jobs: reminders and digests on each tenant's clock, and the weekly portfolio digest
of consultants.

Jobs take ids, scope their session to the tenants they touch and are idempotent: every email
is recorded under an outbox dedupe key, so a second scheduler or a retried job sends nothing twice.
"""

from __future__ import annotations

from datetime import date

from saas.accounts.models import User
from saas.database import utcnow
from saas.extensions import db
from saas.jobs import enqueue, job
from saas.roadmaps.notifications.services import consultant_digests, digests, reminders, schedule
from saas.tenants.models import Tenant
from saas.tenants.scoping import scope_session
from saas.tenants.services import client_memberships


@job
def dispatch_notifications() -> int:
    """Hourly: enqueue the reminders and digests of each tenant at its send hour on a sending day."""
    return _dispatch(with_reminders=True, with_digests=True, force=False)


@job
def dispatch_reminders_now() -> int:
    """By hand: today's reminders of every tenant, whatever the hour or the day."""
    return _dispatch(with_reminders=True, with_digests=False, force=True)


@job
def dispatch_digests_now() -> int:
    """By hand: the current period's digest of every tenant with digests on, whatever the hour or the day."""
    return _dispatch(with_reminders=False, with_digests=True, force=True)


def _dispatch(*, with_reminders: bool, with_digests: bool, force: bool) -> int:
    """Enqueue one job per tenant and kind; returns how many. Twice the same hour is harmless (dedupe keys)."""
    now, enqueued = utcnow(), 0
    for tenant, settings in schedule.tenant_settings_list():
        due = schedule.dispatch_due(tenant, settings, now, force=force)
        if with_reminders and due.reminders:
            enqueue(send_reminders, tenant.id, due.day.isoformat())
            enqueued += 1
        if with_digests and due.digest:
            enqueue(send_digests, tenant.id, due.day.isoformat())
            enqueued += 1
    return enqueued


@job
def send_reminders(tenant_id: int, day: str) -> int:
    """Record the tenant's reminders for its date `day` (ISO); returns how many were new."""
    tenant = db.session.get(Tenant, tenant_id)
    if tenant is None:
        return 0
    scope_session(db.session, [tenant.id])
    return reminders.reminders_send(tenant=tenant, day=date.fromisoformat(day))


@job
def send_digests(tenant_id: int, day: str) -> int:
    """Record the tenant's digests for its date `day` (ISO); returns how many were new."""
    tenant = db.session.get(Tenant, tenant_id)
    if tenant is None:
        return 0
    scope_session(db.session, [tenant.id])
    return digests.digests_send(tenant=tenant, day=date.fromisoformat(day))


@job
def send_portfolio_digests() -> int:
    """Weekly: enqueue one portfolio digest per consultant for this ISO week (UTC)."""
    week = consultant_digests.iso_week(utcnow().date())
    user_ids = consultant_digests.consultant_ids()
    for user_id in user_ids:
        enqueue(send_portfolio_digest, user_id, week)
    return len(user_ids)


@job
def send_portfolio_digest(user_id: int, week: str) -> bool:
    """Record one consultant's digest for `week` ("2026-W47"), scoped to their clients."""
    user = db.session.get(User, user_id)
    if user is None:
        return False
    memberships = client_memberships(user=user)
    scope_session(db.session, [membership.tenant_id for membership in memberships])
    return consultant_digests.portfolio_digest_send(user=user, memberships=memberships, week=week)
