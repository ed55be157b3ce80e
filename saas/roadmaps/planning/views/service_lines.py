"""Service line pages: list (every member), add, edit, retire, restore and delete (EDIT_ROADMAPS, 403 otherwise).

Lines of other tenants are 404, as every tenant page is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, g, redirect, render_template, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from saas.extensions import db
from saas.forms import form_status
from saas.roadmaps.blueprint import bp
from saas.roadmaps.errors import RoadmapError
from saas.roadmaps.planning.forms import ServiceLineForm
from saas.roadmaps.planning.models import ServiceLine
from saas.roadmaps.planning.services import service_lines as services
from saas.roadmaps.planning.services.members import member_list
from saas.roadmaps.saving import saved
from saas.tenants.context import permission_required
from saas.tenants.permissions import Permission

EDIT = Permission.EDIT_ROADMAPS
LINE = "/service-lines/<int:service_line_id>"


@bp.get("/service-lines")
@permission_required(Permission.VIEW)
def service_lines():
    """The tenant's service lines, with the roadmaps covering each and how much has been assessed in it."""
    return render_template(
        "roadmaps/service_lines/index.html", rows=services.service_line_overview(tenant=g.tenant)
    )


@bp.route("/service-lines/new", methods=["GET", "POST"])
@permission_required(EDIT)
def service_line_new():
    form = _form()
    if form.validate_on_submit() and saved(
        form,
        lambda: services.service_line_create(tenant=g.tenant, actor=current_user, **_args(form)),
    ):
        flash(f"Service line “{form.name.data.strip()}” added.", "success")
        return redirect(url_for(".service_lines"))
    return render_template("roadmaps/service_lines/form.html", form=form, line=None), form_status(form)


@bp.route(LINE, methods=["GET", "POST"])
@permission_required(EDIT)
def service_line_edit(service_line_id: int):
    line = _line_or_404(service_line_id)
    form = _form(line)
    if form.validate_on_submit() and saved(
        form,
        lambda: services.service_line_update(
            tenant=g.tenant, actor=current_user, service_line=line, **_args(form)
        ),
    ):
        flash(f"Service line “{line.name}” saved.", "success")
        return redirect(url_for(".service_lines"))
    return render_template("roadmaps/service_lines/form.html", form=form, line=line), form_status(form)


@bp.post(LINE + "/retire")
@permission_required(EDIT)
def service_line_retire(service_line_id: int):
    return _lifecycle(service_line_id, services.service_line_retire, "retired")


@bp.post(LINE + "/restore")
@permission_required(EDIT)
def service_line_restore(service_line_id: int):
    return _lifecycle(service_line_id, services.service_line_restore, "restored")


@bp.post(LINE + "/delete")
@permission_required(EDIT)
def service_line_delete(service_line_id: int):
    return _lifecycle(service_line_id, services.service_line_delete, "deleted")


# --- helpers ---------------------------------------------------------------------------------


def _line_or_404(service_line_id: int) -> ServiceLine:
    return services.service_line_get(tenant=g.tenant, service_line_id=service_line_id) or abort(404)


def _form(line: ServiceLine | None = None) -> ServiceLineForm:
    form = ServiceLineForm(obj=line)
    form.owner_id.choices = [
        SelectChoice("", "Nobody yet"),
        *(SelectChoice(person.id, person.name) for person in member_list(tenant=g.tenant)),
    ]
    return form


def _args(form: ServiceLineForm) -> dict[str, Any]:
    return {
        "name": form.name.data,
        "description": form.description.data or "",
        "owner_id": form.owner_id.data,
    }


def _lifecycle(service_line_id: int, change: Callable[..., Any], done: str):
    """Retire, restore or delete, then back to the list; a refusal is shown there with 422."""
    line = _line_or_404(service_line_id)
    name = line.name
    try:
        change(tenant=g.tenant, actor=current_user, service_line=line)
    except RoadmapError as error:
        db.session.rollback()
        rows = services.service_line_overview(tenant=g.tenant)
        return render_template("roadmaps/service_lines/index.html", rows=rows, refused=str(error)), 422
    db.session.commit()
    flash(f"Service line “{name}” {done}.", "success")
    return redirect(url_for(".service_lines"))
