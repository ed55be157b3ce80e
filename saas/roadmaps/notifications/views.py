"""Reminder and digest settings of a tenant: every member may see them, settings editors change them."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from saas.extensions import db
from saas.forms import show_error
from saas.roadmaps.blueprint import bp
from saas.roadmaps.notifications.forms import NotificationSettingsForm
from saas.roadmaps.notifications.services import schedule
from saas.roadmaps.notifications.services.schedule import NotificationSettingsError
from saas.tenants.context import has_permission, permission_required
from saas.tenants.permissions import Permission


@bp.get("/notifications")
@permission_required(Permission.VIEW)
def notification_settings():
    settings = schedule.notification_settings_get(tenant=g.tenant)
    return _page(NotificationSettingsForm(obj=settings))


@bp.post("/notifications")
@permission_required(Permission.EDIT_SETTINGS)
def notification_settings_save():
    form = NotificationSettingsForm()
    if form.validate_on_submit():
        try:
            schedule.notification_settings_update(
                tenant=g.tenant, actor=current_user, values=form.data_for_service()
            )
        except NotificationSettingsError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash("Reminder and digest settings saved.", "success")
            return redirect(url_for("roadmaps.notification_settings"))
    return _page(form, status=422)


def _page(form: NotificationSettingsForm, status: int = 200) -> ResponseReturnValue:
    page = render_template(
        "roadmaps/notifications/settings.html",
        form=form,
        can_edit=has_permission(Permission.EDIT_SETTINGS),
        timezone=g.tenant.timezone,
    )
    return page, status
