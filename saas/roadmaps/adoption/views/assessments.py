"""Assessment pages: the per-area grid (htmx row saves), a practice's page with evidence and history,
evidence downloads, the adoption pictures and the readiness report."""

from __future__ import annotations

import io
from typing import Any

from flask import Response, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from saas.catalog.models import Practice
from saas.errors import render_error
from saas.extensions import db
from saas.roadmaps.adoption.services import assessments, evidence, pages, reports
from saas.roadmaps.adoption.services.ratings import roadmap_rating
from saas.roadmaps.blueprint import bp
from saas.roadmaps.errors import RoadmapError
from saas.roadmaps.planning.models import Roadmap, RoadmapArea, ServiceLine
from saas.roadmaps.planning.services.service_lines import roadmap_service_lines
from saas.roadmaps.planning.views.roadmaps import roadmap_or_404
from saas.tenants.context import export_view, has_permission, permission_required
from saas.tenants.permissions import Permission

AREA = "/roadmaps/<int:roadmap_id>/areas/<area_code>"
PRACTICE = AREA + "/practices/<practice_code>"


def _roadmap_area(roadmap_id: int, area_code: str) -> tuple[Roadmap, RoadmapArea]:
    roadmap = roadmap_or_404(roadmap_id)
    return roadmap, assessments.roadmap_area_by_code(roadmap=roadmap, area_code=area_code) or abort(404)


def _practice(selected: RoadmapArea, practice_code: str) -> Practice:
    return assessments.practice_for(selected=selected, practice_code=practice_code) or abort(404)


def _line(roadmap: Roadmap, line_id: int | None) -> ServiceLine:
    """The requested covered line, else the roadmap's default (or first) line; 404 if not covered."""
    if line_id is not None:
        return assessments.covered_line_get(roadmap=roadmap, service_line_id=line_id) or abort(404)
    lines = roadmap_service_lines(roadmap=roadmap)
    if not lines:
        abort(404, description="This roadmap covers no service line yet.")
    return next((line for line in lines if line.is_default), lines[0])


def _htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def _can_assess() -> bool:
    return has_permission(Permission.ASSESS_PRACTICES)


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error: RequestEntityTooLarge):
    """A body over MAX_CONTENT_LENGTH is refused before any view runs; say what the limit is."""
    error.description = f"The file is larger than {evidence.max_upload_mb()} MB, so nothing was saved."
    return render_error(error)


# --- the grid ----------------------------------------------------------------------------------


@bp.get(AREA + "/assess")
def assessment_grid(roadmap_id: int, area_code: str):
    """An area's practices in one service line, grouped by goal; editable by those who assess."""
    roadmap, selected = _roadmap_area(roadmap_id, area_code)
    line = _line(roadmap, request.args.get("line", type=int))
    grid = pages.assessment_grid(roadmap=roadmap, selected=selected, line=line)
    return render_template("roadmaps/assessments/grid.html", **_grid_context(roadmap, grid))


def _grid_context(roadmap: Roadmap, grid: pages.AssessmentGrid, **extra: Any) -> dict[str, Any]:
    names = {item["code"]: item["name"] for item in roadmap.model.scales.get("characterisations", [])}
    return {
        "roadmap": roadmap,
        "grid": grid,
        "area": grid.area,
        "line": grid.line,
        "show_lines": len(grid.rating.lines) > 1 or not grid.line.is_default,
        "characterisations": names,
        "can_assess": _can_assess(),
        **extra,
    }


@bp.post(PRACTICE + "/assessment")
@permission_required(Permission.ASSESS_PRACTICES)
def assessment_save(roadmap_id: int, area_code: str, practice_code: str):
    """Save one row; htmx gets the row back plus the area's summary and goal badges out of band."""
    roadmap, selected = _roadmap_area(roadmap_id, area_code)
    practice = _practice(selected, practice_code)
    line = _line(roadmap, request.form.get("line", type=int))
    error = None
    try:
        assessments.assessment_set(
            tenant=g.tenant,
            actor=current_user,
            roadmap=roadmap,
            service_line=line,
            area_code=selected.area.code,
            practice_code=practice.code,
            characterisation=request.form.get("characterisation"),
            notes=request.form.get("notes"),
        )
        db.session.commit()
    except RoadmapError as exc:
        db.session.rollback()
        error = str(exc)
    if not _htmx() and error is None:
        return redirect(_grid_url(roadmap, selected, line, _anchor=f"practice-{practice.id}"), 303)
    grid = pages.assessment_grid(roadmap=roadmap, selected=selected, line=line)
    context = _grid_context(roadmap, grid, row=grid.rows[practice.id], error=error)
    # htmx swaps only 2xx answers, so an htmx request gets its row back with the message and 200.
    status = 422 if error and not _htmx() else 200
    return render_template("roadmaps/assessments/_row_response.html", **context), status


