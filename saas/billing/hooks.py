"""Where billing plugs into the rest of the app without the other wings importing it.

- Read-only mode: a check in tenants.context.tenant_request_checks refuses every write
  (non-GET) on tenant pages of a read-only tenant with 403, a reason and a link to billing.
  Billing's own pages stay open, and so does any view marked `allowed_when_read_only = True`
  (e.g. an export that is a POST). GET is always allowed: everything stays visible.
- Seats: a `before_flush` hook refuses (PlanLimitReached) a new membership or invitation
  that would add a seat past the plan's cap, however it is created; an `after_flush` hook
  queues the seat-count sync with Stripe once the transaction commits.
- PlanLimitReached anywhere becomes a 403 page (or JSON) with the message and an upgrade link.
- `billing_banner()` for base.html: trial days left, grace period, read-only, ending subscription.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import Flask, abort, current_app, g, make_response, render_template, request
from markupsafe import Markup
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug import Response

from saas.accounts.models import User
from saas.billing import entitlements, gateway, services
from saas.billing.entitlements import Standing
from saas.billing.errors import PlanLimitReached
from saas.billing.jobs import subscription_sync_seats
from saas.errors import wants_json
from saas.extensions import db
from saas.tenants.context import has_permission, is_write_request, tenant_request_checks
from saas.tenants.models import Invitation, Membership, Tenant
from saas.tenants.permissions import Permission

READ_ONLY_EXEMPT_BLUEPRINT = "billing"


def init_app(app: Flask) -> None:
    if refuse_writes_when_read_only not in tenant_request_checks:
        tenant_request_checks.append(refuse_writes_when_read_only)
    app.register_error_handler(PlanLimitReached, plan_limit_page)
    app.context_processor(lambda: {"billing_banner": billing_banner})


# --- Read-only mode ---------------------------------------------------------------------------


def refuse_writes_when_read_only(tenant: Tenant, _membership: Membership) -> None:
    """403 for a write to a read-only tenant, except billing's pages and views marked as allowed."""
    if not is_write_request() or request.blueprint == READ_ONLY_EXEMPT_BLUEPRINT or _allowed_when_read_only():
        return
    standing = entitlements.entitlements_for(tenant)
    if standing.read_only:
        abort(
            _refusal(
                PlanLimitReached(standing.reason, tenant_slug=tenant.slug),
                title="This organisation is read-only",
            )
        )


def _allowed_when_read_only() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "allowed_when_read_only", False))


def plan_limit_page(error: PlanLimitReached) -> Response:
    db.session.rollback()  # the refused change may have been half-flushed
    return _refusal(error, title="Plan limit reached")


def _refusal(error: PlanLimitReached, *, title: str) -> Response:
    if wants_json():
        body = {"status": 403, "message": str(error), "upgrade_url": error.upgrade_url}
        return make_response(body, 403)
    page = render_template(
        "billing/refused.html",
        title=title,
        message=str(error),
        upgrade_url=error.upgrade_url,
        can_manage_billing=has_permission(Permission.MANAGE_BILLING),
    )
    return make_response(page, 403)


# --- Banner -----------------------------------------------------------------------------------


def billing_banner() -> Markup:
    """The tenant's billing notice for base.html; empty outside tenant pages and when all is well."""
    if "tenant" not in g or not gateway.is_configured():
        return Markup("")
    standing = entitlements.entitlements_for(g.tenant)
    if standing.standing is Standing.ACTIVE and standing.until is None:
        return Markup("")
    html = render_template(
        "billing/_banner.html",
        standing=standing,
        Standing=Standing,
        can_manage_billing=has_permission(Permission.MANAGE_BILLING),
    )
    return Markup(html)  # noqa: S704 (an autoescaped template's output)


# --- Seats ------------------------------------------------------------------------------------


@event.listens_for(Session, "before_flush")
def _refuse_seats_past_the_cap(session: Session, _context: Any, _instances: Any) -> None:
    for tenant, emails in _seat_claims(session).items():
        held = services.seat_emails(tenant=tenant)
        entitlements.seats_claim(tenant, len(held | emails), before=len(held))


@event.listens_for(Session, "after_flush")
def _sync_seats_after_commit(session: Session, _context: Any) -> None:
    if not gateway.is_configured():
        return
    changed = {
        obj.tenant_id for obj in (*session.new, *session.deleted) if isinstance(obj, Membership | Invitation)
    }
    changed |= {obj.tenant_id for obj in session.dirty if isinstance(obj, Invitation)}  # renewed after expiry
    for tenant_id in changed:
        tenant = session.get(Tenant, tenant_id)
        if tenant is not None:  # None: the tenant itself is going
            subscription_sync_seats(tenant)


def _seat_claims(session: Session) -> dict[Tenant, set[str]]:
    """Per tenant, the emails that new memberships and new or renewed invitations give a seat."""
    claims: dict[Tenant, set[str]] = defaultdict(set)
    for obj in session.new:
        if isinstance(obj, Membership):
            user = obj.user or session.get(User, obj.user_id)
            claims[_tenant_of(session, obj)].add(user.email)
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Invitation):
            claims[_tenant_of(session, obj)].add(obj.email)
    return {tenant: emails for tenant, emails in claims.items() if tenant.id is not None}


def _tenant_of(session: Session, obj: Membership | Invitation) -> Tenant:
    return obj.tenant or session.get(Tenant, obj.tenant_id)
