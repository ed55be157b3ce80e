"""The plans, defined here and nowhere else: limits, shown prices, and the Stripe price of each.

Seats are billed per seat in use: the subscription quantity follows the members plus the
pending invitations, and each plan caps it at `max_seats`. The shown prices are for the
pricing page; Stripe charges what the configured price (STRIPE_PRICE_*) says, so keep them equal.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app


@dataclass(frozen=True)
class Plan:
    key: str
    name: str
    summary: str
    max_seats: int
    max_active_roadmaps: int | None  # None: no limit
    consultant_features: bool
    evidence_mb: int
    monthly_price_per_seat: int | None = None  # whole euros; None for the trial
    price_setting: str | None = None  # the config key holding the Stripe price id

    @property
    def purchasable(self) -> bool:
        return self.price_setting is not None

    def price_id(self) -> str:
        """The Stripe price id from the config; empty when the plan cannot be bought."""
        return current_app.config.get(self.price_setting, "") if self.price_setting else ""


TRIAL = Plan(
    key="trial",
    name="Trial",
    summary="Everything, for a small team, while you find out whether it fits.",
    max_seats=10,
    max_active_roadmaps=3,
    consultant_features=True,
    evidence_mb=500,
)
TEAM = Plan(
    key="team",
    name="Team",
    summary="One organisation working towards its first maturity level.",
    max_seats=15,
    max_active_roadmaps=3,
    consultant_features=False,
    evidence_mb=2_000,
    monthly_price_per_seat=12,
    price_setting="STRIPE_PRICE_TEAM",
)
BUSINESS = Plan(
    key="business",
    name="Business",
    summary="Several service lines and programmes running side by side.",
    max_seats=250,
    max_active_roadmaps=None,
    consultant_features=False,
    evidence_mb=20_000,
    monthly_price_per_seat=24,
    price_setting="STRIPE_PRICE_BUSINESS",
)
CONSULTANT = Plan(
    key="consultant",
    name="Consultant",
    summary="For consultancies guiding several client organisations: portfolio and client views.",
    max_seats=50,
    max_active_roadmaps=None,
    consultant_features=True,
    evidence_mb=10_000,
    monthly_price_per_seat=39,
    price_setting="STRIPE_PRICE_CONSULTANT",
)

PLANS: dict[str, Plan] = {plan.key: plan for plan in (TRIAL, TEAM, BUSINESS, CONSULTANT)}
PAID_PLANS: tuple[Plan, ...] = tuple(plan for plan in PLANS.values() if plan.purchasable)


def plan_get(key: str | None) -> Plan | None:
    return PLANS.get(key or "")


def plan_for_price(price_id: str | None) -> Plan | None:
    """The paid plan whose configured Stripe price is `price_id`, if any."""
    return next((plan for plan in PAID_PLANS if price_id and plan.price_id() == price_id), None)