@bp.post(AREA + "/goals/<goal_code>/judgement")
@permission_required(Permission.ASSESS_PRACTICES)
def goal_judgement(roadmap_id: int, area_code: str, goal_code: str):
    """Record, change or clear a judgement on a goal, then back to the grid (422 with the reason if refused)."""
    roadmap, selected = _roadmap_area(roadmap_id, area_code)
    satisfied = {"satisfied": True, "unsatisfied": False}.get(request.form.get("verdict", ""))
    line = _line(roadmap, request.args.get("line", type=int))
    try:
        assessments.goal_judgement_set(
            tenant=g.tenant,
            actor=current_user,
            roadmap=roadmap,
            area_code=selected.area.code,
            goal_code=goal_code,
            satisfied=satisfied,
            note=request.form.get("note", ""),
        )
    except RoadmapError as exc:
        return _grid_refused(roadmap, selected, line, str(exc))
    db.session.commit()
    flash("Judgement recorded." if satisfied is not None else "Judgement cleared.", "success")
    return redirect(_grid_url(roadmap, selected, line), 303)


@bp.post(PRACTICE + "/raise")
@permission_required(Permission.ASSESS_PRACTICES)
def practice_raise(roadmap_id: int, area_code: str, practice_code: str):
    """Raise an organisation-level PI to LI with a reason, or withdraw the raise (422 with the reason if refused)."""
    roadmap, selected = _roadmap_area(roadmap_id, area_code)
    practice = _practice(selected, practice_code)
    line = _line(roadmap, request.args.get("line", type=int))
    raised = request.form.get("action", "raise") == "raise"
    try:
        assessments.practice_raise_set(
            tenant=g.tenant,
            actor=current_user,
            roadmap=roadmap,
            area_code=selected.area.code,
            practice_code=practice.code,
            raised=raised,
            reason=request.form.get("reason", ""),
        )
    except RoadmapError as exc:
        return _grid_refused(roadmap, selected, line, str(exc))
    db.session.commit()
    flash("Raised to LI." if raised else "Raise withdrawn.", "success")
    return redirect(_grid_url(roadmap, selected, line), 303)


def _grid_refused(roadmap: Roadmap, selected: RoadmapArea, line: ServiceLine, message: str):
    db.session.rollback()
    grid = pages.assessment_grid(roadmap=roadmap, selected=selected, line=line)
    return render_template(
        "roadmaps/assessments/grid.html", **_grid_context(roadmap, grid, refused=message)
    ), 422


def _grid_url(roadmap: Roadmap, selected: RoadmapArea, line: ServiceLine, **anchor: str) -> str:
    return url_for(
        ".assessment_grid", roadmap_id=roadmap.id, area_code=selected.area.code, line=line.id, **anchor
    )


# --- a practice: values per line, evidence, history ---------------------------------------------


@bp.get(PRACTICE)
def assessment_practice(roadmap_id: int, area_code: str, practice_code: str):
    """One practice: its value in each line, the evidence of one line, and every change of value."""
    roadmap, selected = _roadmap_area(roadmap_id, area_code)
    practice = _practice(selected, practice_code)
    return _practice_page(roadmap, selected, practice, _line(roadmap, request.args.get("line", type=int)))


def _practice_page(
    roadmap: Roadmap,
    selected: RoadmapArea,
    practice: Practice,
    line: ServiceLine,
    error: str = "",
    status: int = 200,
):
    detail = pages.practice_detail(roadmap=roadmap, selected=selected, practice=practice)
    assessment = detail.assessments.get(line.id)
    context = {
        "roadmap": roadmap,
        "detail": detail,
        "line": line,
        "assessment": assessment,
        "evidence_items": evidence.evidence_list(assessment=assessment) if assessment else [],
        "show_lines": len(detail.rating.lines) > 1 or not line.is_default,
        "can_assess": _can_assess(),
        "max_upload_mb": evidence.max_upload_mb(),
        "allowed_types": evidence.ALLOWED_LABEL,
        "error": error,
    }
    return render_template("roadmaps/assessments/practice.html", **context), status


