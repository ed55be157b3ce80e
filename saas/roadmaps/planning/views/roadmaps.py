"""Roadmap pages: list, create (guided selection), plan and phases, lifecycle actions.

Every page needs a member of the tenant (404 otherwise, see tenants.context); changes need
EDIT_ROADMAPS (403), and deletion also an owner or program manager (checked by the service).
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from saas.catalog import services as catalog
from saas.catalog.models import CatalogModel
from saas.extensions import db
from saas.forms import form_status
from saas.roadmaps.blueprint import bp
from saas.roadmaps.errors import NotAllowed, RoadmapError
from saas.roadmaps.planning.forms import (
    AreaPlanForm,
    PhaseForm,
    RoadmapForm,
    RoadmapSettingsForm,
    SelectionForm,
)
from saas.roadmaps.planning.models import Phase, Roadmap, RoadmapArea, RoadmapStatus, TargetKind
from saas.roadmaps.planning.services import areas as area_services
from saas.roadmaps.planning.services import members, phases, selection, service_lines
from saas.roadmaps.planning.services import roadmaps as services
from saas.roadmaps.planning.timeline import timeline_layout
from saas.roadmaps.saving import saved
from saas.tenants.clock import tenant_today
from saas.tenants.context import current_role, has_permission, permission_required
from saas.tenants.nav import NavItem, add_nav_item
from saas.tenants.permissions import Permission

add_nav_item(NavItem("Roadmaps", "roadmaps.index", order=10))

EDIT = Permission.EDIT_ROADMAPS
PER_PAGE = 20


@bp.context_processor
def roadmap_helpers() -> dict[str, Any]:
    return {
        "can_edit_roadmaps": has_permission(EDIT),
        "can_delete_roadmaps": "membership" in g and services.can_delete_roadmap(current_role()),
        "maturity_level_name": maturity_level_name,
        "target_label": services.target_label,
    }


# --- list and create ---------------------------------------------------------------------


@bp.get("/roadmaps")
def index():
    status = RoadmapStatus.ARCHIVED if request.args.get("status") == "archived" else RoadmapStatus.ACTIVE
    listing = services.roadmap_list(
        tenant=g.tenant, status=status, page=request.args.get("page", 1, type=int), per_page=PER_PAGE
    )
    counts = services.roadmap_status_counts(tenant=g.tenant)
    return render_template("roadmaps/index.html", listing=listing, status=status, counts=counts)


@bp.get("/roadmaps/new")
@permission_required(EDIT)
def new():
    return _render_new(_roadmap_form())


@bp.post("/roadmaps")
@permission_required(EDIT)
def create():
    form = _roadmap_form()
    if form.validate_on_submit():
        roadmap = saved(
            form, lambda: services.roadmap_create(tenant=g.tenant, actor=current_user, **form.service_args())
        )
        if roadmap:
            flash(f"Roadmap “{roadmap.name}” created with {len(roadmap.areas)} process areas.", "success")
            return redirect(url_for(".show", roadmap_id=roadmap.id))
    return _render_new(form), 422


@bp.post("/roadmaps/selection-effect")
@permission_required(EDIT)
def selection_effect():
    """The htmx fragment under the guided selection: what the ticked areas (or the target) reach."""
    form = RoadmapForm()
    areas = services.catalog_areas(services.catalog_model())
    try:
        picks = selection.resolve_selection(
            areas,
            target_kind=form.target_kind.data or TargetKind.CAPABILITY_PROFILE,
            target_maturity_level=form.target_maturity_level.data,
            profile=form.areas.data,
            area_codes=form.areas.data,
            include_ssd=form.include_ssd.data,
        )
    except RoadmapError as error:
        return render_template("roadmaps/_selection_effect.html", error=str(error), effect=None, picks=[])
    effect = selection.selection_effect(areas, picks)
    return render_template("roadmaps/_selection_effect.html", error=None, effect=effect, picks=picks)


# --- one roadmap -------------------------------------------------------------------------


@bp.get("/roadmaps/<int:roadmap_id>/plan")
def plan(roadmap_id: int):
    roadmap = roadmap_or_404(roadmap_id)
    areas = services.roadmap_areas(roadmap=roadmap)
    timeline = timeline_layout(roadmap.phases, areas, today=tenant_today(roadmap.tenant))
    return render_template(
        "roadmaps/plan.html",
        roadmap=roadmap,
        areas=areas,
        timeline=timeline,
        service_lines=service_lines.roadmap_service_lines(roadmap=roadmap),
    )


@bp.route("/roadmaps/<int:roadmap_id>/settings", methods=["GET", "POST"])
@permission_required(EDIT)
def settings(roadmap_id: int):
    roadmap = roadmap_or_404(roadmap_id)
    form = RoadmapSettingsForm(
        obj=roadmap, service_line_ids=[link.service_line_id for link in roadmap.service_line_links]
    )
    lines = service_lines.service_line_list(tenant=g.tenant)
    form.service_line_ids.choices = [SelectChoice(line.id, line.name) for line in lines]
    if form.validate_on_submit() and saved(
        form,
        lambda: services.roadmap_update(
            tenant=g.tenant,
            actor=current_user,
            roadmap=roadmap,
            name=form.name.data,
            description=form.description.data or "",
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            service_line_ids=form.service_line_ids.data if len(lines) > 1 else None,
        ),
    ):
        flash("Roadmap saved.", "success")
        return redirect(url_for(".plan", roadmap_id=roadmap.id))
    return render_template("roadmaps/settings.html", roadmap=roadmap, form=form), form_status(form)


@bp.route("/roadmaps/<int:roadmap_id>/selection", methods=["GET", "POST"])
@permission_required(EDIT)
def edit_selection(roadmap_id: int):
    roadmap = roadmap_or_404(roadmap_id)
    current = {selected.area.code: selected.target_capability_level for selected in roadmap.areas}
    form = SelectionForm(areas=current, target_maturity_level=roadmap.target_maturity_level)
    form.target_maturity_level.choices = _maturity_choices()
    if form.validate_on_submit() and saved(
        form,
        lambda: area_services.roadmap_selection_set(
            tenant=g.tenant,
            actor=current_user,
            roadmap=roadmap,
            profile=form.areas.data,
            target_maturity_level=form.target_maturity_level.data,
        ),
    ):
        flash("Selection saved.", "success")
        return redirect(url_for(".plan", roadmap_id=roadmap.id))
    return render_template("roadmaps/selection.html", roadmap=roadmap, form=form, **_guide()), form_status(
        form
    )


@bp.route("/roadmaps/<int:roadmap_id>/areas/<int:roadmap_area_id>", methods=["GET", "POST"])
@permission_required(EDIT)
def edit_area(roadmap_id: int, roadmap_area_id: int):
    roadmap = roadmap_or_404(roadmap_id)
    selected = _area_or_404(roadmap, roadmap_area_id)
    form = AreaPlanForm(obj=selected)
    form.phase_id.choices = [
        SelectChoice("", "Not placed yet"),
        *(SelectChoice(phase.id, phase.name) for phase in roadmap.phases),
    ]
    people = members.member_list(tenant=g.tenant)
    form.owner_id.choices = [
        SelectChoice("", "Nobody yet"),
        *(SelectChoice(person.id, person.name) for person in people),
    ]
    if form.validate_on_submit() and saved(
        form,
        lambda: area_services.roadmap_area_update(
            tenant=g.tenant,
            actor=current_user,
            roadmap=roadmap,
            roadmap_area=selected,
            target_capability_level=form.target_capability_level.data,
            priority=form.priority.data,
            phase_id=form.phase_id.data,
            owner_id=form.owner_id.data,
            rationale=form.rationale.data or "",
            not_applicable=form.not_applicable.data,
        ),
    ):
        flash(f"{selected.area.code} saved.", "success")
        return redirect(url_for(".plan", roadmap_id=roadmap.id))
    page = render_template("roadmaps/area_form.html", roadmap=roadmap, selected=selected, form=form)
    return page, form_status(form)


@bp.post("/roadmaps/<int:roadmap_id>/areas/<int:roadmap_area_id>/remove")
@permission_required(EDIT)
def remove_area(roadmap_id: int, roadmap_area_id: int):
    roadmap = roadmap_or_404(roadmap_id)
    selected = _area_or_404(roadmap, roadmap_area_id)
    code = selected.area.code
    area_services.roadmap_area_remove(
        tenant=g.tenant, actor=current_user, roadmap=roadmap, roadmap_area=selected
    )
    db.session.commit()
    flash(f"{code} removed from the roadmap.", "success")
    return redirect(url_for(".plan", roadmap_id=roadmap.id))


# --- phases ----------------------------------------------------------------------------------


@bp.route("/roadmaps/<int:roadmap_id>/phases/new", methods=["GET", "POST"])
@permission_required(EDIT)
def new_phase(roadmap_id: int):
    roadmap = roadmap_or_404(roadmap_id)
    form = _phase_form(roadmap)
    if form.validate_on_submit() and saved(
        form,
        lambda: phases.phase_create(
            tenant=g.tenant, actor=current_user, roadmap=roadmap, **_phase_args(form)
        ),
    ):
        flash(f"Phase “{form.name.data}” added.", "success")
        return redirect(url_for(".plan", roadmap_id=roadmap.id))
    return render_template("roadmaps/phase_form.html", roadmap=roadmap, form=form, phase=None), form_status(
        form
    )


@bp.route("/roadmaps/<int:roadmap_id>/phases/<int:phase_id>", methods=["GET", "POST"])
@permission_required(EDIT)
def edit_phase(roadmap_id: int, phase_id: int):
    roadmap = roadmap_or_404(roadmap_id)
    phase = _phase_or_404(roadmap, phase_id)
    form = _phase_form(roadmap, phase)
    if form.validate_on_submit() and saved(
        form,
        lambda: phases.phase_update(
            tenant=g.tenant, actor=current_user, roadmap=roadmap, phase=phase, **_phase_args(form)
        ),
    ):
        flash(f"Phase “{form.name.data}” saved.", "success")
        return redirect(url_for(".plan", roadmap_id=roadmap.id))
    return render_template("roadmaps/phase_form.html", roadmap=roadmap, form=form, phase=phase), form_status(
        form
    )


@bp.post("/roadmaps/<int:roadmap_id>/phases/<int:phase_id>/delete")
@permission_required(EDIT)
def delete_phase(roadmap_id: int, phase_id: int):
    roadmap = roadmap_or_404(roadmap_id)
    phase = _phase_or_404(roadmap, phase_id)
    phases.phase_delete(tenant=g.tenant, actor=current_user, roadmap=roadmap, phase=phase)
    db.session.commit()
    flash("Phase removed; its areas are kept.", "success")
    return redirect(url_for(".plan", roadmap_id=roadmap.id))


# --- lifecycle -------------------------------------------------------------------------------


@bp.post("/roadmaps/<int:roadmap_id>/archive")
@permission_required(EDIT)
def archive(roadmap_id: int):
    roadmap = services.roadmap_archive(
        tenant=g.tenant, actor=current_user, roadmap=roadmap_or_404(roadmap_id)
    )
    db.session.commit()
    flash(f"“{roadmap.name}” archived.", "success")
    return redirect(url_for(".index"))


@bp.post("/roadmaps/<int:roadmap_id>/restore")
@permission_required(EDIT)
def restore(roadmap_id: int):
    roadmap = services.roadmap_restore(
        tenant=g.tenant, actor=current_user, roadmap=roadmap_or_404(roadmap_id)
    )
    db.session.commit()
    flash(f"“{roadmap.name}” restored.", "success")
    return redirect(url_for(".show", roadmap_id=roadmap.id))


@bp.post("/roadmaps/<int:roadmap_id>/duplicate")
@permission_required(EDIT)
def duplicate(roadmap_id: int):
    copy = services.roadmap_duplicate(tenant=g.tenant, actor=current_user, roadmap=roadmap_or_404(roadmap_id))
    db.session.commit()
    flash(f"Copied as “{copy.name}” (areas, phases and service lines; no items or assessments).", "success")
    return redirect(url_for(".plan", roadmap_id=copy.id))


@bp.post("/roadmaps/<int:roadmap_id>/delete")
@permission_required(EDIT)
def delete(roadmap_id: int):
    roadmap = roadmap_or_404(roadmap_id)
    name = roadmap.name
    try:
        services.roadmap_delete(tenant=g.tenant, actor=current_user, roadmap=roadmap)
    except NotAllowed as error:
        abort(403, description=str(error))
    db.session.commit()
    flash(f"“{name}” deleted.", "success")
    return redirect(url_for(".index"))


# --- helpers ---------------------------------------------------------------------------------


def roadmap_or_404(roadmap_id: int) -> Roadmap:
    """The current tenant's roadmap with this id; 404 for any other (every package's pages use it)."""
    return services.roadmap_get(tenant=g.tenant, roadmap_id=roadmap_id) or abort(404)


def _area_or_404(roadmap: Roadmap, roadmap_area_id: int) -> RoadmapArea:
    selected = area_services.roadmap_area_get(roadmap=roadmap, roadmap_area_id=roadmap_area_id)
    if selected is None:
        abort(404)
    return selected


def _phase_or_404(roadmap: Roadmap, phase_id: int) -> Phase:
    phase = phases.phase_get(roadmap=roadmap, phase_id=phase_id)
    if phase is None:
        abort(404)
    return phase


def maturity_level_name(model: CatalogModel, level: int | None) -> str:
    """ "Defined" for 3: the model's name of a maturity level ("" if it has none)."""
    return catalog.level_names(model, "maturity_levels").get(level, "")


