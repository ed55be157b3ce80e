"""Phases (waves) of a roadmap: dated steps that selected areas are placed into.

Reading is open to every member; changes need EDIT_ROADMAPS, as on the pages.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView

from saas.api.auth import api_blueprint
from saas.api.common import actor, found_or_404, page_of_rows, roadmap_or_404, tenant
from saas.api.schemas import Annotated, PageQuery, PhaseCreateIn, PhaseOut, PhaseUpdateIn, page_of
from saas.extensions import db
from saas.roadmaps.planning.models import Phase, Roadmap
from saas.roadmaps.planning.services import phases as services
from saas.tenants.context import permission_required
from saas.tenants.permissions import Permission

bp = api_blueprint(
    "api_phases",
    __name__,
    tag="Phases",
    description="Dated waves of a roadmap, into which selected areas are placed.",
    tenant=True,
)

EDIT = Permission.EDIT_ROADMAPS
PHASES = "/roadmaps/<int:roadmap_id>/phases"


def shown(roadmap: Roadmap, phase: Phase) -> Annotated:
    """The phase with the ids of the selected areas placed in it."""
    placed = [selected.id for selected in roadmap.areas if selected.phase_id == phase.id]
    return Annotated(phase, area_ids=placed)


def _phase(roadmap: Roadmap, phase_id: int) -> Phase:
    return found_or_404(services.phase_get(roadmap=roadmap, phase_id=phase_id), "phase")


@bp.route(PHASES)
class Phases(MethodView):
    @bp.arguments(PageQuery, location="query")
    @bp.response(200, page_of(PhaseOut, "PhasePage"))
    def get(self, query: dict[str, Any], roadmap_id: int) -> dict[str, Any]:
        """The roadmap's phases in time order"""
        roadmap = roadmap_or_404(roadmap_id)
        return page_of_rows([shown(roadmap, phase) for phase in roadmap.phases], **query)

    @permission_required(EDIT)
    @bp.arguments(
        PhaseCreateIn, example={"name": "Foundations", "starts_on": "2027-01-04", "ends_on": "2027-03-31"}
    )
    @bp.response(201, PhaseOut)
    def post(self, data: dict[str, Any], roadmap_id: int) -> Annotated:
        """Add a phase; `area_ids` (selected areas of this roadmap) are moved into it"""
        roadmap = roadmap_or_404(roadmap_id)
        phase = services.phase_create(tenant=tenant(), actor=actor(), roadmap=roadmap, **data)
        db.session.commit()
        return shown(roadmap, phase)


@bp.route(PHASES + "/<int:phase_id>")
class PhaseResource(MethodView):
    @bp.response(200, PhaseOut)
    def get(self, roadmap_id: int, phase_id: int) -> Annotated:
        """One phase"""
        roadmap = roadmap_or_404(roadmap_id)
        return shown(roadmap, _phase(roadmap, phase_id))

    @permission_required(EDIT)
    @bp.arguments(PhaseUpdateIn)
    @bp.response(200, PhaseOut)
    def patch(self, data: dict[str, Any], roadmap_id: int, phase_id: int) -> Annotated:
        """Rename or re-date a phase; `area_ids`, when sent, become exactly the areas placed in it"""
        roadmap = roadmap_or_404(roadmap_id)
        phase = _phase(roadmap, phase_id)
        services.phase_update(
            tenant=tenant(),
            actor=actor(),
            roadmap=roadmap,
            phase=phase,
            name=data.get("name", phase.name),
            starts_on=data.get("starts_on", phase.starts_on),
            ends_on=data.get("ends_on", phase.ends_on),
            area_ids=data.get("area_ids"),
        )
        db.session.commit()
        return shown(roadmap, phase)

    @permission_required(EDIT)
    @bp.response(204)
    def delete(self, roadmap_id: int, phase_id: int) -> Response:
        """Remove a phase; its areas stay selected, just no longer placed"""
        roadmap = roadmap_or_404(roadmap_id)
        services.phase_delete(
            tenant=tenant(), actor=actor(), roadmap=roadmap, phase=_phase(roadmap, phase_id)
        )
        db.session.commit()
        return Response(status=204)
