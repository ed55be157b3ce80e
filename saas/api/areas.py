"""The process areas a roadmap selects, each with its plan: target level, priority, phase, owner, rationale.

Reading is open to every member; changes need EDIT_ROADMAPS, as on the pages.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort
from flask.views import MethodView

from saas.api.auth import api_blueprint
from saas.api.common import actor, found_or_404, page_of_rows, roadmap_or_404, tenant
from saas.api.schemas import PageQuery, RoadmapAreaAddIn, RoadmapAreaOut, RoadmapAreaUpdateIn, page_of
from saas.extensions import db
from saas.roadmaps.adoption.services.assessments import roadmap_area_by_code
from saas.roadmaps.planning.models import Roadmap, RoadmapArea
from saas.roadmaps.planning.services import areas as services
from saas.roadmaps.planning.services.roadmaps import roadmap_areas
from saas.tenants.context import permission_required
from saas.tenants.permissions import Permission

bp = api_blueprint(
    "api_areas",
    __name__,
    tag="Selected areas",
    description="The process areas a roadmap selects and each one's plan.",
    tenant=True,
)

EDIT = Permission.EDIT_ROADMAPS
AREAS = "/roadmaps/<int:roadmap_id>/areas"


def _selected(roadmap: Roadmap, roadmap_area_id: int) -> RoadmapArea:
    return found_or_404(
        services.roadmap_area_get(roadmap=roadmap, roadmap_area_id=roadmap_area_id), "selected area"
    )


@bp.route(AREAS)
class SelectedAreas(MethodView):
    @bp.arguments(PageQuery, location="query")
    @bp.response(200, page_of(RoadmapAreaOut, "RoadmapAreaPage"))
    def get(self, query: dict[str, Any], roadmap_id: int) -> dict[str, Any]:
        """The roadmap's areas in plan order"""
        return page_of_rows(roadmap_areas(roadmap=roadmap_or_404(roadmap_id)), **query)

    @permission_required(EDIT)
    @bp.arguments(RoadmapAreaAddIn, example={"area_code": "CAM", "target_capability_level": 2})
    @bp.response(201, RoadmapAreaOut)
    def post(self, data: dict[str, Any], roadmap_id: int) -> RoadmapArea:
        """Add a process area to the roadmap (409 if it is already selected)"""
        roadmap = roadmap_or_404(roadmap_id)
        code = data["area_code"].upper()
        if roadmap_area_by_code(roadmap=roadmap, area_code=code) is not None:
            abort(409, description=f"{code} is already selected in this roadmap.")
        profile = {selected.area.code: selected.target_capability_level for selected in roadmap.areas}
        services.roadmap_selection_set(
            tenant=tenant(),
            actor=actor(),
            roadmap=roadmap,
            profile=profile | {code: data["target_capability_level"]},
        )
        db.session.commit()
        return roadmap_area_by_code(roadmap=roadmap, area_code=code)


@bp.route(AREAS + "/<int:roadmap_area_id>")
class SelectedArea(MethodView):
    @bp.response(200, RoadmapAreaOut)
    def get(self, roadmap_id: int, roadmap_area_id: int) -> RoadmapArea:
        """One selected area and its plan"""
        return _selected(roadmap_or_404(roadmap_id), roadmap_area_id)

    @permission_required(EDIT)
    @bp.arguments(RoadmapAreaUpdateIn)
    @bp.response(200, RoadmapAreaOut)
    def patch(self, data: dict[str, Any], roadmap_id: int, roadmap_area_id: int) -> RoadmapArea:
        """Change an area's plan (only the fields sent; null unsets phase or owner)

        The phase must be one of this roadmap's and the owner a member (422 otherwise); only the
        areas the model lets an organisation scope out may be marked not applicable.
        """
        roadmap = roadmap_or_404(roadmap_id)
        selected = _selected(roadmap, roadmap_area_id)
        services.roadmap_area_update(
            tenant=tenant(),
            actor=actor(),
            roadmap=roadmap,
            roadmap_area=selected,
            target_capability_level=data.get("target_capability_level", selected.target_capability_level),
            priority=data.get("priority", selected.priority),
            phase_id=data.get("phase_id", selected.phase_id),
            owner_id=data.get("owner_id", selected.owner_id),
            rationale=data.get("rationale", selected.rationale),
            not_applicable=data.get("not_applicable", selected.not_applicable),
        )
        db.session.commit()
        return selected

    @permission_required(EDIT)
    @bp.response(204)
    def delete(self, roadmap_id: int, roadmap_area_id: int) -> Response:
        """Remove an area from the roadmap; its action items stay, no longer tied to the area"""
        roadmap = roadmap_or_404(roadmap_id)
        services.roadmap_area_remove(
            tenant=tenant(), actor=actor(), roadmap=roadmap, roadmap_area=_selected(roadmap, roadmap_area_id)
        )
        db.session.commit()
        return Response(status=204)
