"""What we keep of Stripe: each tenant's customer, its subscription state, and the events seen."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from saas.database import utcnow
from saas.extensions import db
from saas.tenants.scoping import TenantScoped


class SubscriptionStatus(StrEnum):
    """Stripe's subscription statuses."""

    INCOMPLETE = "incomplete"
    INCOMPLETE_EXPIRED = "incomplete_expired"
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    UNPAID = "unpaid"
    CANCELED = "canceled"
    PAUSED = "paused"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


# A subscription in one of these is being paid for (or about to be); the others are over or never began.
LIVE_STATUSES = frozenset(
    {SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE}
)
# Checkout that never completed: the tenant is where it was before (trial or expired trial).
NEVER_STARTED = frozenset({SubscriptionStatus.INCOMPLETE, SubscriptionStatus.INCOMPLETE_EXPIRED})


class BillingCustomer(db.Model):
    """A tenant's Stripe customer, created once. An access table (not tenant-scoped): webhooks
    arrive without a tenant and find it here by customer id before entering its scope."""

    __tablename__ = "billing_customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), unique=True)
    stripe_customer_id: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Subscription(TenantScoped, db.Model):
    """The tenant's subscription as Stripe last told us; written only from webhooks and seat syncs."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stripe_subscription_id: Mapped[str] = mapped_column(String(255))
    plan: Mapped[str] = mapped_column(String(32))
    status: Mapped[SubscriptionStatus] = mapped_column(String(32))
    quantity: Mapped[int] = mapped_column(default=1)
    current_period_end: Mapped[datetime | None]
    cancel_at_period_end: Mapped[bool] = mapped_column(default=False)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # `created` (Unix seconds) of the newest event whose state we fetched: older events add nothing.
    last_event_created: Mapped[int] = mapped_column(BigInteger, default=0)
    grace_until: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES


class StripeEvent(db.Model):
    """A webhook event we processed; the unique id makes the second delivery a no-op."""

    __tablename__ = "stripe_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), unique=True)
    type: Mapped[str] = mapped_column(String(100))
    created: Mapped[int] = mapped_column(BigInteger)
    processed_at: Mapped[datetime] = mapped_column(default=utcnow)
