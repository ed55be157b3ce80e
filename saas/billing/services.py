"""Billing rules: the tenant's Stripe customer, checkout and portal, the subscription state
Stripe reports, seat counting and syncing, trial-ending reminders.

Checkout and the portal need Stripe's answer to redirect, so they call Stripe during the
request; their idempotency keys make a retried or rolled-back attempt reuse what Stripe made.
Everything else that talks to Stripe runs in a job after commit.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from saas.accounts.models import User
from saas.billing import gateway
from saas.billing.errors import BillingNotConfigured, InvalidCheckout
from saas.billing.gateway import RemoteSubscription
from saas.billing.models import (
    LIVE_STATUSES,
    BillingCustomer,
    Subscription,
    SubscriptionStatus,
)
from saas.billing.plans import TEAM, Plan, plan_for_price, plan_get
from saas.database import utcnow
from saas.extensions import db
from saas.mail.services import mail_queue
from saas.tenants.models import Invitation, Membership, Tenant
from saas.tenants.permissions import Role
from saas.tenants.scoping import scope_session
from saas.tenants.services import audit

TRIAL_REMINDER_DAYS = 3


# --- Reads ------------------------------------------------------------------------------------


def subscription_get(*, tenant: Tenant) -> Subscription | None:
    return db.session.scalar(select(Subscription).where(Subscription.tenant_id == tenant.id))


def customer_id_get(*, tenant: Tenant) -> str | None:
    return db.session.scalar(
        select(BillingCustomer.stripe_customer_id).where(BillingCustomer.tenant_id == tenant.id)
    )


def seat_emails(*, tenant: Tenant) -> set[str]:
    """Who holds a seat: every member, and every pending (unexpired) invitation."""
    members = db.session.scalars(
        select(User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.tenant_id == tenant.id)
    )
    invited = db.session.scalars(
        select(Invitation.email).where(Invitation.tenant_id == tenant.id, Invitation.expires_at > utcnow())
    )
    return set(members) | set(invited)


def seats_used(*, tenant: Tenant) -> int:
    return len(seat_emails(tenant=tenant))


def days_until(moment: datetime) -> int:
    """Whole days left until `moment`, counting a started day (0 once it has passed)."""
    return max(0, math.ceil((moment - utcnow()).total_seconds() / 86400))


# --- Checkout and portal ----------------------------------------------------------------------


def customer_ensure(*, tenant: Tenant, actor: User) -> str:
    """The tenant's Stripe customer id, created once; a retry or a twin request reuses the same one."""
    existing = customer_id_get(tenant=tenant)
    if existing:
        return existing
    customer_id = gateway.customer_create(
        tenant_id=tenant.id,
        name=tenant.name,
        email=actor.email,
        operation_id=f"tenant-{tenant.id}:user-{actor.id}",
    )
    try:
        with db.session.begin_nested():
            db.session.add(BillingCustomer(tenant_id=tenant.id, stripe_customer_id=customer_id))
    except IntegrityError:  # a twin request stored its customer first: use that one
        return customer_id_get(tenant=tenant) or customer_id
    return customer_id


def checkout_start(
    *,
    tenant: Tenant,
    actor: User,
    plan_key: str,
    seats: int,
    operation_id: str,
    success_url: str,
    cancel_url: str,
) -> str:
    """The Stripe Checkout URL for `seats` seats of a paid plan.

    One live subscription per tenant: changing it goes through the customer portal. Seats
    run from those in use to the plan's cap. The same form sent twice gets the same session.
    """
    if not gateway.is_configured():
        raise BillingNotConfigured("Billing is not configured on this installation.")
    plan = _purchasable(plan_key)
    current = subscription_get(tenant=tenant)
    if current is not None and current.is_live:
        raise InvalidCheckout(
            f"{tenant.name} already has a subscription. Change its plan or seats in the customer portal."
        )
    used = seats_used(tenant=tenant)
    if used > plan.max_seats:
        raise InvalidCheckout(
            f"The {plan.name} plan has up to {plan.max_seats} seats; {tenant.name} uses {used}."
        )
    if not max(used, 1) <= seats <= plan.max_seats:
        raise InvalidCheckout(
            f"Pick between {max(used, 1)} and {plan.max_seats} seats for the {plan.name} plan."
        )
    customer_id = customer_ensure(tenant=tenant, actor=actor)
    url = gateway.checkout_session_create(
        customer_id=customer_id,
        tenant_id=tenant.id,
        plan_key=plan.key,
        price_id=plan.price_id(),
        quantity=seats,
        success_url=success_url,
        cancel_url=cancel_url,
        operation_id=f"tenant-{tenant.id}:{operation_id}:{plan.key}:{seats}",
    )
    audit(
        tenant=tenant,
        actor=actor,
        action="billing.checkout_started",
        summary=f"Went to checkout for the {plan.name} plan, {seats} seats",
        plan=plan.key,
        seats=seats,
    )
    return url


def portal_start(*, tenant: Tenant, return_url: str, operation_id: str) -> str:
    """The customer-portal URL; only once the tenant has been to checkout (it then has a customer)."""
    customer_id = customer_id_get(tenant=tenant)
    if customer_id is None:
        raise InvalidCheckout("There is no subscription to manage yet: choose a plan first.")
    return gateway.portal_session_create(
        customer_id=customer_id, return_url=return_url, operation_id=f"tenant-{tenant.id}:{operation_id}"
    )


