"""What a tenant may do now, from its plan and billing standing: the one place other wings ask.

    entitlements_for(tenant)            limits, read-only flag and the reason, for pages and rules
    require_writable(tenant)            PlanLimitReached while the tenant is read-only
    seats_check(tenant, adding=1)       PlanLimitReached if more seats would pass the plan's cap
    roadmap_limit_check(tenant, active_roadmaps=n)   before activating one more roadmap
    storage_check(tenant, used_bytes=.., adding_bytes=..)   before storing more evidence

Billing off (no STRIPE_SECRET_KEY, the quick start): the trial plan's limits, never read-only,
whatever the trial date says. Billing on: a live subscription gives its plan; past due keeps
it writable for BILLING_GRACE_DAYS; an ended trial without subscription, a canceled, unpaid or
paused subscription, or an ended grace period make the tenant read-only. Nothing is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from saas.billing import gateway, services
from saas.billing.errors import PlanLimitReached
from saas.billing.models import NEVER_STARTED, Subscription, SubscriptionStatus
from saas.billing.plans import TEAM, TRIAL, Plan, plan_get
from saas.database import utcnow
from saas.extensions import db
from saas.tenants.models import Tenant
from saas.tenants.scoping import session_scope

__all__ = [
    "Entitlements",
    "PlanLimitReached",
    "Standing",
    "entitlements_for",
    "require_writable",
    "roadmap_limit_check",
    "seats_check",
    "storage_check",
]

_SUBSCRIBED = frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING})


class Standing(StrEnum):
    UNCONFIGURED = "unconfigured"  # billing off: trial limits, never read-only
    TRIAL = "trial"  # until: the trial's end
    ACTIVE = "active"  # until: the end of a subscription canceled at period end, else None
    GRACE = "grace"  # payment failed; until: the end of the grace period
    READ_ONLY = "read_only"


@dataclass(frozen=True)
class Entitlements:
    plan: Plan
    standing: Standing
    reason: str
    until: datetime | None = None

    @property
    def read_only(self) -> bool:
        return self.standing is Standing.READ_ONLY

    @property
    def max_seats(self) -> int:
        return self.plan.max_seats

    @property
    def max_active_roadmaps(self) -> int | None:
        """None: no limit."""
        return self.plan.max_active_roadmaps

    @property
    def consultant_features(self) -> bool:
        return self.plan.consultant_features

    @property
    def evidence_mb(self) -> int:
        return self.plan.evidence_mb

    @property
    def days_left(self) -> int | None:
        return services.days_until(self.until) if self.until else None


def entitlements_for(tenant: Tenant) -> Entitlements:
    """The tenant's limits and standing now (see the module docstring for the rules)."""
    if not gateway.is_configured():
        return Entitlements(
            TRIAL, Standing.UNCONFIGURED, "Billing is not configured: the trial plan applies."
        )
    subscription = _subscription(tenant)
    if subscription is None or subscription.status in NEVER_STARTED:
        return _trial(tenant)
    return _subscribed(subscription)


def require_writable(tenant: Tenant) -> None:
    """PlanLimitReached while the tenant is read-only; everything stays visible and exportable."""
    entitlements = entitlements_for(tenant)
    if entitlements.read_only:
        raise PlanLimitReached(entitlements.reason, tenant_slug=tenant.slug)


def seats_check(tenant: Tenant, *, adding: int = 1) -> None:
    """PlanLimitReached if `adding` more seats would pass the plan's cap (members and pending
    invitations hold seats)."""
    used = services.seats_used(tenant=tenant)
    seats_claim(tenant, used + adding, before=used)