def _maturity_choices() -> list[SelectChoice]:
    model = services.catalog_model()
    return [
        SelectChoice(level, f"ML{level} {maturity_level_name(model, level)}")
        for level in selection.MATURITY_LEVELS
    ]


def _guide() -> dict[str, Any]:
    """The guided selection's rows: areas by category in suggested order, and the themes each serves."""
    model = services.catalog_model()
    areas = services.catalog_areas(model)
    return {
        "groups": catalog.areas_by_category(model, areas),
        "themes": {area.code: catalog.area_themes(model, area) for area in areas},
    }


def _roadmap_form() -> RoadmapForm:
    form = RoadmapForm()
    form.target_maturity_level.choices = _maturity_choices()
    form.service_line_ids.choices = [
        SelectChoice(line.id, line.name) for line in service_lines.service_line_list(tenant=g.tenant)
    ]
    return form


def _render_new(form: RoadmapForm) -> str:
    return render_template("roadmaps/new.html", form=form, **_guide())


def _phase_form(roadmap: Roadmap, phase: Phase | None = None) -> PhaseForm:
    areas = services.roadmap_areas(roadmap=roadmap)
    placed = [selected.id for selected in areas if phase is not None and selected.phase_id == phase.id]
    form = PhaseForm(obj=phase, area_ids=placed)
    form.area_ids.choices = [SelectChoice(selected.id, selected.area.code) for selected in areas]
    return form


def _phase_args(form: PhaseForm) -> dict[str, Any]:
    return {
        "name": form.name.data,
        "starts_on": form.starts_on.data,
        "ends_on": form.ends_on.data,
        "area_ids": form.area_ids.data or [],
    }