def _purchasable(plan_key: str) -> Plan:
    plan = plan_get(plan_key)
    if plan is None or not plan.purchasable:
        raise InvalidCheckout("Pick one of the plans on offer.")
    if not plan.price_id():
        raise InvalidCheckout(
            f"The {plan.name} plan cannot be bought here yet (no Stripe price is configured)."
        )
    return plan


# --- State from Stripe ------------------------------------------------------------------------


def subscription_apply(*, tenant: Tenant, remote: RemoteSubscription, event_created: int) -> Subscription:
    """Store Stripe's current state of a subscription of the tenant.

    A live subscription is never replaced by the late news of another, ended one. Entering
    past_due starts the grace period (BILLING_GRACE_DAYS); leaving it ends the grace period.
    """
    status = SubscriptionStatus(remote.status)
    subscription = subscription_get(tenant=tenant)
    if subscription is None:
        subscription = Subscription(tenant_id=tenant.id, stripe_subscription_id=remote.id, status=status)
        db.session.add(subscription)
    elif subscription.stripe_subscription_id != remote.id:
        if subscription.is_live and status not in LIVE_STATUSES:
            return subscription
        subscription.stripe_subscription_id = remote.id
        subscription.last_event_created = 0
    before = (subscription.plan, subscription.status, subscription.quantity)
    subscription.plan = _plan_of(remote, subscription.plan).key
    _set_status(subscription, status)
    subscription.quantity = remote.quantity
    subscription.current_period_end = remote.current_period_end
    subscription.cancel_at_period_end = remote.cancel_at_period_end
    subscription.last_event_created = max(subscription.last_event_created or 0, event_created)
    db.session.flush()
    if before != (subscription.plan, subscription.status, subscription.quantity):
        plan = plan_get(subscription.plan) or TEAM
        audit(
            tenant=tenant,
            actor=None,
            action="billing.subscription_changed",
            subject=subscription,
            summary=f"Subscription {status.label.lower()}: {plan.name} plan, {subscription.quantity} seats",
            status=status.value,
            plan=plan.key,
            seats=subscription.quantity,
        )
    return subscription


def _set_status(subscription: Subscription, status: SubscriptionStatus) -> None:
    now = utcnow()
    if subscription.status != status:
        subscription.status = status
        subscription.status_changed_at = now
    if status is SubscriptionStatus.PAST_DUE:
        if subscription.grace_until is None:
            subscription.grace_until = now + timedelta(days=current_app.config["BILLING_GRACE_DAYS"])
    else:
        subscription.grace_until = None


def _plan_of(remote: RemoteSubscription, stored: str | None) -> Plan:
    """The plan of the subscription's price; else the plan named at checkout; else what we had."""
    plan = plan_for_price(remote.price_id) or plan_get(remote.plan_hint) or plan_get(stored)
    if plan is None or not plan.purchasable:
        current_app.logger.warning("subscription %s has unknown price %s", remote.id, remote.price_id)
        return TEAM
    return plan


# --- Seats ------------------------------------------------------------------------------------


def seats_sync(*, tenant: Tenant, operation_id: str) -> bool:
    """Bill the seats in use (at least one) on a live subscription; True when Stripe's count changed.

    Safe to repeat: when the counts agree nothing is sent; a retried job reuses its idempotency key.
    """
    subscription = subscription_get(tenant=tenant)
    if not gateway.is_configured() or subscription is None or not subscription.is_live:
        return False
    wanted = max(1, seats_used(tenant=tenant))
    if wanted == subscription.quantity:
        return False
    remote = gateway.subscription_set_quantity(
        subscription_id=subscription.stripe_subscription_id,
        quantity=wanted,
        operation_id=f"{operation_id}:{wanted}",
    )
    subscription.quantity = remote.quantity
    return True


# --- Trial reminders --------------------------------------------------------------------------


def trial_ending_reminders() -> int:
    """Email the owners of each tenant whose trial ends within three days and that has not
    subscribed; once per owner and trial. Returns how many messages were recorded."""
    if not gateway.is_configured():  # without billing an ended trial locks nothing
        return 0
    now = utcnow()
    tenants = db.session.scalars(
        select(Tenant).where(
            Tenant.trial_ends_at > now, Tenant.trial_ends_at <= now + timedelta(days=TRIAL_REMINDER_DAYS)
        )
    ).all()
    sent = 0
    for tenant in tenants:
        scope_session(db.session, [tenant.id])
        subscription = subscription_get(tenant=tenant)
        if subscription is not None and subscription.is_live:
            continue
        for owner in _owners(tenant):
            message = mail_queue(
                to=owner.email,
                template="billing/email/trial_ending",
                dedupe_key=f"trial-ending:{tenant.id}:{tenant.trial_ends_at:%Y-%m-%d}:{owner.id}",
                tenant=tenant,
                owner=owner,
                days_left=days_until(tenant.trial_ends_at),
            )
            sent += message is not None
    return sent


def _owners(tenant: Tenant) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.tenant_id == tenant.id, Membership.role == Role.OWNER)
        )
    )