def seats_claim(tenant: Tenant, after: int, *, before: int) -> None:
    """PlanLimitReached if going from `before` to `after` seats adds seats past the cap; a tenant
    already over it (after a downgrade) keeps its people but adds nobody."""
    limit = entitlements_for(tenant)
    if after > before and after > limit.max_seats:
        raise PlanLimitReached(
            f"{tenant.name} uses {before} of the {limit.max_seats} seats of the {limit.plan.name} plan, "
            "so nobody more can join. Upgrade the plan, or remove a member or a pending invitation first.",
            tenant_slug=tenant.slug,
        )


def roadmap_limit_check(tenant: Tenant, *, active_roadmaps: int) -> None:
    """PlanLimitReached if the tenant already has as many active roadmaps as its plan allows."""
    limit = entitlements_for(tenant)
    if limit.max_active_roadmaps is not None and active_roadmaps >= limit.max_active_roadmaps:
        raise PlanLimitReached(
            f"The {limit.plan.name} plan allows {limit.max_active_roadmaps} active roadmaps. "
            "Archive one, or upgrade the plan.",
            tenant_slug=tenant.slug,
        )


def storage_check(tenant: Tenant, *, used_bytes: int, adding_bytes: int) -> None:
    """PlanLimitReached if storing `adding_bytes` more evidence would pass the plan's storage."""
    limit = entitlements_for(tenant)
    if used_bytes + adding_bytes > limit.evidence_mb * 1024 * 1024:
        raise PlanLimitReached(
            f"The {limit.plan.name} plan stores up to {limit.evidence_mb} MB of evidence. "
            "Remove old files, link to them instead, or upgrade the plan.",
            tenant_slug=tenant.slug,
        )


def _subscription(tenant: Tenant) -> Subscription | None:
    if tenant.id is None:  # not even flushed: a brand-new tenant
        return None
    if tenant.id not in session_scope(db.session):
        # Outside the scope the subscription is invisible, and the tenant would look unpaid.
        raise RuntimeError(f"entitlements_for({tenant!r}) needs the tenant in the session's scope")
    return services.subscription_get(tenant=tenant)


def _trial(tenant: Tenant) -> Entitlements:
    ends = tenant.trial_ends_at
    if ends is not None and ends > utcnow():
        days = services.days_until(ends)
        return Entitlements(TRIAL, Standing.TRIAL, f"Free trial: {days} day{'s' * (days != 1)} left.", ends)
    ended = f" on {ends:%d %B %Y}" if ends else ""
    return Entitlements(
        TRIAL,
        Standing.READ_ONLY,
        f"The free trial ended{ended}. Everything stays visible and exportable; choose a plan to make changes again.",
        ends,
    )


def _subscribed(subscription: Subscription) -> Entitlements:
    plan = plan_get(subscription.plan) or TEAM
    status = SubscriptionStatus(subscription.status)
    if status in _SUBSCRIBED:
        if subscription.cancel_at_period_end and subscription.current_period_end:
            ends = subscription.current_period_end
            return Entitlements(plan, Standing.ACTIVE, f"The subscription ends on {ends:%d %B %Y}.", ends)
        return Entitlements(plan, Standing.ACTIVE, f"{plan.name} plan.")
    if (
        status is SubscriptionStatus.PAST_DUE
        and subscription.grace_until
        and subscription.grace_until > utcnow()
    ):
        return Entitlements(
            plan,
            Standing.GRACE,
            f"The last payment failed. Update the payment method by {subscription.grace_until:%d %B %Y} "
            "to keep making changes.",
            subscription.grace_until,
        )
    return Entitlements(plan, Standing.READ_ONLY, _read_only_reason(status))


def _read_only_reason(status: SubscriptionStatus) -> str:
    why = {
        SubscriptionStatus.PAST_DUE: "Payment is overdue and the grace period is over; pay the open invoice",
        SubscriptionStatus.UNPAID: "The subscription is unpaid; pay the open invoice",
        SubscriptionStatus.PAUSED: "The subscription is paused; resume it",
    }.get(status, "The subscription was canceled; subscribe again")
    return f"{why} to make changes again. Everything stays visible and exportable."
