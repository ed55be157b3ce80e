"""The personal calendar feed: a page to create, rotate or revoke it, and the secret .ics URL."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from saas.extensions import db, limiter
from saas.roadmaps.items.models import ActionItem
from saas.roadmaps.items.services import calendar
from saas.roadmaps.items.services.lists import user_tenant_ids
from saas.roadmaps.items.views.items import my_bp
from saas.tenants.scoping import scope_session


@my_bp.get("/my/calendar")
@login_required
def calendar_page():
    return render_template(
        "roadmaps/items/calendar.html", feed=calendar.feed_get(user=current_user), feed_url=None
    )


@my_bp.post("/my/calendar")
@login_required
def calendar_rotate():
    """A new secret URL, shown once (only its digest is kept); any older URL stops working."""
    token = calendar.feed_rotate(user=current_user)
    db.session.commit()
    feed_url = _absolute(url_for("my.calendar_feed", token=token))
    return render_template(
        "roadmaps/items/calendar.html",
        feed=calendar.feed_get(user=current_user),
        feed_url=feed_url,
        webcal_url="webcal://" + feed_url.split("://", 1)[1],
    )


@my_bp.post("/my/calendar/revoke")
@login_required
def calendar_revoke():
    if calendar.feed_revoke(user=current_user):
        db.session.commit()
        flash("Your calendar feed is turned off; calendars using it will stop updating.", "success")
    return redirect(url_for("my.calendar_page"))


@my_bp.get("/calendar/<token>.ics")
@limiter.limit("60 per minute")
def calendar_feed(token: str):
    """The user's open items with due dates, in every tenant they belong to; 404 for any other token."""
    user = calendar.feed_user(token)
    if user is None:
        abort(404)
    tenant_ids = user_tenant_ids(user)
    scope_session(db.session, tenant_ids)
    body = calendar.feed_calendar(
        calendar.feed_items(user=user, tenant_ids=tenant_ids),
        item_url=_item_url,
        host=urlsplit(current_app.config["BASE_URL"]).hostname or "localhost",
    )
    return Response(
        body,
        mimetype="text/calendar",
        headers={
            "Cache-Control": "private, max-age=300",
            "Content-Disposition": 'inline; filename="action-items.ics"',
        },
    )


def _item_url(item: ActionItem) -> str:
    return _absolute(url_for("roadmaps.item_show", tenant_slug=item.tenant.slug, item_id=item.id))


def _absolute(path: str) -> str:
    return current_app.config["BASE_URL"] + path
