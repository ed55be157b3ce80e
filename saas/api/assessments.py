"""Practice assessments: per roadmap x service line x selected area x practice, and setting one.

The list has one row for every practice a selected area is assessed on at its target (its
specific practices and the generic practices its target level needs) in every covered line,
recorded or not, as the assessment grid shows them. Every member reads; setting a
characterisation needs ASSESS_PRACTICES, as on the pages. History is kept by the service.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from saas.api.auth import api_blueprint
from saas.api.common import actor, found_or_404, page_of_rows, roadmap_or_404, tenant
from saas.api.schemas import AssessmentListQuery, AssessmentOut, AssessmentSetIn, page_of
from saas.catalog.models import Practice
from saas.extensions import db
from saas.roadmaps.adoption.models import PracticeAssessment
from saas.roadmaps.adoption.services import assessments as services
from saas.roadmaps.adoption.services.ratings import roadmap_rating
from saas.roadmaps.errors import RoadmapError
from saas.roadmaps.items.services.items import normalise_practice_code
from saas.roadmaps.planning.models import Roadmap, ServiceLine
from saas.roadmaps.planning.services.service_lines import roadmap_service_lines
from saas.tenants.context import permission_required
from saas.tenants.permissions import Permission

bp = api_blueprint(
    "api_assessments",
    __name__,
    tag="Assessments",
    description="How far each practice is implemented, per roadmap, service line and process area.",
    tenant=True,
)


def row(
    roadmap: Roadmap,
    line: ServiceLine,
    area_code: str,
    goal_code: str,
    practice: Practice,
    recorded: PracticeAssessment | None,
) -> dict[str, Any]:
    """One practice in one line as the API shows it (recorded None: never assessed)."""
    return {
        "id": recorded.id if recorded else None,
        "roadmap_id": roadmap.id,
        "service_line_id": line.id,
        "service_line_name": line.name,
        "area_code": area_code,
        "goal_code": goal_code,
        "practice_code": practice.code,
        "practice_title": practice.title,
        "characterisation": recorded.characterisation if recorded else None,
        "notes": recorded.notes if recorded else "",
        "updated_at": recorded.updated_at if recorded else None,
        "updated_by": recorded.updated_by if recorded else None,
    }


def assessment_rows(roadmap: Roadmap, *, line_id: int | None, area_code: str | None) -> list[dict[str, Any]]:
    """Every practice assessed at target, per covered line, in plan order (a fixed number of queries)."""
    rating = roadmap_rating(roadmap=roadmap)
    lines = [line for line in rating.lines if line_id is None or line.id == line_id]
    areas = [area for area in rating.areas if area_code is None or area.code == area_code.upper()]
    recorded = {
        (rec.area_id, rec.practice_id, rec.service_line_id): rec
        for rec in services.assessment_list(roadmap=roadmap, service_line_id=line_id)
    }
    return [
        row(
            roadmap,
            line,
            area.code,
            goal.goal.code,
            rated.practice,
            recorded.get((area.selected.area_id, rated.practice.id, line.id)),
        )
        for area in areas
        for goal in area.goals
        for rated in goal.practices
        for line in lines
    ]


def _line(roadmap: Roadmap, line_id: int | None) -> ServiceLine:
    """The covered line asked for, else the roadmap's default (or first) line; 422 if none."""
    if line_id is not None:
        line = services.covered_line_get(roadmap=roadmap, service_line_id=line_id)
    else:
        lines = roadmap_service_lines(roadmap=roadmap)
        line = next((line for line in lines if line.is_default), lines[0] if lines else None)
    if line is None:
        raise RoadmapError("Choose a service line this roadmap covers.", field="service_line_id")
    return line


def shown(assessment: PracticeAssessment) -> dict[str, Any]:
    """A recorded assessment as a row, with its codes, goal and line looked up."""
    roadmap = roadmap_or_404(assessment.roadmap_id)
    area_code, _practice_code = services.assessment_codes(assessment)
    practice = db.session.get(Practice, assessment.practice_id)
    line = db.session.get(ServiceLine, assessment.service_line_id)
    return row(roadmap, line, area_code, practice.goal.code, practice, assessment)


@bp.route("/roadmaps/<int:roadmap_id>/assessments")
class Assessments(MethodView):
    @bp.arguments(AssessmentListQuery, location="query")
    @bp.response(200, page_of(AssessmentOut, "AssessmentPage"))
    def get(self, query: dict[str, Any], roadmap_id: int) -> dict[str, Any]:
        """The roadmap's practices per covered line, optionally of one line (`service_line_id`) or area"""
        rows = assessment_rows(
            roadmap_or_404(roadmap_id), line_id=query.get("service_line_id"), area_code=query.get("area")
        )
        return page_of_rows(rows, page=query["page"], per_page=query["per_page"])

    @permission_required(Permission.ASSESS_PRACTICES)
    @bp.arguments(
        AssessmentSetIn,
        example={
            "area_code": "WP",
            "practice_code": "SP 1.1",
            "characterisation": "LI",
            "notes": "Agreed in May.",
        },
    )
    @bp.response(200, AssessmentOut)
    def post(self, data: dict[str, Any], roadmap_id: int) -> dict[str, Any]:
        """Set a practice's characterisation in a covered line (null: not assessed)

        The practice must be one the area is assessed on at its target; notes left out are kept.
        Only a change of value is written to the history.
        """
        roadmap = roadmap_or_404(roadmap_id)
        assessment = services.assessment_set(
            tenant=tenant(),
            actor=actor(),
            roadmap=roadmap,
            service_line=_line(roadmap, data["service_line_id"]),
            area_code=data["area_code"].upper(),
            practice_code=normalise_practice_code(data["practice_code"]),
            characterisation=data["characterisation"],
            notes=data.get("notes"),
        )
        db.session.commit()
        return shown(assessment)


@bp.route("/assessments/<int:assessment_id>")
class Assessment(MethodView):
    @bp.response(200, AssessmentOut)
    def get(self, assessment_id: int) -> dict[str, Any]:
        """One recorded assessment"""
        return shown(
            found_or_404(services.assessment_get(tenant=tenant(), assessment_id=assessment_id), "assessment")
        )
