"""What a tenant may do, from its trial, its subscription and whether billing is configured."""

from __future__ import annotations

from datetime import timedelta

import pytest

from saas.billing.entitlements import (
    PlanLimitReached,
    Standing,
    entitlements_for,
    require_writable,
    roadmap_limit_check,
    seats_check,
    storage_check,
)
from saas.database import utcnow
from saas.extensions import db
from saas.tenants.permissions import Role
from saas.tenants.scoping import clear_scope, scope_session
from tests.billing.conftest import end_trial, subscribe
from tests.support import add_member, owner_of


def test_without_billing_configured_the_trial_limits_apply_and_an_ended_trial_locks_nothing(tenant):
    end_trial(tenant)

    rights = entitlements_for(tenant)

    assert (rights.standing, rights.plan.key, rights.read_only) == (Standing.UNCONFIGURED, "trial", False)
    assert (rights.max_seats, rights.max_active_roadmaps) == (10, 3)
    require_writable(tenant)


def test_a_running_trial_counts_its_days(stripe, tenant):
    tenant.trial_ends_at = utcnow() + timedelta(days=3, hours=2)

    rights = entitlements_for(tenant)

    assert (rights.standing, rights.read_only, rights.days_left) == (Standing.TRIAL, False, 4)
    assert rights.reason == "Free trial: 4 days left."


def test_an_ended_trial_without_subscription_is_read_only(stripe, tenant):
    end_trial(tenant)

    rights = entitlements_for(tenant)

    assert rights.read_only
    assert "The free trial ended on" in rights.reason
    assert "visible and exportable" in rights.reason
    with pytest.raises(PlanLimitReached) as refused:
        require_writable(tenant)
    assert refused.value.upgrade_url == f"http://localhost/t/{tenant.slug}/billing"


def test_a_checkout_that_never_completed_leaves_the_trial_as_it_was(stripe, tenant):
    subscribe(tenant, status="incomplete")

    assert entitlements_for(tenant).standing is Standing.TRIAL


@pytest.mark.parametrize(
    ("plan", "seats", "roadmaps", "consultant"),
    [("team", 15, 3, False), ("business", 250, None, False), ("consultant", 50, None, True)],
)
def test_an_active_subscription_gives_its_plans_limits(stripe, tenant, plan, seats, roadmaps, consultant):
    end_trial(tenant)
    subscribe(tenant, plan=plan)

    rights = entitlements_for(tenant)

    assert (rights.standing, rights.read_only) == (Standing.ACTIVE, False)
    assert (rights.max_seats, rights.max_active_roadmaps, rights.consultant_features) == (
        seats,
        roadmaps,
        consultant,
    )


def test_a_subscription_canceled_at_period_end_works_until_then(stripe, tenant):
    ends = utcnow() + timedelta(days=9)
    subscribe(tenant, cancel_at_period_end=True, current_period_end=ends)

    rights = entitlements_for(tenant)

    assert (rights.standing, rights.until, rights.read_only) == (Standing.ACTIVE, ends, False)
    assert rights.reason.startswith("The subscription ends on")


def test_past_due_is_writable_during_the_grace_period_then_read_only(stripe, tenant):
    subscription = subscribe(tenant, status="past_due", grace_until=utcnow() + timedelta(days=2))
    in_grace = entitlements_for(tenant)
    subscription.grace_until = utcnow() - timedelta(minutes=1)
    db.session.commit()
    after = entitlements_for(tenant)

    assert (in_grace.standing, in_grace.read_only) == (Standing.GRACE, False)
    assert "payment failed" in in_grace.reason
    assert after.read_only
    assert "grace period is over" in after.reason


@pytest.mark.parametrize("status", ["canceled", "unpaid", "paused"])
def test_canceled_unpaid_or_paused_is_read_only_even_during_the_trial(stripe, tenant, status):
    subscribe(tenant, status=status)

    rights = entitlements_for(tenant)

    assert rights.read_only
    assert "visible and exportable" in rights.reason


def test_limit_checks_refuse_with_a_message_and_an_upgrade_link(stripe, tenant):
    subscribe(tenant, plan="team")

    roadmap_limit_check(tenant, active_roadmaps=2)
    with pytest.raises(PlanLimitReached, match="allows 3 active roadmaps") as roadmaps:
        roadmap_limit_check(tenant, active_roadmaps=3)
    storage_check(tenant, used_bytes=0, adding_bytes=2_000 * 1024 * 1024)
    with pytest.raises(PlanLimitReached, match="up to 2000 MB"):
        storage_check(tenant, used_bytes=1, adding_bytes=2_000 * 1024 * 1024)
    assert roadmaps.value.upgrade_url.endswith(f"/t/{tenant.slug}/billing")


def test_seats_check_counts_members(stripe, tenant):
    for number in range(8):
        add_member(tenant, Role.STAFF, email=f"staff{number}@example.com")

    seats_check(tenant)  # the tenth seat
    with pytest.raises(PlanLimitReached, match="uses 9 of the 10 seats of the Trial plan"):
        seats_check(tenant, adding=2)


def test_entitlements_outside_the_tenants_scope_fail_loudly(stripe, tenant):
    clear_scope(db.session)

    with pytest.raises(RuntimeError, match="scope"):
        entitlements_for(tenant)
    scope_session(db.session, [tenant.id])


# --- The banner -------------------------------------------------------------------------------


def test_trial_banner_shows_days_left_and_owners_get_a_link_to_choose_a_plan(client, stripe, tenant):
    staff = add_member(tenant, Role.STAFF)
    client.login(owner_of(tenant))
    owner_page = client.get(f"/t/{tenant.slug}/").get_data(as_text=True)
    client.login(staff)
    staff_page = client.get(f"/t/{tenant.slug}/").get_data(as_text=True)

    assert "Free trial: 14 days left." in owner_page
    assert "Choose a plan" in owner_page
    assert "Free trial: 14 days left." in staff_page
    assert "Choose a plan" not in staff_page


def test_grace_and_read_only_banners(client, stripe, tenant):
    subscription = subscribe(tenant, status="past_due", grace_until=utcnow() + timedelta(days=3))
    client.login(owner_of(tenant))
    grace = client.get(f"/t/{tenant.slug}/").get_data(as_text=True)
    subscription.status = "canceled"
    db.session.commit()
    lapsed = client.get(f"/t/{tenant.slug}/").get_data(as_text=True)

    assert "The last payment failed" in grace
    assert "Manage billing" in grace
    assert "Read-only." in lapsed
    assert "subscribe again" in lapsed


def test_no_banner_when_billing_is_off(client, tenant):
    client.login(owner_of(tenant))

    page = client.get(f"/t/{tenant.slug}/").get_data(as_text=True)

    assert "alert" not in page.split("<main")[0]


def test_no_banner_when_paid_up(client, stripe, tenant):
    subscribe(tenant)
    client.login(owner_of(tenant))

    page = client.get(f"/t/{tenant.slug}/").get_data(as_text=True)

    assert "alert" not in page.split("<main")[0]
