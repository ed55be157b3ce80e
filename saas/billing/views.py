"""Billing pages: the public pricing page; for owners (MANAGE_BILLING) the billing page,
checkout, the customer portal, and the pages Stripe Checkout returns to."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, url_for
from flask_login import current_user
from werkzeug import Response

from saas.billing import bp, gateway, public_bp, services
from saas.billing.entitlements import entitlements_for
from saas.billing.errors import BillingError, InvalidCheckout
from saas.billing.forms import CheckoutForm, PortalForm
from saas.billing.plans import PAID_PLANS, TRIAL, plan_get
from saas.extensions import db
from saas.tenants.context import permission_required
from saas.tenants.nav import NavItem, add_nav_item
from saas.tenants.permissions import Permission

add_nav_item(NavItem("Billing", "billing.show", permission=Permission.MANAGE_BILLING, order=90))

MANAGE = Permission.MANAGE_BILLING


@public_bp.get("/pricing")
def pricing():
    return render_template("billing/pricing.html", trial=TRIAL, plans=PAID_PLANS)


@bp.get("/billing")
@permission_required(MANAGE)
def show():
    return _billing_page(CheckoutForm())


@bp.post("/billing/checkout")
@permission_required(MANAGE)
def checkout() -> Response | tuple[str, int]:
    """Off to Stripe Checkout (303); the subscription shows up here when Stripe's webhook confirms it."""
    form = CheckoutForm()
    if not form.validate_on_submit():
        return _billing_page(form), 422
    try:
        url = services.checkout_start(
            tenant=g.tenant,
            actor=current_user,
            plan_key=form.plan.data,
            seats=form.seats.data,
            operation_id=form.operation_id.data,
            success_url=_absolute(url_for(".success")),
            cancel_url=_absolute(url_for(".cancelled")),
        )
    except InvalidCheckout as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return _billing_page(form), 422
    except BillingError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for(".show"))
    db.session.commit()
    return redirect(url, 303)


@bp.post("/billing/portal")
@permission_required(MANAGE)
def portal() -> Response:
    """Off to Stripe's customer portal: plan, seats, card, cancellation, invoices."""
    form = PortalForm()
    if not form.validate_on_submit():
        flash("The form expired; please try again.", "error")
        return redirect(url_for(".show"))
    try:
        url = services.portal_start(
            tenant=g.tenant, return_url=_absolute(url_for(".show")), operation_id=form.operation_id.data
        )
    except BillingError as error:
        flash(str(error), "error")
        return redirect(url_for(".show"))
    return redirect(url, 303)


@bp.get("/billing/success")
@permission_required(MANAGE)
def success():
    return render_template("billing/success.html")


@bp.get("/billing/cancelled")
@permission_required(MANAGE)
def cancelled():
    return render_template("billing/cancelled.html")


def _billing_page(form: CheckoutForm) -> str:
    configured = gateway.is_configured()
    subscription = services.subscription_get(tenant=g.tenant)
    used = services.seats_used(tenant=g.tenant)
    if form.seats.data is None:
        form.seats.data = max(used, 1)
    return render_template(
        "billing/show.html",
        configured=configured,
        entitlements=entitlements_for(g.tenant),
        subscription=subscription,
        subscribed_plan=plan_get(subscription.plan) if subscription else None,
        seats_used=used,
        has_customer=configured and services.customer_id_get(tenant=g.tenant) is not None,
        form=form,
        portal_form=PortalForm(formdata=None),
        plans=PAID_PLANS,
    )


def _absolute(path: str) -> str:
    return current_app.config["BASE_URL"] + path