@bp.post(PRACTICE + "/evidence/<kind>")
@permission_required(Permission.ASSESS_PRACTICES)
def evidence_add(roadmap_id: int, area_code: str, practice_code: str, kind: str):
    """Attach a link or a file to the practice's assessment in one line; refused uploads keep nothing."""
    roadmap, selected = _roadmap_area(roadmap_id, area_code)
    practice = _practice(selected, practice_code)
    line = _line(roadmap, request.args.get("line", type=int))
    if kind not in ("link", "file"):
        abort(404)
    try:
        assessment = assessments.assessment_ensure(
            tenant=g.tenant,
            roadmap=roadmap,
            service_line=line,
            area_code=selected.area.code,
            practice_code=practice.code,
        )
        if kind == "link":
            evidence.evidence_link_add(
                tenant=g.tenant,
                actor=current_user,
                assessment=assessment,
                url=request.form.get("url", ""),
                title=request.form.get("title", ""),
            )
        else:
            upload = request.files.get("file")
            evidence.evidence_file_add(
                tenant=g.tenant,
                actor=current_user,
                assessment=assessment,
                filename=upload.filename if upload else "",
                stream=upload.stream if upload else io.BytesIO(),
                title=request.form.get("title", ""),
            )
    except RoadmapError as exc:
        db.session.rollback()
        status = 413 if isinstance(exc, evidence.FileTooLarge) else 422
        return _practice_page(roadmap, selected, practice, line, str(exc), status)
    db.session.commit()
    flash("Evidence added.", "success")
    return redirect(_practice_url(roadmap, selected, practice, line, _anchor="evidence"), 303)


@bp.get("/evidence/<int:evidence_id>/download")
@export_view(Permission.VIEW)
def evidence_download(evidence_id: int):
    """A stored file, as an attachment the browser will not sniff or render; other tenants' files are 404."""
    item = evidence.evidence_get(tenant=g.tenant, evidence_id=evidence_id)
    if item is None or item.kind != "file":
        abort(404)
    try:
        stream = evidence.evidence_open(item)
    except FileNotFoundError:
        abort(404, description="The file is no longer stored.")
    response = send_file(
        stream, mimetype=item.content_type, as_attachment=True, download_name=item.filename, max_age=0
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/evidence/<int:evidence_id>/delete")
@permission_required(Permission.ASSESS_PRACTICES)
def evidence_remove(evidence_id: int):
    """Remove a practice's evidence, then back to the practice."""
    item = evidence.evidence_get(tenant=g.tenant, evidence_id=evidence_id)
    if item is None or item.assessment_id is None:
        abort(404)
    back = url_for(".assessment_permalink", assessment_id=item.assessment_id, _anchor="evidence")
    evidence.evidence_delete(tenant=g.tenant, actor=current_user, evidence=item)
    db.session.commit()
    flash("Evidence removed.", "success")
    return redirect(back, 303)


@bp.get("/assessments/<int:assessment_id>")
def assessment_permalink(assessment_id: int):
    """A stable address for one practice in one line (audit trail, matrix cells): its practice page."""
    assessment = assessments.assessment_get(tenant=g.tenant, assessment_id=assessment_id) or abort(404)
    area_code, practice_code = assessments.assessment_codes(assessment)
    return redirect(
        url_for(
            ".assessment_practice",
            roadmap_id=assessment.roadmap_id,
            area_code=area_code,
            practice_code=practice_code,
            line=assessment.service_line_id,
        )
    )


def _practice_url(
    roadmap: Roadmap, selected: RoadmapArea, practice: Practice, line: ServiceLine, **anchor: str
) -> str:
    return url_for(
        ".assessment_practice",
        roadmap_id=roadmap.id,
        area_code=selected.area.code,
        practice_code=practice.code,
        line=line.id,
        **anchor,
    )


# --- roadmap-wide pages -------------------------------------------------------------------------


@bp.get("/roadmaps/<int:roadmap_id>/adoption")
def adoption(roadmap_id: int):
    """Pictures of adoption: capability profile, areas x goals heatmap, trend, GG 2/GG 3 coverage."""
    roadmap = roadmap_or_404(roadmap_id)
    result = roadmap_rating(roadmap=roadmap)
    return render_template(
        "roadmaps/assessments/adoption.html",
        roadmap=roadmap,
        rating=result,
        profile_chart=reports.profile_chart(result),
        coverage_chart=reports.coverage_chart(result),
        trend_chart=reports.trend_chart(roadmap=roadmap),
        heatmap=reports.heatmap(result),
    )


@bp.get("/roadmaps/<int:roadmap_id>/readiness")
def readiness(roadmap_id: int):
    """The readiness report as a printable page."""
    roadmap = roadmap_or_404(roadmap_id)
    report = reports.readiness(roadmap=roadmap)
    return render_template(
        "roadmaps/assessments/readiness.html",
        roadmap=roadmap,
        report=report,
        rating=report.rating,
        verdict=reports.goal_verdict,
        notes_text=reports.notes_text,
    )


@bp.get("/roadmaps/<int:roadmap_id>/readiness.csv")
@export_view()
def readiness_csv(roadmap_id: int):
    """The readiness report as CSV, one row per practice (cells that look like formulas are defused)."""
    roadmap = roadmap_or_404(roadmap_id)
    body = reports.readiness_csv(reports.readiness(roadmap=roadmap))
    filename = f"readiness-{roadmap.id}.csv"
    return Response(
        "\ufeff" + body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
        },
    )
