"""Adoption across service lines: the matrix, what blocks the target, the forecast, the appraisal pack.

Every page is open to the tenant's members (other tenants' roadmaps are 404) and only reads.
"""

from __future__ import annotations

from flask import Response, render_template, request, url_for

from saas.roadmaps.adoption.models import Evidence
from saas.roadmaps.adoption.services import blockers as blocker_services
from saas.roadmaps.adoption.services import forecast as forecast_services
from saas.roadmaps.adoption.services import matrix as matrix_services
from saas.roadmaps.adoption.services import pack as pack_services
from saas.roadmaps.adoption.services.ratings import roadmap_rating
from saas.roadmaps.blueprint import bp
from saas.roadmaps.planning.views.roadmaps import roadmap_or_404
from saas.tenants.clock import tenant_today
from saas.tenants.context import export_view

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/roadmaps/<int:roadmap_id>/matrix")
def adoption_matrix(roadmap_id: int):
    """Practices x service lines, filtered by area, phase and characterisation (GET parameters)."""
    roadmap = roadmap_or_404(roadmap_id)
    filters = matrix_services.Filters.clean(
        area=request.args.get("area"),
        phase_id=request.args.get("phase", type=int),
        value=request.args.get("value"),
    )
    matrix = matrix_services.adoption_matrix(
        roadmap=roadmap, today=tenant_today(roadmap.tenant), filters=filters
    )
    names = {item["code"]: item["name"] for item in roadmap.model.scales.get("characterisations", [])}
    return render_template(
        "roadmaps/assessments/matrix.html",
        roadmap=roadmap,
        matrix=matrix,
        characterisations=names,
        not_assessed=matrix_services.NOT_ASSESSED,
    )


@bp.get("/roadmaps/<int:roadmap_id>/blockers")
def target_blockers(roadmap_id: int):
    """What stops the roadmap's target, goal by goal, naming the service lines where each falls short."""
    roadmap = roadmap_or_404(roadmap_id)
    result = roadmap_rating(roadmap=roadmap)
    return render_template(
        "roadmaps/assessments/blockers.html",
        roadmap=roadmap,
        rating=result,
        blockers=blocker_services.target_blockers(result),
        line_ids={line.name: line.id for line in result.lines},
    )


@bp.get("/roadmaps/<int:roadmap_id>/forecast")
def readiness_forecast(roadmap_id: int):
    """When the target is projected to be reached at the current pace, with the method and the weekly counts."""
    roadmap = roadmap_or_404(roadmap_id)
    result = roadmap_rating(roadmap=roadmap)
    forecast = forecast_services.readiness_forecast(
        roadmap=roadmap, today=tenant_today(roadmap.tenant), result=result
    )
    return render_template(
        "roadmaps/assessments/forecast.html",
        roadmap=roadmap,
        rating=result,
        forecast=forecast,
        chart=forecast_services.forecast_chart(forecast),
        method=forecast_services.METHOD,
    )


@bp.get("/roadmaps/<int:roadmap_id>/pack.csv")
@export_view()
def appraisal_pack_csv(roadmap_id: int):
    """The appraisal readiness pack as CSV: one row per practice per service line."""
    pack = pack_services.appraisal_pack(roadmap=roadmap_or_404(roadmap_id))
    return _download("\ufeff" + pack_services.pack_csv(pack, _download_url), "text/csv", pack, "csv")


@bp.get("/roadmaps/<int:roadmap_id>/pack.xlsx")
@export_view()
def appraisal_pack_xlsx(roadmap_id: int):
    """The appraisal readiness pack as an Excel workbook: one row per practice per service line."""
    pack = pack_services.appraisal_pack(roadmap=roadmap_or_404(roadmap_id))
    return _download(pack_services.pack_xlsx(pack, _download_url), XLSX, pack, "xlsx")


def _download(body: str | bytes, mimetype: str, pack: pack_services.Pack, extension: str) -> Response:
    filename = f"appraisal-pack-{pack.rating.roadmap.id}.{extension}"
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


def _download_url(item: Evidence) -> str:
    return url_for("roadmaps.evidence_download", evidence_id=item.id, _external=True)
